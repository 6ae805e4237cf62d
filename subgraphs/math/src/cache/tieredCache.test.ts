/**
 * The instance's own LRU in front of the shared cache: a hit near is served without asking the
 * shared one; a shared hit is kept near; a near entry without the decimal text does not hide a
 * shared one that has it; a write goes to both. Two real in-memory caches stand for the tiers.
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import {
  createMemoryCache,
  createTieredCache,
  type CachedResult,
  type ResultCache,
} from './resultCache.js';

const options = { ttlSeconds: 60, maxValueBytes: 1_000_000, logger: pino({ level: 'silent' }) };
const withText: CachedResult = { result: '120', exact: true, digits: 3, preview: '120' };
const textless: CachedResult = { exact: true, digits: 3, preview: '120' };

/** A tier that counts the reads it is asked for. */
function counted(cache: ResultCache): ResultCache & { reads: number } {
  const tier = {
    reads: 0,
    get: (key: string) => {
      tier.reads++;
      return cache.get(key);
    },
    set: (key: string, value: CachedResult) => cache.set(key, value),
  };
  return tier;
}

describe('createTieredCache', () => {
  it('serves a near hit without asking the shared cache, and keeps a shared hit near', async () => {
    const near = createMemoryCache(options);
    const shared = counted(createMemoryCache(options));
    const cache = createTieredCache(near, shared);
    await shared.set('a', withText);
    expect(await cache.get('a')).toEqual(withText);
    expect(shared.reads).toBe(1);
    expect(await near.get('a')).toEqual(withText);
    expect(await cache.get('a')).toEqual(withText);
    expect(shared.reads).toBe(1);
  });

  it('asks the shared cache when the near entry has no text, and prefers what it finds', async () => {
    const near = createMemoryCache(options);
    const shared = createMemoryCache(options);
    const cache = createTieredCache(near, shared);
    await near.set('a', textless);
    expect(await cache.get('a')).toEqual(textless);
    await shared.set('a', withText);
    expect(await cache.get('a')).toEqual(withText);
    expect(await near.get('a')).toEqual(withText);
  });

  it('writes to both tiers, and misses when neither has it', async () => {
    const near = createMemoryCache(options);
    const shared = createMemoryCache(options);
    const cache = createTieredCache(near, shared);
    expect(await cache.get('a')).toBeUndefined();
    await cache.set('a', withText);
    expect([await near.get('a'), await shared.get('a')]).toEqual([withText, withText]);
  });
});
