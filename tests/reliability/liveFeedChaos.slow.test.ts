/**
 * The live feed under faults, with every service a process of its own: 1 auth, 2 math instances
 * and 2 routers (each given both math URLs), a Redis of the test's own and a scratch PostgreSQL
 * database. 10 users × 10 graphql-ws subscribers, spread over both routers, behave as the web
 * app does: each remembers the newest log it received and, when its socket closes, reconnects
 * to the other router with `logAdded(after: lastId)`, dropping the logs it already has by id (a
 * resumed feed replays the few seconds before its cursor, in case one was published late). A steady load of calculations
 * (distinct inputs, so each answer is a new log) from the 10 users goes through both routers,
 * retried as the web app retries a retryable refusal or a lost connection, while in turn:
 * Redis is stopped for 15 s and started again, a router is SIGKILLed, a math instance is
 * SIGKILLed. At the end each subscriber must have received every `ok` log of its user, each
 * once, counted by log id: the answered calculations' and nothing else. Each calculation is sent
 * with an `Idempotency-Key` kept across its attempts, as the web app does, so one whose answer
 * went down with the killed router (math had committed it; the caller saw its connection fail
 * and sent it again through the other router) answers again with the same log: each answered
 * calculation has exactly one row, and there is no other.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from 'graphql-ws';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { signUp, subscriptionsOpen, wsClient, type Account } from '../support/graphql.js';
import {
  createScratchDatabase,
  testDatabaseUrl,
  type ScratchDatabase,
} from '../support/postgres.js';
import type { ServiceProcess } from '../support/processes.js';
import { startOwnRedis, type OwnRedis } from '../support/redisServer.js';
import { calculate, failuresByReason, type Outcome } from './support/load.js';
import { processSet, type ProcessSet } from './support/serviceProcesses.js';

const USERS = 10;
const SUBSCRIBERS_PER_USER = 10;
/** Calculations started per second, over both routers. */
const RATE = 25;
const REDIS_DOWN_MS = 15_000;
/** Steady load before the first fault, between faults once caught up, and after the last. */
const STEADY_MS = 4_000;
/** Attempts per calculation before the test counts it as not answered. */
const ATTEMPTS = 8;
/** Codes by which the services refuse before any work, with a hint to come back. */
const RETRYABLE_CODES = new Set(['SERVICE_UNAVAILABLE', 'RATE_LIMITED']);
/**
 * What fetch reports for a connection that failed (a router gone): the web app tries again. All
 * but a refused connection may have carried the request to a router that got as far as math.
 */
const NETWORK_FAILURES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'EPIPE',
  'TypeError',
]);

interface User extends Account {
  /** The log the subscribers start after: every later log must reach them. */
  seedLogId: string;
  /** Ids of the user's answered calculations since the seed. */
  answered: Set<string>;
}

/** One graphql-ws subscriber, reconnecting as the web app's live connection does. */
class Subscriber {
  /** Each log once, by id, in the order they first arrived. */
  received: string[] = [];
  /** Logs that arrived again (a resumed feed's window before its cursor): dropped, as the web app does. */
  repeats = 0;
  /**
   * Logs that arrived again on the same subscription, which remembers what it delivered
   * (router/src/subscriptions/deliveredLogs.ts): only a resumed feed may repeat one.
   */
  repeatsWithinSubscription = 0;
  lastId: string;
  /** The newest log held, by (createdAt, id): the cursor of the next resume. */
  private newest: { createdAt: number; id: string } | undefined;
  private readonly held: Set<string>;
  reconnects = 0;
  /** Errors the server sent on the subscription (never expected). */
  errors: string[] = [];
  connected = false;
  private client: Client | undefined;
  private stopped = false;

  constructor(
    readonly user: User,
    /** The router it is (or will next be) connected to. */
    public router: number,
    private readonly routers: () => number[],
  ) {
    this.lastId = user.seedLogId;
    this.held = new Set([user.seedLogId]);
  }

