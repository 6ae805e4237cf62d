/**
 * Identical computations in flight are computed once for everyone (issue 18): ten users asking
 * for the same uncached factorial at the same moment cause one computation and ten log rows;
 * two math instances sharing Redis compute it once between them; a caller that goes away does
 * not fail the others; an owner that died (its lease left to expire) does not leave its waiters
 * hanging.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { leaseKey } from '../src/calculations/sharedComputation.js';
import { cacheKey } from '../src/cache/resultCache.js';
import {
  metricValue,
  newCaller,
  redisUrl,
  routerHeaders,
  startMath,
  type RunningMath,
} from './mathService.js';
import { waitFor } from '../../../tests/support/waitFor.js';

const computations = async (math: RunningMath) =>
  metricValue(await math.metrics(), 'math_computations_total', { operation: 'FACTORIAL' });

describe('in one process (no cache at all, so only sharing can save the work)', () => {
  let math: RunningMath;
  beforeAll(async () => {
    // A deadline far past these computations' few seconds: on a loaded machine 2,000,000! took
    // past the default 10 s, and this file is about sharing, not deadlines.
    math = await startMath({
      env: { CACHE_ENABLED: 'false', MATH_MAX_DIGITS: '20000000', MATH_TIMEOUT_MS: '60000' },
    });
  });
  afterAll(async () => {
    await math?.stop();
  });

  it('computes ten identical requests from ten users once, and logs and answers each', async () => {
    const before = await computations(math);
    const callers = Array.from({ length: 10 }, () => newCaller('same'));
    const answers = await Promise.all(
      callers.map((caller) => math.call('{ factorial(n: 100000) { result digits } }', {}, caller)),
    );
    expect((await computations(math)) - before).toBe(1);
    for (const { body } of answers) {
      expect(body.errors ?? []).toEqual([]);
      expect(body.data?.['factorial'].digits).toBe(456574);
      expect(body.data?.['factorial'].result).toBe(answers[0]?.body.data?.['factorial'].result);
    }
    for (const caller of callers) {
      const rows = await math.logRows({ userId: caller.id });
      expect(rows.map((r) => [r.status, r.digits])).toEqual([['ok', 456574]]);
    }
  });

  it('lets every field of a many-field operation listen to its one request signal, no leak warning', async () => {
    // Each calculation waits on the request's signal; 25 aliased fields are 25 listeners on it,
    // each removed when its field settles. Node warns past 10 on one signal, as for a leak.
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);
    process.on('warning', onWarning);
    try {
      const fields = Array.from(
        { length: 25 },
        (_, i) => `f${i}: factorial(n: ${3000 + i}) { digits }`,
      );
      const { body } = await math.call(`{ ${fields.join(' ')} }`, {}, newCaller('many'));
      expect(body.errors ?? []).toEqual([]);
      expect(Object.keys(body.data ?? {})).toHaveLength(25);
      // Warnings are emitted on a later tick of the process.
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.filter((w) => w.startsWith('MaxListenersExceededWarning'))).toEqual([]);
  });

  it('keeps computing for the others when one caller goes away', async () => {
    const query = '{ factorial(n: 2000000) { digits } }';
    const before = await computations(math);
    const [leaving, ...staying] = Array.from({ length: 3 }, () => newCaller('leave'));
    const controller = new AbortController();
    const left = fetch(math.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...routerHeaders(leaving ?? null) },
      body: JSON.stringify({ query }),
      signal: controller.signal,
    }).catch((error: Error) => error.name);
    const others = staying.map((caller) => math.call(query, {}, caller));
    await vi.waitFor(
      async () => expect(metricValue(await math.metrics(), 'math_pool_pending_tasks')).toBe(1),
      { timeout: 10_000, interval: 5 },
    );
    controller.abort();
    expect(await left).toBe('AbortError');
    for (const { body } of await Promise.all(others)) {
      expect(body.errors ?? []).toEqual([]);
      expect(body.data?.['factorial'].digits).toBe(11733475);
    }
    expect((await computations(math)) - before).toBe(1);
    await waitFor(async () =>
      expect((await math.logRows({ userId: leaving?.id })).map((r) => r.status)).toEqual([
        'CANCELLED',
      ]),
    );
  });

  it('stops the computation once every caller has gone', async () => {
    const query = '{ factorial(n: 2100000) { digits } }';
    const controllers = [new AbortController(), new AbortController()];
    const calls = controllers.map((controller) =>
      fetch(math.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...routerHeaders(newCaller('gone')) },
        body: JSON.stringify({ query }),
        signal: controller.signal,
      }).catch(() => undefined),
    );
    await vi.waitFor(
      async () => expect(metricValue(await math.metrics(), 'math_pool_pending_tasks')).toBe(1),
      { timeout: 10_000, interval: 5 },
    );
    controllers.forEach((c) => c.abort());
    await Promise.all(calls);
    await waitFor(async () => {
      const text = await math.metrics();
      expect(metricValue(text, 'math_pool_pending_tasks')).toBe(0);
      expect(
        metricValue(text, 'math_computations_total', { operation: 'FACTORIAL', outcome: 'failed' }),
      ).toBe(1);
    });
  });
});

describe.skipIf(!redisUrl)('across two math instances sharing Redis', () => {
  const prefix = `test-shared-${randomBytes(4).toString('hex')}:`;
  let a: RunningMath;
  let b: RunningMath;
  let redis: Redis;
  beforeAll(async () => {
    const env = { REDIS_URL: redisUrl as string, REDIS_KEY_PREFIX: prefix };
    [a, b] = await Promise.all([startMath({ env }), startMath({ env })]);
    redis = new Redis(redisUrl as string, { keyPrefix: prefix });
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await redis?.quit();
  });

  const both = async () => (await computations(a)) + (await computations(b));

  it('computes identical requests on both instances once', async () => {
    const before = await both();
    const query = '{ factorial(n: 150000) { result digits } }';
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).call(query, {}, newCaller('two'))),
    );
    expect((await both()) - before).toBe(1);
    const results = new Set(answers.map(({ body }) => body.data?.['factorial'].result));
    expect(results.size).toBe(1);
    expect(answers.every(({ body }) => body.data?.['factorial'].digits === 711273)).toBe(true);
  });

  it('takes over from an owner that died once its lease expires', async () => {
    // An instance that took the lease and then died: nobody renews or releases it.
    const key = cacheKey('FACTORIAL', '{"n":4321}');
    await redis.set(leaseKey(key, true), 'dead-owner', 'PX', 1_500);
    const before = await both();
    const callers = Array.from({ length: 4 }, () => newCaller('orphan'));
    const answers = await Promise.all(
      callers.map((caller, i) =>
        (i % 2 ? a : b).call('{ factorial(n: 4321) { result cached } }', {}, caller),
      ),
    );
    for (const { body } of answers) {
      expect(body.errors ?? []).toEqual([]);
      expect(body.data?.['factorial'].result).toMatch(/^\d{13835}$/);
    }
    expect((await both()) - before).toBe(1);
    expect(await redis.exists(leaseKey(key, true))).toBe(0);
  });
});
