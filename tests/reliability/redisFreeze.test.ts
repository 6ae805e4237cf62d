/**
 * Redis freezes (SIGSTOP: its connections stay open, every command waits unanswered) and thaws,
 * with auth, math and the router as separate processes sharing a redis-server of this test's
 * own. A Redis that refuses connections costs nothing (commands fail at once); a frozen one
 * would make every Redis call wait out its command timeout, so each connection stops asking it
 * after its first timeout and probes it in the background until it answers again.
 *
 * The freeze runs once, in beforeAll: calculations one after another, a logout, then a thaw.
 * Each test then checks one promise, from what was recorded or by probing the system now.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, gql, subscriptionsOpen } from '../support/graphql.js';
import type { OwnRedis } from '../support/redisServer.js';
import { waitFor } from '../support/waitFor.js';
import { calculate, type Outcome } from './support/load.js';
import { startOwnRedisSystem, type OwnRedisSystem } from './support/ownRedisSystem.js';
import type { ProcessSet, ServiceName } from './support/serviceProcesses.js';

/** createRedis's command timeout (packages/shared/src/redis.ts). */
const COMMAND_TIMEOUT_MS = 500;
/** Calculations sent one after another while Redis is frozen, after the first one. */
const SEQUENTIAL = 20;

let redis: OwnRedis;
let system: ProcessSet;
let router: string;
let tokens: Record<string, string>;

/** The watcher's live feed: every logAdded input it received, and whether its socket closed. */
let received: string[];
let feedClosed: () => boolean;
let own: OwnRedisSystem;

/** What happened while Redis was frozen. */
let first: Outcome;
let frozen: Outcome[];
let logout: { ms: number; answer: unknown };

const calculation = (n: number) => `{ factorial(n: ${n}) { digits cached log { id } } }`;
const ms = (o: Outcome) => o.answeredAt - o.sentAt;
/** The messages `service` logged so far about its Redis connection `connection`. */
function redisLog(service: ServiceName, connection: string): string[] {
  return system
    .output(service)
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { redis?: string; msg?: string })
    .filter((line) => line.redis === connection)
    .map((line) => line.msg ?? '');
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1] ?? 0;

beforeAll(async () => {
  own = await startOwnRedisSystem(['leaver'], 'watcher');
  ({ redis, system, router, tokens, received, feedClosed } = own);
  await subscriptionsOpen(router, 1);
  const warm = await calculate(router, tokens['watcher']!, calculation(7));
  expect(warm.data).toBeDefined();
  await waitFor(() => expect(received).toContain('{"n":7}'));

  redis.freeze();
  try {
    // The first calculation may wait out the command timeout of each connection it uses.
    first = await calculate(router, tokens['watcher']!, calculation(1000));
    frozen = [];
    for (let i = 1; i <= SEQUENTIAL; i++)
      frozen.push(await calculate(router, tokens['watcher']!, calculation(1000 + i)));
    const started = performance.now();
    const answer = await gql(router, 'mutation { logout }', {}, bearer(tokens['leaver']!));
    logout = { ms: performance.now() - started, answer: answer.data };
  } finally {
    redis.thaw();
  }
}, 180_000);

afterAll(async () => {
  await own?.close();
});

describe('Redis freezes (accepts commands, never answers) and thaws', () => {
  it('after the first timeout, calculations are answered without waiting for Redis', async ({
    annotate,
  }) => {
    const times = frozen.map(ms);
    const total = times.reduce((sum, t) => sum + t, 0);
    await annotate(
      `measured: first calculation after the freeze ${ms(first).toFixed(0)} ms; the next ` +
        `${SEQUENTIAL} one after another: median ${median(times).toFixed(0)} ms, total ` +
        `${total.toFixed(0)} ms, ${times.filter((t) => t < COMMAND_TIMEOUT_MS).length} of them ` +
        `under the ${COMMAND_TIMEOUT_MS} ms command timeout; logout ${logout.ms.toFixed(0)} ms`,
    );
    expect(first.data).toBeDefined();
    expect(frozen.filter((o) => !o.data)).toEqual([]);
    // Each of them makes several Redis calls (cache read and write, lease, publish, revocation
    // check): waiting for Redis, each would take a command timeout at least. A process whose
    // connections the first did not use (the router may have had what it needed in memory) may
    // wait one timeout, once.
    expect(total).toBeLessThan((SEQUENTIAL * COMMAND_TIMEOUT_MS) / 2);
    expect(times.filter((t) => t < COMMAND_TIMEOUT_MS).length).toBeGreaterThan(SEQUENTIAL / 2);
    expect(logout.answer).toEqual({ logout: true });
  });

  it('math’s cache connection said when it stopped asking Redis and when it asked again', async () => {
    await waitFor(() =>
      expect(redisLog('math', 'cache')).toEqual(
        expect.arrayContaining([
          'Redis not answering; falling back until it does',
          'Redis answering again',
        ]),
      ),
    );
  });

  it('every event of a calculation made while Redis was frozen reaches the open subscription', async () => {
    const inputs = [first, ...frozen].map((_, i) => `{"n":${1000 + i}}`);
    await waitFor(() => expect(inputs.filter((input) => !received.includes(input))).toEqual([]));
    expect(feedClosed()).toBe(false);
  });

  it('results are stored in Redis again once it thaws', async () => {
    const reader = new Redis(redis.url);
    try {
      let n = 2000;
      await waitFor(async () => {
        n += 1;
        const result = await calculate(router, tokens['watcher']!, calculation(n));
        expect(result.data?.['cached']).toBe(false);
        // In Redis, where every math instance finds it (math's own memory would answer a repeat).
        expect(await reader.keys(`*factorial:v3:{"n":${n}}`)).toHaveLength(1);
      });
    } finally {
      reader.disconnect();
    }
  });

  it('the logout made while Redis was frozen is delivered: the token is refused, and in Redis', async () => {
    await waitFor(async () => {
      const me = await gql(router, '{ me { id } }', {}, bearer(tokens['leaver']!));
      expect(me.status).toBe(401);
    });
    expect(await own.keys('*revoked-token:*')).not.toEqual([]);
  });

  it('no process crashed, leaked listeners or logged an error, and each exits 0 on SIGTERM', async () => {
    await own.expectCleanStop();
  });
});