  connect(): void {
    if (this.stopped) return;
    const client = wsClient(system.routerUrls[this.router] as string, this.user.token);
    this.client = client;
    let ended = false;
    const reconnect = () => {
      if (ended || this.stopped) return;
      ended = true;
      this.connected = false;
      void client.dispose();
      this.reconnects++;
      const alive = this.routers();
      this.router = alive.find((r) => r !== this.router) ?? alive[0] ?? this.router;
      // The web app's live connection waits 0.5 s plus up to 0.5 s of jitter before its first
      // attempt: client behaviour, not a wait of the test.
      void sleep(500 + Math.random() * 500).then(() => this.connect());
    };
    const delivered = new Set<string>();
    client.on('connected', () => (this.connected = true));
    client.on('closed', reconnect);
    client.subscribe<{ logAdded: { id: string; createdAt: string } }>(
      {
        query: 'subscription($after: ID) { logAdded(after: $after) { id createdAt } }',
        variables: { after: this.lastId },
      },
      {
        next: ({ data, errors }) => {
          if (data) {
            if (delivered.has(data.logAdded.id)) this.repeatsWithinSubscription++;
            delivered.add(data.logAdded.id);
            this.hold(data.logAdded);
          }
          if (errors) this.errors.push(JSON.stringify(errors));
        },
        error: (error) => {
          if (Array.isArray(error)) this.errors.push(JSON.stringify(error));
          reconnect();
        },
        complete: () => {
          // Disposing of a closed client completes its subscriptions too: only a completion
          // while the socket is open is the server's.
          if (!ended && !this.stopped) this.errors.push('completed by the server');
          reconnect();
        },
      },
    );
  }

  /** Keeps a log it does not have yet, and the newest one's id as the cursor to resume after. */
  private hold(log: { id: string; createdAt: string }): void {
    if (this.held.has(log.id)) {
      this.repeats++;
      return;
    }
    this.held.add(log.id);
    this.received.push(log.id);
    const createdAt = Date.parse(log.createdAt);
    const newer =
      !this.newest ||
      createdAt > this.newest.createdAt ||
      (createdAt === this.newest.createdAt && log.id > this.newest.id);
    if (!newer) return;
    this.newest = { createdAt, id: log.id };
    this.lastId = log.id;
  }

  /** Ids of its user's answered calculations not (yet) received. */
  missing(of: Iterable<string> = this.user.answered): string[] {
    const received = new Set(this.received);
    return [...of].filter((id) => !received.has(id));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.client?.dispose();
  }
}

const skip = !testDatabaseUrl ? 'needs TEST_DATABASE_URL' : false;

let system: ProcessSet;
let redis: OwnRedis;
let database: ScratchDatabase;
const users: User[] = [];
const subscribers: Subscriber[] = [];
const outcomes: Array<Outcome & { user: User; n: number; attempts: number; inDoubt: number }> = [];
/** The `ok` rows of the scratch database once the load has stopped and the feeds settled. */
let stored: Array<{ id: string; user_id: string; input: string }> = [];
/** Which routers a client may use: a killed one is left out once its clients notice. */
const routersAlive = [true, true];
const aliveRouters = () => [0, 1].filter((r) => routersAlive[r]);
let maths: ServiceProcess[];
let routers: ServiceProcess[];
const figures: Record<string, string | number> = {};

/** A calculation as the web app makes it: retried on a retryable refusal or a lost connection. */
async function calculation(i: number): Promise<void> {
  const user = users[i % USERS] as User;
  // A new argument every time: every answer is a new log, never two of one input.
  const n = 1_000 + i;
  let router = i % 2;
  let outcome: Outcome = { sentAt: 0, answeredAt: 0 };
  let attempt = 1;
  /** Attempts whose connection failed after the request may have reached a router. */
  let inDoubt = 0;
  // One key for every attempt of this calculation: math logs them once.
  const idempotencyKey = randomUUID();
  for (; attempt <= ATTEMPTS; attempt++) {
    if (!routersAlive[router]) router = aliveRouters()[0] as number;
    outcome = await calculate(
      system.routerUrls[router] as string,
      user.token,
      `{ fibonacci(n: ${n}) { digits log { id } } }`,
      { 'Idempotency-Key': idempotencyKey },
    );
    if (outcome.data) break;
    const failure = outcome.failure ?? '';
    if (NETWORK_FAILURES.has(failure)) {
      if (failure !== 'ECONNREFUSED') inDoubt++;
      router = 1 - router; // the other router, as a load balancer would send the next attempt
      continue;
    }
    if (!RETRYABLE_CODES.has(failure)) break;
    await sleep(500 + Math.random() * 500);
  }
  const log = (outcome.data?.['log'] as { id: string } | undefined)?.id;
  if (log) user.answered.add(log);
  outcomes.push({ ...outcome, user, n, attempts: attempt, inDoubt });
}

/** Starts RATE calculations a second until `stop()`; resolves once the last one has ended. */
function steadyLoad(): { stop: () => Promise<void> } {
  let stopped = false;
  const inFlight = new Set<Promise<void>>();
  const started = performance.now();
  const running = (async () => {
    for (let i = 0; !stopped; i++) {
      const due = started + (i * 1_000) / RATE;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait); // pacing of the load, not a wait for the system
      const call = calculation(i).finally(() => inFlight.delete(call));
      inFlight.add(call);
    }
    await Promise.all(inFlight);
  })();
  return {
    stop: async () => {
      stopped = true;
      await running;
    },
  };
}

