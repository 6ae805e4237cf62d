/**
 * How many operations one client may send per minute, counted with rate-limiter-flexible: in
 * Redis when there is one (so every router instance shares the count), with an in-memory
 * stand-in while Redis is unreachable, and in memory alone without Redis.
 *
 * A signed-in caller is counted by user id, anyone else by address. Counting everyone by
 * address would put every user of the web client in one bucket, since its server proxies
 * /graphql and the router sees the proxy's address.
 */
import type { Logger } from '@microservice-math/shared/logger';
import { closeRedis, createRedis, waitForRedis } from '@microservice-math/shared/redis';
import type { Caller } from '@microservice-math/shared/routerContext';
import type { Redis } from 'ioredis';
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';

const WINDOW_SECONDS = 60;
const REDIS_WAIT_MS = 2_000;
const KEY_PREFIX = 'router:requests';

export type RateVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export interface RequestRateLimit {
  /** Counts one operation for this client and says whether it may run. */
  consume(client: string): Promise<RateVerdict>;
  /**
   * Waits (briefly) for Redis, so the first requests are counted where every instance sees
   * them rather than in this process's stand-in. Never fails: without Redis the stand-in counts.
   */
  ready(): Promise<void>;
  close(): Promise<void>;
}

export interface RequestRateLimitOptions {
  perMinute: number;
  redisUrl: string | undefined;
  redisKeyPrefix: string | undefined;
  logger: Logger;
}

/** The key a request is counted under. */
export function rateLimitKey(caller: Caller | null, clientAddress: string): string {
  return caller ? `user:${caller.id}` : `address:${clientAddress}`;
}

export function createRequestRateLimit(options: RequestRateLimitOptions): RequestRateLimit {
  const memory = new RateLimiterMemory({
    keyPrefix: KEY_PREFIX,
    points: options.perMinute,
    duration: WINDOW_SECONDS,
  });
  let redis: Redis | undefined;
  let limiter: RateLimiterAbstract = memory;
  if (options.redisUrl) {
    redis = createRedis(options.redisUrl, options.logger.child({ redis: 'rate-limit' }), {
      keyPrefix: options.redisKeyPrefix,
    });
    limiter = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: KEY_PREFIX,
      points: options.perMinute,
      duration: WINDOW_SECONDS,
      // While Redis is away, count here instead of waiting on it or letting everything through.
      rejectIfRedisNotReady: true,
      insuranceLimiter: memory,
    });
  }
  return {
    async consume(client) {
      try {
        await limiter.consume(client);
        return { allowed: true };
      } catch (rejection) {
        if (rejection instanceof RateLimiterRes) {
          return {
            allowed: false,
            retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)),
          };
        }
        throw rejection;
      }
    },
    async ready() {
      if (!redis) return;
      try {
        await waitForRedis(redis, REDIS_WAIT_MS);
      } catch {
        options.logger.warn(
          'Redis is not reachable yet: request limits are counted in this process until it is',
        );
      }
    },
    async close() {
      if (redis) await closeRedis(redis);
    },
  };
}
