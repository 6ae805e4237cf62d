/**
 * Failed-login counting with rate-limiter-flexible. Every login resolver call reserves one
 * attempt before the password is checked, so aliases, batches and parallel connections all
 * count; a success gives the attempt back and clears the username's counter. Counters live in
 * Redis when there is one (shared by every auth instance) with an in-memory stand-in while
 * Redis is unreachable.
 */
import type { Redis } from 'ioredis';
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';

export interface LoginLimits {
  perUsername: number;
  perClient: number;
  windowSeconds: number;
}

export type AttemptVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export interface LoginAttempts {
  /** Reserves an attempt for this username from this client, or says how long to wait. */
  reserve(usernameKey: string, client: string): Promise<AttemptVerdict>;
  /** A successful login: forget this username's failures and give back the client's attempt. */
  succeeded(usernameKey: string, client: string): Promise<void>;
}

function limiter(
  name: string,
  points: number,
  windowSeconds: number,
  redis: Redis | undefined,
): RateLimiterAbstract {
  const memory = new RateLimiterMemory({ keyPrefix: name, points, duration: windowSeconds });
  if (!redis) return memory;
  return new RateLimiterRedis({
    storeClient: redis,
    keyPrefix: `auth:${name}`,
    points,
    duration: windowSeconds,
    insuranceLimiter: memory,
  });
}

export function createLoginAttempts(limits: LoginLimits, redis?: Redis): LoginAttempts {
  const perUsername = limiter('login-user', limits.perUsername, limits.windowSeconds, redis);
  const perClient = limiter('login-client', limits.perClient, limits.windowSeconds, redis);

  async function consume(
    rateLimiter: RateLimiterAbstract,
    key: string,
  ): Promise<number | undefined> {
    try {
      await rateLimiter.consume(key);
      return undefined;
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes)
        return Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
      throw rejection;
    }
  }

  return {
    async reserve(usernameKey, client) {
      const clientWait = await consume(perClient, client);
      if (clientWait !== undefined) return { allowed: false, retryAfterSeconds: clientWait };
      const userWait = await consume(perUsername, `${usernameKey}|${client}`);
      if (userWait !== undefined) return { allowed: false, retryAfterSeconds: userWait };
      return { allowed: true };
    },
    async succeeded(usernameKey, client) {
      await Promise.all([
        perUsername.delete(`${usernameKey}|${client}`),
        perClient.reward(client, 1),
      ]);
    },
  };
}
