import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from './logger.js';
import { breakOnTimeouts } from './redisBreaker.js';

/**
 * A Redis connection that never holds a caller hostage: commands fail fast while Redis is away
 * (no offline queue, short command timeout) and the client keeps reconnecting in the background,
 * so callers can fall back (compute uncached, count attempts in memory) and recover by themselves.
 * A Redis that takes commands and does not answer them counts as away after the first timeout
 * (redisBreaker.ts): the next commands, on every connection of this process to it, fail fast
 * too, until it answers again.
 */
export function createRedis(url: string, logger: Logger, options: RedisOptions = {}): Redis {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    commandTimeout: 500,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    lazyConnect: false,
    ...options,
  });
  breakOnTimeouts(redis, logger); // first: the breaker is closed before others hear 'ready'
  let down = false;
  redis.on('error', (error: Error) => {
    if (down) return;
    down = true;
    logger.warn({ err: error.message }, 'Redis unavailable; falling back until it returns');
  });
  redis.on('ready', () => {
    if (!down) return;
    down = false;
    logger.info('Redis connection restored');
  });
  return redis;
}

/** Resolves when the connection is ready, or rejects after `timeoutMs`. */
export async function waitForRedis(redis: Redis, timeoutMs = 5_000): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`Redis not ready after ${timeoutMs} ms`));
    }, timeoutMs);
    const onReady = () => {
      cleanup();
      resolve();
    };
    const cleanup = () => {
      clearTimeout(timer);
      redis.off('ready', onReady);
    };
    redis.on('ready', onReady);
  });
}

export async function closeRedis(redis: Redis): Promise<void> {
  try {
    await redis.quit();
  } catch {
    redis.disconnect();
  }
}
