/**
 * The cache of finished results: the digit count and preview, and the decimal text whenever it
 * was written, so a hit skips both the computation and the conversion. An entry without the text
 * (its request did not select `result`) serves only requests that do not select it either.
 * Redis when configured, shared by every math instance, with each instance's own LRU in front of
 * it (see `createTieredCache`); an in-memory LRU alone otherwise. Redis trouble never fails a
 * calculation: a failed read is a miss, a failed write is skipped, and the outage is reported
 * once.
 */
import type { Logger } from '@microservice-math/shared/logger';
import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';

export interface CachedResult {
  /** The decimal text, when it was written. */
  result?: string;
  exact: boolean;
  /** A rational answer with no finite decimal, in lowest terms. */
  fraction?: string;
  digits: number;
  preview: string;
}

export interface ResultCache {
  get(key: string): Promise<CachedResult | undefined>;
  set(key: string, value: CachedResult): Promise<void>;
}

/** Where a tiered cache found an entry: the instance's own memory, or the shared cache (Redis). */
export type CacheTier = 'near' | 'shared';

export interface CacheOptions {
  ttlSeconds: number;
  maxValueBytes: number;
  logger: Logger;
}

export const disabledCache: ResultCache = {
  get: async () => undefined,
  set: async () => {},
};

/** About the bytes of the stored JSON: its text is ASCII digits but for the preview's "…". */
function sizeOf(value: CachedResult): number {
  return (value.result?.length ?? 0) + (value.fraction?.length ?? 0) + value.preview.length + 64;
}

export function createMemoryCache(
  options: CacheOptions,
  maxTotalBytes = 256 * 1024 * 1024,
): ResultCache {
  const lru = new LRUCache<string, CachedResult>({
    maxSize: maxTotalBytes,
    sizeCalculation: sizeOf,
    ttl: options.ttlSeconds * 1000,
  });
  return {
    get: async (key) => lru.get(key),
    set: async (key, value) => {
      if (sizeOf(value) <= options.maxValueBytes) lru.set(key, value);
    },
  };
}

export function createRedisCache(redis: Redis, options: CacheOptions): ResultCache {
  let failing = false;
  const failed = (error: unknown) => {
    if (!failing)
      options.logger.warn(
        { err: (error as Error).message },
        'result cache unavailable; answering from this instance’s memory or uncached',
      );
    failing = true;
  };
  const recovered = () => {
    if (failing) options.logger.info('result cache available again');
    failing = false;
  };
  return {
    async get(key) {
      try {
        const text = await redis.get(key);
        recovered();
        return text ? (JSON.parse(text) as CachedResult) : undefined;
      } catch (error) {
        failed(error);
        return undefined;
      }
    },
    async set(key, value) {
      const text = JSON.stringify(value);
      if (Buffer.byteLength(text) > options.maxValueBytes) return;
      try {
        await redis.set(key, text, 'EX', options.ttlSeconds);
        recovered();
      } catch (error) {
        failed(error);
      }
    },
  };
}

/**
 * An instance's own LRU in front of the cache all instances share. A finished result never
 * changes (keys are versioned), so a copy in memory cannot go stale: a hot result is served
 * without a round trip to Redis, and still while Redis is away. (Deleting a key in Redis
 * therefore does not remove the copies; a changed kernel bumps the key's version instead.) A
 * near entry without the decimal text does not hide a shared one that has it: then the shared
 * cache is asked too.
 */
export function createTieredCache(
  near: ResultCache,
  shared: ResultCache,
  /** Told which tier answered a lookup that found an entry (for metrics). */
  onFound?: (tier: CacheTier) => void,
): ResultCache {
  return {
    async get(key) {
      const close = await near.get(key);
      if (close?.result !== undefined) {
        onFound?.('near');
        return close;
      }
      const found = await shared.get(key);
      if (!found) {
        if (close) onFound?.('near');
        return close;
      }
      onFound?.('shared');
      // Kept near only when it adds something: a text-less copy of a text-less entry would only
      // refresh its place in the LRU.
      if (!close || found.result !== undefined) await near.set(key, found);
      return found;
    },
    async set(key, value) {
      await Promise.all([near.set(key, value), shared.set(key, value)]);
    },
  };
}

/**
 * Versioned keys: bump the version when the stored shape or a kernel's output changes, so an
 * instance never reads an entry it does not understand (v2: the text became optional; v3: powers
 * became exact or rounded to a precision, with a fraction).
 */
export function cacheKey(operation: string, canonicalArgs: string): string {
  return `${operation.toLowerCase()}:v3:${canonicalArgs}`;
}
