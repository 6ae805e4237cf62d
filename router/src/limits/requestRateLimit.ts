/**
 * How many operations one client may send per minute, counted with rate-limiter-flexible: in
 * Redis when there is one (so every router instance shares the count), with an in-memory
 * stand-in while Redis is unreachable, and in memory alone without Redis.
 *
 * A signed-in caller is counted by user id, anyone else by address. Counting everyone by
 * address would put every user of the web client in one bucket, since its server proxies
 * /graphql and the router sees the proxy's address.
 *
 * With Redis, an instance takes a busy client's points from the shared count a few at a time
 * (a lease) and spends them locally, instead of a Redis round trip per operation. A lease
 * starts at one point, doubles while the client keeps using its leases up, and is never more
 * than 1/16 of what is left of the client's allowance (nor 64): close to the limit every
 * operation is counted in Redis again. Points are only spent after Redis counted them, so no
 * instance ever lets a client past the limit; a client whose traffic leaves an instance holding
 * unspent points may be refused that many points early (at most 1/16 of its allowance per
 * instance), and a lease ends with the window it was taken in.
 */
import type { Logger } from '@microservice-math/shared/logger';
import { closeRedis, createRedis, waitForRedis } from '@microservice-math/shared/redis';
import type { Caller } from '@microservice-math/shared/routerContext';
import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';

const WINDOW_SECONDS = 60;
const REDIS_WAIT_MS = 2_000;
const KEY_PREFIX = 'router:requests';
/** A lease is at most this fraction of the points the client has left in the window… */
const LEASE_SHARE = 16;
/** …and at most this many points. */
const MAX_LEASE = 64;
/** Clients whose leases are remembered at once; a forgotten lease's points go unspent. */
const MAX_LEASES = 100_000;

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
  /** Length of a counting window; a minute unless a test needs a shorter one. */
  windowSeconds?: number;
}

/** The key a request is counted under. */
export function rateLimitKey(caller: Caller | null, clientAddress: string): string {
  return caller ? `user:${caller.id}` : `address:${clientAddress}`;
}

/** Points counted in the shared store and not yet spent, for one client in one window. */
interface Lease {
  left: number;
  /** Points the last reservation asked for. */
  size: number;
  /** The shared count after the last reservation. */
  consumed: number;
  /** When the window ends, by this process's clock (never after Redis's). */
  windowEnd: number;
}

const ALLOWED: RateVerdict = { allowed: true };

function refused(msBeforeNext: number): RateVerdict {
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(msBeforeNext / 1000)) };
}

/** Consumes `points` and returns the store's answer, whether it accepted them or not. */
async function take(limiter: RateLimiterAbstract, client: string, points: number) {
  try {
    return await limiter.consume(client, points);
  } catch (rejection) {
    if (rejection instanceof RateLimiterRes) return rejection;
    throw rejection;
  }
}

export function createRequestRateLimit(options: RequestRateLimitOptions): RequestRateLimit {
  const { perMinute } = options;
  const duration = options.windowSeconds ?? WINDOW_SECONDS;
  const memory = new RateLimiterMemory({ keyPrefix: KEY_PREFIX, points: perMinute, duration });
  if (!options.redisUrl) {
    return {
      async consume(client) {
        const result = await take(memory, client, 1);
        return result.consumedPoints <= perMinute ? ALLOWED : refused(result.msBeforeNext);
      },
      async ready() {},
      async close() {},
    };
  }

  const redis: Redis = createRedis(
    options.redisUrl,
    options.logger.child({ redis: 'rate-limit' }),
    {
      keyPrefix: options.redisKeyPrefix,
    },
  );
  const shared = new RateLimiterRedis({
    storeClient: redis,
    keyPrefix: KEY_PREFIX,
    points: perMinute,
    duration,
    // While Redis is away, count here instead of waiting on it or letting everything through.
    rejectIfRedisNotReady: true,
    insuranceLimiter: memory,
  });
  const leases = new LRUCache<string, Lease>({ max: MAX_LEASES });
  /**
   * The reservation under way for each client. Operations that find the client's lease spent
   * while one is under way wait for it and spend from what it brings, instead of each reserving
   * a lease of its own: a burst of N would otherwise count up to N leases (64 points each) in
   * Redis at once, and Redis would refuse the later ones while this instance held their points
   * unspent (found by an outside probe: 50 subscriptions at once refused from the 44th).
   */
  const reserving = new Map<string, Promise<RateVerdict>>();

  /** The client's lease while its window lasts. */
  const currentLease = (client: string) => {
    const lease = leases.get(client);
    return lease && Date.now() < lease.windowEnd ? lease : undefined;
  };

  /** Counts the client's next lease in Redis and keeps what the limit grants of it. */
  async function reserve(client: string): Promise<RateVerdict> {
    const current = currentLease(client);
    const size = current
      ? Math.max(
          1,
          Math.min(
            current.size * 2,
            MAX_LEASE,
            Math.floor((perMinute - current.consumed) / LEASE_SHARE),
          ),
        )
      : 1;
    const asked = Date.now();
    const result = await take(shared, client, size);
    // Of the points just counted, those within the limit are this instance's to spend.
    const granted = size - Math.max(0, result.consumedPoints - perMinute);
    if (granted <= 0) return refused(result.msBeforeNext);
    // The lease it replaces had no points left (it is reserved only then, one reservation at a
    // time), so nothing is pooled: the new one is this reservation's, in the window Redis counted.
    leases.set(
      client,
      {
        left: granted,
        size,
        consumed: result.consumedPoints,
        windowEnd: asked + result.msBeforeNext,
      },
      { ttl: Math.max(1, result.msBeforeNext) },
    );
    return ALLOWED;
  }

  return {
    async consume(client) {
      for (;;) {
        const lease = currentLease(client);
        if (lease && lease.left > 0) {
          lease.left--;
          return ALLOWED;
        }
        let reservation = reserving.get(client);
        if (!reservation) {
          reservation = reserve(client).finally(() => reserving.delete(client));
          reserving.set(client, reservation);
        }
        const verdict = await reservation;
        // Refused: so is every operation that waited for it. Granted: spend from the lease,
        // or, when the others waiting took it all, reserve again.
        if (!verdict.allowed) return verdict;
      }
    },
    async ready() {
      try {
        await waitForRedis(redis, REDIS_WAIT_MS);
      } catch {
        options.logger.warn(
          'Redis is not reachable yet: request limits are counted in this process until it is',
        );
      }
    },
    async close() {
      await closeRedis(redis);
    },
  };
}
