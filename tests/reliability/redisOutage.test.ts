/**
 * Redis stops in the middle of load and comes back, with auth, math and the router as separate
 * processes sharing a redis-server of this test's own (the shared one is never touched).
 *
 * The outage itself runs once, in beforeAll: load lanes of calculations through the router,
 * Redis stopped after a second, login attempts made while it is down, Redis started again after
 * a few seconds. Each test then checks one promise, from what was recorded or by probing the
 * system now that Redis is back.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql } from '../support/graphql.js';
import type { OwnRedis } from '../support/redisServer.js';
import { waitFor } from '../support/waitFor.js';
import { calculate, failuresByReason, inLanes, type Outcome } from './support/load.js';
import { startOwnRedisSystem, type OwnRedisSystem } from './support/ownRedisSystem.js';
import type { ProcessSet } from './support/serviceProcesses.js';
import { storedLogIds } from './support/ownConnection.js';

const OUTAGE_MS = 3_000;
const LANES = 6;

let redis: OwnRedis;
let system: ProcessSet;
let router: string;
let tokens: Record<string, string>;

/** The load, and when Redis went away and came back (performance.now() times). */
let load: Outcome[];
let outage: { stoppedAt: number; restartedAt: number };
let outageLogins: string[];

/** The watcher's live feed: every logAdded input it received, and whether its socket closed. */
let received: string[];
let feedClosed: () => boolean;
let own: OwnRedisSystem;

/** `count` wrong-password logins for `username`, one after another: each one's code. */
async function wrongLogins(username: string, count: number): Promise<string[]> {
  const codes: string[] = [];
  for (let i = 0; i < count; i++) {
    const result = await gql(
      router,
      'mutation($u: String!) { login(username: $u, password: "not-the-password") { token } }',
      { u: username },
    );
    codes.push(String(result.errors?.[0]?.extensions?.['code']));
  }
  return codes;
}

/** Retries `attempt` until it returns true; resolves with the ms it took, or throws. */
async function until(attempt: () => Promise<boolean>, timeoutMs = 15_000): Promise<number> {
  const started = performance.now();
  await waitFor(async () => expect(await attempt()).toBe(true), timeoutMs);
  return performance.now() - started;
}

const calculation = (n: number) => `{ factorial(n: ${n}) { digits cached log { id } } }`;

beforeAll(async () => {
  own = await startOwnRedisSystem(['loader'], 'watcher');
  ({ redis, system, router, tokens, received, feedClosed } = own);
  // The subscription is live once an event arrives for a calculation made after it.
  await until(async () => {
    await calculate(router, tokens['watcher']!, calculation(7));
    return received.includes('{"n":7}');
  });

  let loadDone = false;
  // A small set of inputs, so that the cache answers most of them while Redis is up.
  let cachedBeforeOutage = false;
  const running = inLanes(
    LANES,
    () => loadDone,
    async (i) => {
      const outcome = await calculate(router, tokens['loader']!, calculation(100 + (i % 20)));
      if (outcome.data?.['cached'] === true) cachedBeforeOutage = true;
      return outcome;
    },
  );
  // Redis stops once the cache has answered (on a loaded machine that takes more than a second).
  await sleep(1_000);
  await waitFor(() => expect(cachedBeforeOutage).toBe(true), 60_000);
  await redis.stop();
  const stoppedAt = performance.now();
  outageLogins = await wrongLogins('outage_victim', 6);
  await sleep(Math.max(0, OUTAGE_MS - (performance.now() - stoppedAt)));
  const restartedAt = performance.now();
  await redis.start();
  outage = { stoppedAt, restartedAt };
  await sleep(1_000);
  loadDone = true;
  load = await running;
}, 120_000);

afterAll(async () => {
  await own?.close();
});

describe('Redis stops mid-load and comes back', () => {
  it('every calculation is answered through the outage, repeats from math’s own memory', async ({
    annotate,
  }) => {
    const during = load.filter(
      (o) => o.sentAt > outage.stoppedAt && o.answeredAt < outage.restartedAt,
    );
    expect(failuresByReason(load)).toEqual({});
    expect(during.length).toBeGreaterThan(0);
    // The load repeats 20 inputs: math keeps what it served in memory in front of Redis.
    const hitsDuring = during.filter((o) => o.data?.['cached'] === true).length;
    expect(hitsDuring).toBeGreaterThan(0);
    const before = load.filter((o) => o.answeredAt < outage.stoppedAt);
    expect(before.some((o) => o.data?.['cached'] === true)).toBe(true);
    await annotate(
      `measured: ${load.length} calculations in ${LANES} lanes, none failed; ${during.length} ` +
        `sent and answered during the ${OUTAGE_MS} ms outage, ${hitsDuring} of them from math's ` +
        `memory; ${before.filter((o) => o.data?.['cached']).length} of ${before.length} before it were cache hits`,
    );
  });

  it('every answered calculation has its request-log row', async () => {
    const stored = await storedLogIds(system.databaseUrl);
    const answered = load.map((o) => (o.data?.['log'] as { id: string }).id);
    expect(answered.filter((id) => !stored.has(id))).toEqual([]);
  });

  it('login failures are still counted while Redis is down: the 6th attempt is refused', () => {
    expect(outageLogins).toEqual([...Array<string>(5).fill('UNAUTHENTICATED'), 'RATE_LIMITED']);
  });

  it('results are stored in Redis again by themselves once it is back', async ({ annotate }) => {
    let n = 2000;
    const reader = new Redis(redis.url);
    const ms = await until(async () => {
      n += 1;
      const first = await calculate(router, tokens['loader']!, calculation(n));
      // In Redis, where every math instance finds it (math's own memory would answer a repeat).
      const stored = await reader.keys(`*factorial:v3:{"n":${n}}`);
      return first.data?.['cached'] === false && stored.length === 1;
    }).finally(() => reader.disconnect());
    await annotate(
      `measured: a new result was in Redis again ${ms.toFixed(0)} ms after probing began ` +
        `(${(performance.now() - outage.restartedAt).toFixed(0)} ms after Redis restarted)`,
    );
  });

  it('the subscription opened before the outage delivers new events again', async ({
    annotate,
  }) => {
    // A new calculation per attempt; any of them arriving proves delivery is back.
    const probes: string[] = [];
    let n = 3000;
    const ms = await until(async () => {
      n += 1;
      probes.push(`{"n":${n}}`);
      await calculate(router, tokens['watcher']!, calculation(n));
      return probes.some((probe) => received.includes(probe));
    });
    expect(feedClosed()).toBe(false);
    await annotate(
      `measured: events delivered again ${ms.toFixed(0)} ms after probing began ` +
        `(${(performance.now() - outage.restartedAt).toFixed(0)} ms after Redis restarted); ` +
        `the WebSocket stayed open`,
    );
  });

  it('login counters are kept in Redis again: the 6th attempt is refused, the count is in Redis', async () => {
    // Auth's Redis client reconnects on its own schedule (a loaded machine slows it): a fresh
    // victim per attempt until the counters count in Redis again.
    let victim = '';
    let attempt = 0;
    await until(async () => {
      victim = `after_victim_${attempt++}`;
      const codes = await wrongLogins(victim, 6);
      return codes.join() === [...Array<string>(5).fill('UNAUTHENTICATED'), 'RATE_LIMITED'].join();
    }, 30_000);
    expect(await own.keys(`*login-user*${victim}*`)).toHaveLength(1);
  });

  it('no process crashed, leaked listeners or logged an error, and each exits 0 on SIGTERM', async () => {
    await own.expectCleanStop();
  });
});
