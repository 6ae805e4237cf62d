/**
 * Benchmark 3, subscription fan-out: 100 to 10,000 graphql-ws subscribers of one account
 * on one router process with Redis; for each new log, the time from its commit to each
 * subscriber's receipt, and the router's memory per connection.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { createEventBus } from '@microservice-math/shared/events';
import { logAddedTopic } from '@microservice-math/shared/logAddedEvent';
import { createLogger } from '@microservice-math/shared/logger';
import { benchOptions } from '../lib/cli.js';
import { packageVersions } from '../lib/environment.js';
import { formatBytes, formatCount, formatMs, formatRatio } from '../lib/format.js';
import { post } from '../lib/load.js';
import { publish } from '../lib/publish.js';
import { runInfo, type Section, type TargetResult } from '../lib/report.js';
import { BenchSystem, redisUrl, residentBytes } from '../lib/services.js';
import { summarizeLatencies, type LatencySummary } from '../lib/stats.js';
import { bareBroadcast, type FloorResult } from './bareBroadcast.js';
import { epochNow, Subscribers } from './subscribers.js';

const options = benchOptions();
const run = runInfo('subscriptions', options.quick);
const plan = options.quick
  ? { levels: [5, 20], latencyLevel: 5, memoryLevel: 20, events: 2 }
  : { levels: [100, 1000, 5000, 10000], latencyLevel: 5000, memoryLevel: 10000, events: 5 };

interface LevelResult {
  subscribers: number;
  fromCreated: LatencySummary;
  fromPublish: LatencySummary;
  rssGrowth: number;
}

const system = await BenchSystem.start({ redis: true });
// Where math's publish can first be seen: a Redis subscriber like the router's, in this process.
const observer = createEventBus(
  redisUrl,
  createLogger('observer', { level: 'silent', pretty: false }),
);
const results: LevelResult[] = [];
let subscribers: Subscribers | undefined;
let floor: FloorResult;
try {
  const math = await system.startMath();
  const router = await system.startRouter(math);
  const routerPid = router.child.pid as number;
  const account = await system.signUp(router.url);
  const calculate = {
    url: router.url,
    query: '{ factorial(n: 10) { log { id } } }',
    headers: account.headers,
  };
  const published = new Map<string, number>();
  await observer.pubsub.subscribe(
    logAddedTopic(account.userId),
    (log: { id: string }) => published.set(log.id, epochNow()),
    {},
  );

  /** One calculation; resolves with its log's id. */
  const newLog = async () => {
    const body = JSON.parse(await post(calculate)) as {
      data: { factorial: { log: { id: string } } };
    };
    return body.data.factorial.log.id;
  };

  /**
   * Calculations until one reaches all `level` subscribers. A connection is acknowledged before
   * the router has subscribed to its user's channel, and an event published before that reaches
   * nobody (a client resumes with `after`), so one calculation alone can prove nothing.
   */
  const proveLive = async (level: number) => {
    const giveUpAt = performance.now() + 60_000;
    for (;;) {
      try {
        await subscribers!.receiptsOf(await newLog(), level, 2_000);
        return;
      } catch (error) {
        if (performance.now() > giveUpAt) throw error;
      }
    }
  };

  // The HTTP path warmed and memory settled before the baseline, so growth is the connections'.
  for (let i = 0; i < 20; i++) await newLog();
  await sleep(1000);
  const baseline = residentBytes(routerPid);

  subscribers = new Subscribers(router.url, account.token);
  for (const level of plan.levels) {
    await subscribers.growTo(level);
    // An event reaching everyone proves every subscription is in place before anything is timed.
    await proveLive(level);
    const fromCreated: number[] = [];
    const fromPublish: number[] = [];
    for (let i = 0; i < plan.events; i++) {
      const id = await newLog();
      const { receivedAt, createdAt } = await subscribers.receiptsOf(id, level, 60_000);
      const publishedAt = published.get(id);
      for (const at of receivedAt) {
        fromCreated.push(at - createdAt);
        if (publishedAt !== undefined) fromPublish.push(at - publishedAt);
      }
      await sleep(200);
    }
    await sleep(1000);
    const result = {
      subscribers: level,
      fromCreated: summarizeLatencies(fromCreated),
      fromPublish: summarizeLatencies(fromPublish),
      rssGrowth: residentBytes(routerPid) - baseline,
    };
    console.log(
      `${level} subscribers: p50 ${formatMs(result.fromCreated.p50)}, p99 ${formatMs(result.fromCreated.p99)}, ` +
        `router memory +${formatBytes(result.rssGrowth)}`,
    );
    results.push(result);
  }
  await subscribers.close();
  subscribers = undefined;
  floor = await bareBroadcast(plan.latencyLevel, plan.events);
  console.log(
    `bare ws broadcast to ${plan.latencyLevel}: p50 ${formatMs(floor.p50)}, p99 ${formatMs(floor.p99)}`,
  );
} finally {
  await subscribers?.close();
  await observer.close();
  await system.stop();
}