const answeredCount = () => users.reduce((sum, u) => sum + u.answered.size, 0);

/** The seed calculations' log ids: made before the subscribers, never delivered to them. */
const seedIds = new Set<string>();

/** Every `ok` row of the scratch database. */
async function okRows(): Promise<typeof stored> {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    const { rows } = await client.query<(typeof stored)[number]>(
      "select id, user_id, input from request_log where status = 'ok'",
    );
    return rows;
  } finally {
    await client.end();
  }
}

/** Answered ids of every user, as of now. */
const answeredNow = () => new Map(users.map((u) => [u, new Set(u.answered)]));

/** Resolves (with the ms it took) once every subscriber holds every log in `snapshot`. */
async function deliveredAll(snapshot: Map<User, Set<string>>, timeout = 60_000): Promise<number> {
  const from = performance.now();
  await vi.waitFor(
    () => {
      const behind = subscribers
        .map((s, index) => ({ index, router: s.router, missing: s.missing(snapshot.get(s.user)) }))
        .filter(({ missing }) => missing.length > 0);
      expect(behind, `${behind.length} subscribers behind`).toEqual([]);
    },
    { timeout, interval: 50 },
  );
  return performance.now() - from;
}

describe.skipIf(skip)('live feed: Redis outage, router killed, math instance killed', () => {
  beforeAll(async () => {
    database = await createScratchDatabase();
    redis = await startOwnRedis();
    system = await processSet({
      databaseUrl: database.url,
      redisUrl: redis.url,
      mathInstances: 2,
      routerInstances: 2,
    });
    // A loaded machine must not turn a slow answer into COMPUTATION_TIMEOUT here.
    const slowOk = { MATH_TIMEOUT_MS: '60000' };
    await system.start('auth');
    maths = await Promise.all([system.startMath(0, slowOk), system.startMath(1, slowOk)]);
    const routerEnv = {
      ROUTER_RATE_LIMIT_PER_MINUTE: '1000000',
      ROUTER_SUBGRAPH_TIMEOUT_MS: '70000',
    };
    routers = await Promise.all([
      system.startRouter(0, routerEnv),
      system.startRouter(1, routerEnv),
    ]);
    for (let u = 0; u < USERS; u++) {
      const account = await signUp(system.routerUrls[u % 2] as string, `chaos_${u}`);
      const seed = await calculate(
        system.routerUrls[u % 2] as string,
        account.token,
        `{ fibonacci(n: ${u + 10}) { log { id } } }`,
      );
      const seedLogId = (seed.data?.['log'] as { id: string } | undefined)?.id;
      if (!seedLogId) throw new Error(`seed calculation: ${JSON.stringify(seed)}`);
      users.push({ ...account, seedLogId, answered: new Set() });
      seedIds.add(seedLogId);
    }
    for (let s = 0; s < USERS * SUBSCRIBERS_PER_USER; s++) {
      const subscriber = new Subscriber(users[s % USERS] as User, s % 2, aliveRouters);
      subscribers.push(subscriber);
      subscriber.connect();
    }
    const half = (USERS * SUBSCRIBERS_PER_USER) / 2;
    await Promise.all(system.routerUrls.map((url) => subscriptionsOpen(url, half)));
  }, 120_000);

  afterAll(async () => {
    await Promise.all(subscribers.map((s) => s.stop()));
    await system?.close();
    await redis?.stop();
    await database?.drop();
  });

  it('delivers every logged calculation, answered ones included, to every subscriber of its user exactly once', async ({
    annotate,
  }) => {
    const startedAt = performance.now();
    const load = steadyLoad();
    await sleep(STEADY_MS);

    // (1) Redis away for 15 s: calculations go on, their events are lost on the bus; the
    // routers catch their subscribers up from the database when it is back.
    const answeredBeforeOutage = answeredCount();
    await redis.stop();
    await sleep(REDIS_DOWN_MS);
    await redis.start();
    figures['answeredDuringOutage'] = answeredCount() - answeredBeforeOutage;
    figures['redisCatchUpMs'] = Math.round(await deliveredAll(answeredNow()));
    await sleep(STEADY_MS);

    // (2) A router killed: its subscribers reconnect to the other one from their last log;
    // calculations that were on their way through it are sent again through the other.
    const moved = subscribers
      .filter((s) => s.router === 1)
      .map((s) => ({ s, reconnects: s.reconnects }));
    routersAlive[1] = false;
    const routerKilledAt = performance.now();
    await (routers[1] as ServiceProcess).stop('SIGKILL');
    const routerKilled = answeredNow();
    await vi.waitFor(
      () =>
        expect(
          moved.filter(({ s, reconnects }) => s.reconnects === reconnects || !s.connected).length,
        ).toBe(0),
      { timeout: 30_000, interval: 50 },
    );
    const subscribersMoved = moved.length;
    figures['reconnectMs'] = Math.round(performance.now() - routerKilledAt);
    await deliveredAll(routerKilled);
    figures['routerCatchUpMs'] = Math.round(performance.now() - routerKilledAt);
    figures['subscribersMoved'] = subscribersMoved;
    await sleep(STEADY_MS);

    // (3) A math instance killed: the calls in flight on it fail over to the other instance.
    const beforeMathKill = outcomes.length;
    await (maths[1] as ServiceProcess).stop('SIGKILL');
    figures['mathCatchUpMs'] = Math.round(await deliveredAll(answeredNow()));
    await sleep(STEADY_MS);
    await load.stop();
    figures['loadSeconds'] = Math.round((performance.now() - startedAt) / 1000);
    figures['afterMathKill'] = outcomes.length - beforeMathKill;

    // The feeds settle: every answered calculation reaches every subscriber (or the wait ends
    // and the assertions below list what is missing).
    await deliveredAll(answeredNow(), 30_000).catch(() => undefined);
    stored = await okRows();
    // What each subscriber must hold: every `ok` row of its user since the seed. That is every
    // answered calculation, and nothing else (the second test checks: a calculation whose answer
    // was lost with a killed router was sent again with its key and answered with its row).
    const logged = new Map(users.map((u) => [u.id, new Set<string>()]));
    for (const row of stored) if (!seedIds.has(row.id)) logged.get(row.user_id)?.add(row.id);

    const answered = answeredCount();
    const delivered = subscribers.reduce((sum, s) => sum + s.received.length, 0);
    // Logs that arrived again (the window a resumed feed replays), dropped by id.
    const repeats = subscribers.reduce((sum, s) => sum + s.repeats, 0);
    const repeatsWithinSubscription = subscribers.reduce(
      (sum, s) => sum + s.repeatsWithinSubscription,
      0,
    );
    const missing = subscribers.reduce((sum, s) => sum + s.missing().length, 0);
    // Rows beyond the answered calculations: each a second log of one calculation (0 with the key).
    const answerLost = stored.length - seedIds.size - answered;
    const notAnswered = outcomes.filter((o) => !o.data);
    Object.assign(figures, {
      calculations: outcomes.length,
      answered,
      notAnswered: JSON.stringify(failuresByReason(notAnswered)),
      retried: outcomes.filter((o) => o.attempts > 1).length,
      inDoubt: outcomes.filter((o) => o.inDoubt > 0).length,
      answerLost,
      delivered,
      reconnects: subscribers.reduce((sum, s) => sum + s.reconnects, 0),
      repeats,
      repeatsWithinSubscription,
      missing,
    });
    await annotate(`measured: ${JSON.stringify(figures)}`);

    for (const [index, subscriber] of subscribers.entries()) {
      expect([...subscriber.received].sort(), `subscriber ${index}`).toEqual(
        [...(logged.get(subscriber.user.id) as Set<string>)].sort(),
      );
      expect(subscriber.errors, `subscriber ${index}`).toEqual([]);
    }
    // Repeats come only from resumed feeds, each a new subscription with its own memory.
    expect(repeatsWithinSubscription).toBe(0);
    expect(answered).toBeGreaterThan(RATE * 20);
    // The load went on through each fault, so it spans them all.
    expect(figures['afterMathKill']).toBeGreaterThan(RATE);
  });

  it('stored exactly one row for each answered calculation, and no other', () => {
    const answeredIds = new Set(users.flatMap((u) => [...u.answered, u.seedLogId]));
    // Every answered log id is a row (ids are the primary key: once)…
    const storedIds = new Set(stored.map((row) => row.id));
    expect([...answeredIds].filter((id) => !storedIds.has(id))).toEqual([]);
    // …and there is no other `ok` row: a calculation sent again after its connection failed
    // (math may have committed it, its answer gone with the killed router) carried the same
    // Idempotency-Key, and was answered with the row of its first attempt.
    expect(stored.filter((row) => !answeredIds.has(row.id))).toEqual([]);
  });
});
