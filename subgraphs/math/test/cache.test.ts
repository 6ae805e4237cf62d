/**
 * The result cache through the service's HTTP API: a repeat is `cached: true` against real
 * Redis; with Redis stopped the service still answers, from its own memory what it served
 * before and uncached otherwise, warning once; when Redis is back, results are stored there
 * again by themselves. Values over MATH_CACHE_MAX_BYTES are not stored, and
 * CACHE_ENABLED=false never caches. A cached entry written without the decimal text (its request
 * did not select `result`) serves only requests that do not select it either.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { factorial } from '../src/kernels/factorial.js';
import { metricValue, newCaller, redisUrl, startMath, type RunningMath } from './mathService.js';
import { startOwnRedis, type OwnRedis } from '../../../tests/support/redisServer.js';
import { waitFor } from '../../../tests/support/waitFor.js';

const caller = newCaller('cache');

async function cachedFlags(math: RunningMath, query: string, times: number): Promise<boolean[]> {
  const flags: boolean[] = [];
  for (let i = 0; i < times; i++) {
    const { body } = await math.call(query, {}, caller);
    expect(body.errors).toBeUndefined();
    flags.push(Object.values(body.data ?? {})[0].cached as boolean);
  }
  return flags;
}

describe.each([
  { backend: 'Redis', skip: !redisUrl },
  { backend: 'in-memory LRU', skip: false },
])('the $backend cache', ({ backend, skip }) => {
  let math: RunningMath;
  const prefix = `test-math-${randomBytes(4).toString('hex')}:`;

  beforeAll(async () => {
    if (skip) return;
    math = await startMath({
      env: {
        ...(backend === 'Redis' ? { REDIS_URL: redisUrl as string, REDIS_KEY_PREFIX: prefix } : {}),
        MATH_CACHE_MAX_BYTES: '2000',
      },
    });
  });
  afterAll(async () => {
    await math?.stop();
  });

  it.skipIf(skip)('answers a repeat from the cache', async () => {
    expect(await cachedFlags(math, '{ factorial(n: 300) { digits cached } }', 3)).toEqual([
      false,
      true,
      true,
    ]);
  });

  // An answer that is a terminating decimal is the same at every precision: asked again at
  // another, it is a cache hit (an outside probe saw 4^(1/2) computed once per precision).
  it.skipIf(skip)('answers a terminating power from the cache at any precision', async () => {
    const flags = [];
    for (const precision of [3, 9, 50]) {
      const { body } = await math.call(
        `{ power(base: 4, exponent: "1/2", precision: ${precision}) { result exact cached input } }`,
        {},
        caller,
      );
      expect(body.data?.['power']).toMatchObject({
        result: '2',
        exact: true,
        input: '{"base":"4","exponent":"0.5"}',
      });
      flags.push(body.data?.['power'].cached);
    }
    expect(flags).toEqual([false, true, true]);
  });

  it.skipIf(skip)('does not store a value over MATH_CACHE_MAX_BYTES', async () => {
    // 1000! has 2568 digits: its text alone is over the 2000 bytes allowed here.
    const query = '{ factorial(n: 1000) { result cached } }';
    expect(await cachedFlags(math, query, 2)).toEqual([false, false]);
  });

  it.skipIf(skip)(
    'serves a text-less entry only to requests that do not select result',
    async () => {
      const other = await startMath({
        env: backend === 'Redis' ? { REDIS_URL: redisUrl as string, REDIS_KEY_PREFIX: prefix } : {},
      });
      try {
        const digitsOnly = '{ factorial(n: 5000) { digits cached } }';
        const withText = '{ factorial(n: 5000) { result cached } }';
        expect(await cachedFlags(other, digitsOnly, 2)).toEqual([false, true]);
        // The stored entry has no text: the first request for it computes, then it is cached.
        expect(await cachedFlags(other, withText, 2)).toEqual([false, true]);
        expect(await cachedFlags(other, digitsOnly, 1)).toEqual([true]);
        const { body } = await other.call(withText, {}, caller);
        expect(body.data?.['factorial'].result).toBe(factorial(5000).toString());
      } finally {
        await other.stop();
      }
    },
  );

  // Only the Redis backend has keys to inspect; the in-memory variant has no such test at all.
  const redisOnly = backend === 'Redis' ? it.skipIf(skip) : () => undefined;
  redisOnly('stores under the configured prefix, with a versioned key and a TTL', async () => {
    const redis = new Redis(redisUrl as string);
    try {
      const key = `${prefix}factorial:v3:{"n":300}`;
      expect(JSON.parse((await redis.get(key)) as string)).toMatchObject({ digits: 615 });
      const ttl = await redis.ttl(key);
      expect(ttl).toBeGreaterThan(7 * 24 * 3600 - 60);
      expect(ttl).toBeLessThanOrEqual(7 * 24 * 3600);
    } finally {
      await redis.quit();
    }
  });
});

describe.skipIf(!redisUrl)('math instances sharing Redis', () => {
  it('finds another instance’s result in Redis, then in its own memory, and counts which', async () => {
    const prefix = `test-tiers-${randomBytes(4).toString('hex')}:`;
    const env = { REDIS_URL: redisUrl as string, REDIS_KEY_PREFIX: prefix };
    const [first, second] = await Promise.all([startMath({ env }), startMath({ env })]);
    try {
      const query = '{ factorial(n: 400) { result cached } }';
      expect(await cachedFlags(first, query, 1)).toEqual([false]);
      const before = await second.metrics();
      expect(await cachedFlags(second, query, 2)).toEqual([true, true]);
      const after = await second.metrics();
      const found = (tier: string) =>
        metricValue(after, 'math_cache_found_total', { tier }) -
        metricValue(before, 'math_cache_found_total', { tier });
      expect([found('shared'), found('near')]).toEqual([1, 1]);
    } finally {
      await Promise.all([first.stop(), second.stop()]);
    }
  });
});

describe('CACHE_ENABLED=false', () => {
  it('never answers from the cache', async () => {
    const math = await startMath({ env: { CACHE_ENABLED: 'false' } });
    try {
      expect(await cachedFlags(math, '{ fibonacci(n: 90) { digits cached } }', 3)).toEqual([
        false,
        false,
        false,
      ]);
    } finally {
      await math.stop();
    }
  });
});

describe('when Redis stops and comes back', () => {
  let redis: OwnRedis;
  let math: RunningMath;
  const lines: Array<{ level: number; msg: string }> = [];

  beforeAll(async () => {
    redis = await startOwnRedis();
    const logger = pino(
      { level: 'info' },
      { write: (line: string) => lines.push(JSON.parse(line)) },
    );
    math = await startMath({ env: { REDIS_URL: redis.url }, logger });
  });
  afterAll(async () => {
    await math?.stop();
    await redis?.stop();
  });

  it('answers from its own memory while it is down, warns once, and stores in Redis again once it is back', async ({
    annotate,
  }) => {
    const query = (n: number) => `{ factorial(n: ${n}) { result cached } }`;
    expect(await cachedFlags(math, query(30), 2)).toEqual([false, true]);

    await redis.stop();
    // What this instance served before, and what it computes meanwhile, it keeps in memory.
    expect(await cachedFlags(math, query(30), 1)).toEqual([true]);
    const outage = await cachedFlags(math, query(31), 5);
    expect(outage).toEqual([false, true, true, true, true]);
    expect(await math.ready()).toBe(200);
    const warnings = lines.filter((l) => l.level === 40).map((l) => l.msg);
    expect(warnings.filter((m) => m.startsWith('result cache unavailable'))).toHaveLength(1);
    expect(new Set(warnings).size).toBe(warnings.length); // nothing repeats per request

    await redis.start();
    const restarted = performance.now();
    // The client reconnects on its own (retrying every ≤ 2 s); no restart of the service. A new
    // result is then in Redis, where every instance finds it.
    const reader = new Redis(redis.url);
    try {
      let n = 32;
      await waitFor(async () => {
        expect(await cachedFlags(math, query(n), 1)).toEqual([false]);
        expect(await reader.keys(`*factorial:v3:{"n":${n++}}`)).toHaveLength(1);
      }, 20_000);
    } finally {
      reader.disconnect();
    }
    await annotate(
      `measured: results stored in Redis again ${(performance.now() - restarted).toFixed(0)} ms after Redis ` +
        `restarted; warnings during the outage: ${JSON.stringify(warnings)}`,
    );
    expect(lines.filter((l) => l.msg === 'result cache available again')).toHaveLength(1);
  });
});