const at = (level: number) => results.find((r) => r.subscribers === level) as LevelResult;
const latency = at(plan.latencyLevel);
const memory = at(plan.memoryLevel);
const targets: TargetResult[] = [
  {
    target: `${formatCount(plan.latencyLevel)} subscribers: p99 delivery under 100 ms`,
    measured:
      `p99 ${formatMs(latency.fromCreated.p99)} from the log’s creation; a bare ws broadcast to ` +
      `as many sockets, same run: p99 ${formatMs(floor.p99)} (ours from publish ÷ bare = ` +
      `${formatRatio(latency.fromPublish.p99 / floor.p99)})`,
    met: latency.fromCreated.p99 < 100,
  },
  {
    target: `${formatCount(plan.memoryLevel)} subscribers held by one router with under 400 MB memory growth`,
    measured: `+${formatBytes(memory.rssGrowth)} resident (${formatBytes(memory.rssGrowth / memory.subscribers)} per connection)`,
    met: memory.rssGrowth < 400 * 1024 ** 2,
  },
];

const section: Section = {
  name: 'subscriptions',
  title: '3. Subscription fan-out',
  method: [
    'Auth, math and one router run as separate processes from source (`NODE_ENV=production`, ' +
      'SQLite, Redis for pub/sub under a key prefix of this run). One account is registered; ' +
      'the benchmark opens graphql-ws connections signed in as it (in batches, all in its own ' +
      'process), each subscribed to `logAdded { id createdAt }`, adding connections until each ' +
      `level is reached (${plan.levels.map(formatCount).join(', ')}). At each level a first ` +
      `calculation proves every subscription is live; then ${plan.events} calculations, one ` +
      'at a time, each produce a log that every subscriber must receive.',
    '**Delivery time** is a receipt’s wall-clock time minus the log’s `createdAt` (the value ' +
      'the event carries, set when the row is queued, just before its batch commits: so this ' +
      'slightly overstates commit-to-receipt). **From publish** subtracts instead the moment a ' +
      'Redis subscriber in the benchmark process saw math’s publish, the earliest any router ' +
      'could. All subscribers share one process and one event loop, so receipts of one event ' +
      'are also spread by the benchmark’s own processing of N messages. **Memory** is the ' +
      'router’s resident set size (from /proc) at each level minus before any connection, after ' +
      'a warm-up and a second’s pause; no garbage collection is forced.',
    '**The floor**: after the router’s subscribers have closed, a bare `ws` server in a process ' +
      `of its own (\`bench/subscriptions/bareBroadcastServer.ts\`) holds ${formatCount(plan.latencyLevel)} ` +
      'plain WebSocket clients of this process and, on request, writes to each a message of ' +
      'the same shape and size as the router’s, serialized per socket; each receipt is timed ' +
      'from the moment it began writing. No GraphQL, Redis or per-subscriber state: what is ' +
      'left is the socket writes, the kernel’s loopback delivery and the receiving event loop, ' +
      'which the router’s delivery cannot go below on this machine.',
  ],
  versions: [packageVersions(['graphql-ws', 'ws', 'graphql-redis-subscriptions', 'ioredis'])],
  tables: [
    {
      title: 'Delivery of one log to every subscriber',
      header: [
        'subscribers',
        'deliveries',
        'p50',
        'p99',
        'max',
        'p50 from publish',
        'p99 from publish',
        'router memory growth',
        'per connection',
      ],
      rows: results.map((r) => [
        formatCount(r.subscribers),
        formatCount(r.fromCreated.count),
        formatMs(r.fromCreated.p50),
        formatMs(r.fromCreated.p99),
        formatMs(r.fromCreated.max),
        formatMs(r.fromPublish.p50),
        formatMs(r.fromPublish.p99),
        formatBytes(r.rssGrowth),
        formatBytes(r.rssGrowth / r.subscribers),
      ]),
    },
    {
      title: `The floor: a bare ws broadcast to ${formatCount(plan.latencyLevel)} sockets`,
      header: ['sockets', 'deliveries', 'p50', 'p99', 'max', 'server write loop (median)'],
      rows: [
        [
          formatCount(plan.latencyLevel),
          formatCount(floor.count),
          formatMs(floor.p50),
          formatMs(floor.p99),
          formatMs(floor.max),
          formatMs(floor.loopMs),
        ],
      ],
      notes: [
        'Times from the moment the server began writing; compare with the router’s “from ' +
          'publish” columns above, which start when math’s event could first be seen on Redis.',
      ],
    },
  ],
  targets,
};
await publish(section, run, options);
