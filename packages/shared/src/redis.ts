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

/** How long a ready connection's QUIT may take before the connection is simply dropped. */
const QUIT_WITHIN_MS = 1_000;

/** ioredis 5 fails what is queued on a connection only when a socket of it closes. */
const CONNECTION_CLOSED = 'Connection is closed.';

/**
 * Closes the connection: politely (QUIT, after the commands already sent) when it is ready and
 * Redis answers, else at once. A connection that is not ready would send QUIT only once Redis is
 * back, behind what waits in its offline queue (the event bus's subscriber keeps one, and never
 * gives up on it), so a shutdown while Redis is away would wait for Redis; dropped, the commands
 * still queued fail ("Connection is closed").
 */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status !== 'ready') {
    redis.disconnect();
    // Between two attempts there is no socket whose closing would end the connection: ioredis
    // stops retrying, says 'reconnecting' for good and keeps its queue, never settled. Ended here
    // as a closing socket would end it (ioredis's close(): 'end', then the queue failed), so that
    // what listens for 'end' (redisBreaker) lets it go. `setStatus` and `flushQueue` are
    // ioredis's own, not in its types.
    if (redis.status === 'reconnecting') {
      const internals = redis as unknown as {
        setStatus(status: 'end'): void;
        flushQueue(error: Error): void;
      };
      internals.setStatus('end');
      internals.flushQueue(new Error(CONNECTION_CLOSED));
    }
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  const givenUp = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('QUIT unanswered')), QUIT_WITHIN_MS);
  });
  try {
    await Promise.race([redis.quit(), givenUp]);
  } catch {
    redis.disconnect();
  } finally {
    clearTimeout(timer);
  }
}
