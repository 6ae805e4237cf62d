/**
 * Counters that expire (rate-limiter-flexible), kept in Redis when there is one so that every
 * auth instance sees the same counts, with an in-memory stand-in while Redis is unreachable.
 *
 * rate-limiter-flexible's own `insuranceLimiter` falls back the same way but forgets what it
 * counted when Redis returns, so an outage would reset every failure counted during it. Here
 * the stand-in holds only what was counted while Redis was away, and when Redis is ready again
 * each of those counts is added to Redis's (with what was left of its window) before any
 * counter is read or written: an outage resets nobody's failures.
 *
 * Reads made together (a login reads three counts at once) go to Redis as one transaction: one
 * round trip, and one moment's counts, instead of one transaction each.
 */
import DataLoader from 'dataloader';
import type { Redis } from 'ioredis';
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';

export interface Count {
  /** 0 when the key has no count. */
  value: number;
  /** Until the count expires; 0 when it has none. */
  msLeft: number;
  /**
   * Read from the in-memory stand-in while Redis was unreachable: only what was counted during
   * the outage, not what Redis holds (which may be more).
   */
  standIn?: true;
}

export interface Counter {
  get(key: string): Promise<Count>;
  /** Adds `points`; a new count lasts the counter's window. */
  add(key: string, points?: number): Promise<Count>;
  /** Replaces the count with `value` for `seconds` (a whole number, at least 1). */
  set(key: string, value: number, seconds: number): Promise<void>;
  clear(key: string): Promise<void>;
}

export interface CounterStore {
  /** `name` is the counter's key prefix (under `auth:` in Redis). */
  counter(name: string, windowSeconds: number): Counter;
}

/** Points are never consumed here (only read, added and set), so the limit plays no part. */
const NO_LIMIT = Number.MAX_SAFE_INTEGER;

/**
 * The memory store ends each count with a timer, and Node.js timers hold at most 2^31 - 1 ms
 * (about 24.8 days; a longer one fires at once): longer counts are kept that long in memory.
 */
const MEMORY_LONGEST_SECONDS = Math.floor((2 ** 31 - 1) / 1000);
const inMemory = (seconds: number) => Math.min(seconds, MEMORY_LONGEST_SECONDS);

const NONE: Count = { value: 0, msLeft: 0 };

function countOf(res: RateLimiterRes | null): Count {
  return res ? { value: res.consumedPoints, msLeft: Math.max(0, res.msBeforeNext) } : NONE;
}

/**
 * Reads Redis counts in batches: every key asked for in one turn of the event loop is read in
 * one MULTI, GET and PTTL for each (what rate-limiter-flexible's `get` sends for one key), and
 * answered as its `get` would be: null for a key with no count. A failed transaction fails every
 * read of it, and each falls back to the stand-in as a single read does.
 */
function batchedReads(redis: Redis): DataLoader<string, RateLimiterRes | null> {
  return new DataLoader(
    async (keys) => {
      const transaction = redis.multi();
      for (const key of keys) transaction.get(key).pttl(key);
      const replies = (await transaction.exec()) ?? [];
      if (replies.length !== keys.length * 2)
        throw new Error('Redis answered an incomplete transaction');
      return keys.map((_key, i) => {
        const [valueError, value] = replies[2 * i] as [Error | null, unknown];
        const [ttlError, ttl] = replies[2 * i + 1] as [Error | null, unknown];
        const error = valueError ?? ttlError;
        if (error) return error;
        if (value === null) return null;
        const consumed = Number.parseInt(String(value), 10);
        return new RateLimiterRes(Math.max(NO_LIMIT - consumed, 0), Number(ttl), consumed);
      });
    },
    // Counts change between reads: each read asks Redis, never an earlier answer.
    { cache: false },
  );
}

interface StoredCounter {
  /** Adds the stand-in's counts (and clears) to Redis, forgetting each once it is there. */
  mergeBack(): Promise<void>;
}

export function createCounterStore(redis: Redis | undefined): CounterStore {
  const counters: StoredCounter[] = [];
  /** A merge under way: counters wait for it, so nobody reads a count it has not reached. */
  let merging: Promise<void> | undefined;
  const mergeAll = async () => {
    try {
      for (const counter of counters) await counter.mergeBack();
    } catch {
      // Redis went away again: what is not merged stays in memory until it is next ready.
    } finally {
      merging = undefined;
    }
  };
  redis?.on('ready', () => {
    merging ??= mergeAll();
  });
  const reads = redis && batchedReads(redis);

  return {
    counter(name, windowSeconds) {
      const memory = new RateLimiterMemory({
        keyPrefix: name,
        points: NO_LIMIT,
        duration: inMemory(windowSeconds),
      });
      if (!redis) return counterOver(memory);
      const shared = new RateLimiterRedis({
        storeClient: redis,
        keyPrefix: `auth:${name}`,
        points: NO_LIMIT,
        duration: windowSeconds,
      });
      /** Keys cleared while Redis was away: their Redis counts go too when it returns. */
      const clearedDuringOutage = new Set<string>();
      counters.push({
        async mergeBack() {
          for (const key of clearedDuringOutage) {
            await shared.delete(key);
            clearedDuringOutage.delete(key);
          }
          for (const { key, value, expiresAt } of memory.dump().storage) {
            const secondsLeft = expiresAt ? Math.ceil((expiresAt - Date.now()) / 1000) : 0;
            if (value > 0 && secondsLeft > 0)
              await shared.penalty(key, value, { customDuration: secondsLeft });
            await memory.delete(key);
          }
        },
      });
      /** Runs `operation` on Redis, or on the stand-in when Redis does not answer. */
      async function onStore<T>(
        operation: (limiter: RateLimiterAbstract) => Promise<T>,
        onOutage?: () => void,
      ): Promise<T> {
        await merging;
        try {
          return await operation(shared);
        } catch (error) {
          if (error instanceof RateLimiterRes) throw error;
          onOutage?.();
          return operation(memory);
        }
      }
      /** The count `operation` answers with, marked when the stand-in answered it. */
      const counted = async (
        operation: (limiter: RateLimiterAbstract) => Promise<RateLimiterRes | null>,
      ) => {
        let standIn = false;
        const res = await onStore(operation, () => (standIn = true));
        const count = countOf(res);
        return standIn ? { ...count, standIn: true as const } : count;
      };
      return {
        get: (key) =>
          counted((l) => (l === shared && reads ? reads.load(shared.getKey(key)) : l.get(key))),
        add: (key, points = 1) => counted((l) => l.penalty(key, points)),
        set: async (key, value, seconds) => {
          await onStore((l) => l.set(key, value, l === memory ? inMemory(seconds) : seconds));
        },
        clear: async (key) => {
          await onStore(
            (l) => l.delete(key),
            () => clearedDuringOutage.add(key),
          );
        },
      };
    },
  };
}

/** Without Redis: the process's own memory is the store. */
function counterOver(memory: RateLimiterMemory): Counter {
  return {
    get: async (key) => countOf(await memory.get(key)),
    add: async (key, points = 1) => countOf(await memory.penalty(key, points)),
    set: async (key, value, seconds) => {
      await memory.set(key, value, inMemory(seconds));
    },
    clear: async (key) => {
      await memory.delete(key);
    },
  };
}
