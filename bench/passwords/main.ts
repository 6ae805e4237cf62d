/**
 * Benchmark 7, password hashing off the event loop: bcrypt comparisons (a login's cost) per
 * second through auth's worker pool (accounts/passwords.ts) against bcryptjs's own async
 * comparison on the event loop, as auth did before; and how long the event loop stalls meanwhile,
 * which is what every light request in the process waits behind.
 */
import { availableParallelism } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import bcrypt from 'bcryptjs';
import { createPasswordHasher } from '../../subgraphs/auth/src/accounts/passwords.js';
import { benchOptions } from '../lib/cli.js';
import { packageVersions } from '../lib/environment.js';
import { formatCount, formatMs, formatRatioAgainst } from '../lib/format.js';
import { median } from '../lib/stats.js';
import { publish } from '../lib/publish.js';
import { runInfo, type Section } from '../lib/report.js';
import { LIGHT_QUERY, LoginSystem, type StormPlan, type StormResult } from './loginStorm.js';

const options = benchOptions();
const run = runInfo('passwords', options.quick);
const plan = options.quick
  ? { rounds: 10, clients: 8, durationMs: 2_000 }
  : { rounds: 10, clients: 16, durationMs: 10_000 };
const workers = availableParallelism();
const password = 'correct horse battery staple';
const hash = bcrypt.hashSync(password, plan.rounds);

interface Phase {
  name: string;
  perSecond: number;
  delayP99Ms: number;
  delayMaxMs: number;
}

/** `clients` loops each comparing again as soon as the last comparison answered. */
async function storm(name: string, compare: () => Promise<boolean>): Promise<Phase> {
  await Promise.all(Array.from({ length: plan.clients }, () => compare())); // warm up
  const delay = monitorEventLoopDelay({ resolution: 5 });
  let done = 0;
  const started = performance.now();
  const until = started + plan.durationMs;
  delay.enable();
  await Promise.all(
    Array.from({ length: plan.clients }, async () => {
      while (performance.now() < until) {
        if (!(await compare())) throw new Error('a comparison failed');
        done++;
      }
    }),
  );
  delay.disable();
  const seconds = (performance.now() - started) / 1000;
  const phase = {
    name,
    perSecond: done / seconds,
    delayP99Ms: delay.percentile(99) / 1e6,
    delayMaxMs: delay.max / 1e6,
  };
  console.log(
    `${name}: ${phase.perSecond.toFixed(1)} logins/s, event-loop delay p99 ${formatMs(phase.delayP99Ms)}`,
  );
  return phase;
}

const onLoop = await storm('bcryptjs async on the event loop', () =>
  bcrypt.compare(password, hash),
);
const hasher = await createPasswordHasher({ rounds: plan.rounds, workers, queue: 64 });
let pooled: Phase;
try {
  pooled = await storm(`worker pool, ${workers} workers`, () => hasher.verify(password, hash));
} finally {
  await hasher.close();
}
const ratio = pooled.perSecond / onLoop.perSecond;

// The same storm through the whole system: auth with one hashing thread against auth with its
// default (one per core), each behind its own router, in alternating rounds so that drift on the
// machine falls on both alike.
const stormPlan: StormPlan = options.quick
  ? { clients: 8, durationMs: 2_000, lightRate: 20 }
  : { clients: 16, durationMs: 8_000, lightRate: 20 };
const stormRounds = options.quick ? 1 : 3;
const single = await LoginSystem.start(1, stormPlan.clients);
const storms: { single: StormResult[]; pool: StormResult[] } = { single: [], pool: [] };
let idleLight: Awaited<ReturnType<LoginSystem['idle']>>;
try {
  const pool = await LoginSystem.start(workers, stormPlan.clients);
  try {
    const warmUp = { ...stormPlan, durationMs: Math.min(stormPlan.durationMs, 3_000) };
    await single.storm(warmUp);
    await pool.storm(warmUp);
    idleLight = await pool.idle(stormPlan);
    for (let round = 0; round < stormRounds; round++) {
      // Each set goes first in every other round, so neither always follows the other's storm.
      if (round % 2 === 0) storms.single.push(await single.storm(stormPlan));
      storms.pool.push(await pool.storm(stormPlan));
      if (round % 2 === 1) storms.single.push(await single.storm(stormPlan));
      console.log(
        `login storm round ${round + 1}: one thread ${storms.single.at(-1)?.loginsPerSecond.toFixed(1)}/s, ` +
          `${workers} threads ${storms.pool.at(-1)?.loginsPerSecond.toFixed(1)}/s, ` +
          `me p99 ${formatMs(storms.pool.at(-1)?.light.p99 ?? Number.NaN)}`,
      );
    }
  } finally {
    await pool.stop();
  }
} finally {
  await single.stop();
}
/** The median round's figures (the median of each figure over the rounds). */
const stormFigures = (results: StormResult[]) => ({
  loginsPerSecond: median(results.map((r) => r.loginsPerSecond)),
  p50: median(results.map((r) => r.light.p50)),
  p99: median(results.map((r) => r.light.p99)),
  max: Math.max(...results.map((r) => r.light.max)),
  failures: results.reduce((sum, r) => sum + r.light.failures, 0),
});
const singleStorm = stormFigures(storms.single);
const poolStorm = stormFigures(storms.pool);
const routedRatio = poolStorm.loginsPerSecond / singleStorm.loginsPerSecond;
const loginRate = (perSecond: number) =>
  perSecond < 100 ? perSecond.toFixed(1) : formatCount(perSecond);

