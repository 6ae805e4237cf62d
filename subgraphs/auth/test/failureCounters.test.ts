/**
 * Counts read together (in one turn, as a login reads its three) are read from Redis in one
 * transaction, and each read is answered with its own counter's and key's count and window:
 * never another's, and nothing for a key with no count.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCounterStore } from '../src/accounts/failureCounters.js';

const redisUrl = process.env['REDIS_URL'];

describe.skipIf(!redisUrl)('counts read together from Redis', () => {
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(redisUrl as string, {
      keyPrefix: `test-counters-${randomBytes(4).toString('hex')}:`,
    });
  });
  afterAll(() => redis?.disconnect());

  it("answer each read with its own counter's and key's count and window", async () => {
    const store = createCounterStore(redis);
    const minute = store.counter('minute', 60);
    const hour = store.counter('hour', 3_600);
    await minute.add('a', 3);
    await minute.add('b', 5);
    await hour.add('a', 7);
    await hour.set('c', 1, 1_800);

    const reads = await Promise.all([
      hour.get('a'),
      minute.get('nobody'),
      minute.get('b'),
      hour.get('c'),
      minute.get('a'),
      hour.get('b'),
    ]);

    expect(reads.map((count) => count.value)).toEqual([7, 0, 5, 1, 3, 0]);
    const windows = reads.map((count) => Math.ceil(count.msLeft / 60_000));
    expect(windows).toEqual([60, 0, 1, 30, 1, 0]);
    expect(reads.some((count) => count.standIn)).toBe(false);
  });
});