const section: Section = {
  name: 'passwords',
  title: '9. Password hashing off the event loop',
  method: [
    `One process compares a password with a bcrypt hash of cost ${plan.rounds} (what a login ` +
      `spends its time on) from ${plan.clients} concurrent loops, each starting the next ` +
      `comparison as soon as the last one answered, for ${formatMs(plan.durationMs)}: first ` +
      'with bcryptjs’s asynchronous compare on the event loop (auth before the worker pool), ' +
      `then through auth’s password pool (\`createPasswordHasher\`, ${workers} workers, one per ` +
      'core). Event-loop delay (`monitorEventLoopDelay`, 5 ms resolution) is what a light ' +
      'request such as `/health` or `me` waits behind in that process during the storm.',
    `Through the system: two sets of our router, auth and math (built, NODE_ENV=production, ` +
      `bcrypt cost ${plan.rounds}), one whose auth hashes on one thread (\`AUTH_HASH_WORKERS=1\`) ` +
      `and one with auth's default of one per core (${workers}). On each, ${stormPlan.clients} ` +
      'loops log their own account in through the router again as soon as the last login ' +
      `answered, for ${formatMs(stormPlan.durationMs)} a round, ${stormRounds} rounds ` +
      'alternating between the sets (each first in every other round) after a warm-up. Meanwhile the light query ' +
      `\`${LIGHT_QUERY}\`, which the same auth process answers, is sent ${stormPlan.lightRate} ` +
      'times a second and timed from its scheduled send (a stalled event loop cannot hide the ' +
      'requests queued behind it). Figures are medians over the rounds; the light query alone, ' +
      'without a storm, is the reference. The benchmark sends its requests with Node’s http ' +
      'client on kept-alive connections: it shares the two cores with the system it measures, ' +
      'and fetch cost it more than twice the CPU per login (3.3 against 1.4 ms, measured).',
  ],
  versions: [packageVersions(['bcryptjs', 'piscina'])],
  tables: [
    {
      title: 'Logins per second and event-loop delay during a login storm',
      header: ['hashing', 'logins/s', 'event-loop delay p99', 'max'],
      rows: [onLoop, pooled].map((p) => [
        p.name,
        p.perSecond < 100 ? p.perSecond.toFixed(1) : formatCount(p.perSecond),
        formatMs(p.delayP99Ms),
        formatMs(p.delayMaxMs),
      ]),
      notes: [
        'Both phases share the machine with whatever else runs on it: the pool can only beat ' +
          'the event loop by as much as there are idle cores for its second worker.',
      ],
    },
    {
      title: 'Logins through the router, and a light query during the storm',
      header: ['auth', 'logins/s', '`me` p50', '`me` p99', '`me` max', '`me` failures'],
      rows: [
        [
          'no storm (default threads)',
          '–',
          formatMs(idleLight.p50),
          formatMs(idleLight.p99),
          formatMs(idleLight.max),
          String(idleLight.failures),
        ],
        ...(
          [
            ['hashing on one thread', singleStorm],
            [`hashing on ${workers} threads (default)`, poolStorm],
          ] as const
        ).map(([name, figures]) => [
          name,
          loginRate(figures.loginsPerSecond),
          formatMs(figures.p50),
          formatMs(figures.p99),
          formatMs(figures.max),
          String(figures.failures),
        ]),
      ],
    },
  ],
  targets: [
    {
      target: `Logins/s with the worker pool at least 1.7× hashing on the event loop (${workers} cores)`,
      measured: `pool ÷ event loop = ${formatRatioAgainst(ratio, 1.7)}`,
      met: ratio >= 1.7,
    },
    {
      target: `Logins/s through the router with auth's ${workers} hashing threads at least 1.7× with one`,
      measured: `${workers} threads ÷ one = ${formatRatioAgainst(routedRatio, 1.7)}`,
      met: routedRatio >= 1.7,
    },
    {
      target: 'Light-query p99 under 50 ms during a login storm',
      measured: `\`me\` through the router: p99 ${formatMs(poolStorm.p99)} (${formatMs(idleLight.p99)} without a storm)`,
      met: poolStorm.p99 < 50 && poolStorm.failures === 0,
    },
  ],
};
await publish(section, run, options);
