/**
 * Identical computations in flight at the same moment run once, whoever asks for them. Without
 * this, ten users asking for the same uncached 200000! at once cost ten computations and ten
 * decimal conversions: the cache only helps after the first one has finished.
 *
 * In this process: one computation per cache key (and per kind, with or without the decimal
 * text); a request joins the running one when it gives what the request needs (a text-less
 * computation never answers a request that selected `result`). Every request keeps its own
 * signal: one that goes away stops waiting, and the computation is stopped only when every
 * request waiting for it has gone.
 *
 * Across math instances sharing Redis: the computing instance holds a short lease on the key
 * (SET NX PX, renewed while it computes); another instance that finds the lease taken waits,
 * reading the cache with backoff until the answer is there. When the owner dies its lease
 * expires and a waiter takes the lease and computes. Redis trouble never fails a calculation:
 * an instance that cannot reach Redis computes on its own.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import type { CachedResult } from '../cache/resultCache.js';

/** How a shared computation reaches its answer; the calculator supplies both. */
export interface SharedWork {
  /** Computes under `signal` and stores the answer in the cache. */
  compute(signal: AbortSignal): Promise<CachedResult>;
  /** The cached answer, when it holds what the request needs. */
  lookup(): Promise<CachedResult | undefined>;
}

export interface SharedAnswer {
  answer: CachedResult;
  /** True when another instance computed it and it was read from the cache. */
  cached: boolean;
}

export interface SharedComputations {
  /**
   * The answer for `key`, computed once for every request that asks for it meanwhile. Rejects
   * with `signal`'s reason when this request goes away first (the others keep waiting), or with
   * the computation's own error.
   */
  run(
    key: string,
    text: boolean,
    signal: AbortSignal | undefined,
    work: SharedWork,
  ): Promise<SharedAnswer>;
}

export interface SharedComputationOptions {
  /** The cache's connection (its key prefix applies to the leases); none: this process only. */
  redis?: Redis | undefined;
  /** How long a lease lives unless renewed: how long waiters wait for an owner that died. */
  leaseMs?: number;
  /** Longest pause between two reads of the cache while another instance computes. */
  maxPollMs?: number;
}

export const DEFAULT_LEASE_MS = 3_000;
const FIRST_POLL_MS = 10;

/** Where an instance announces it is computing `key` (the text kind or the text-less kind). */
export function leaseKey(key: string, text: boolean): string {
  return `lease:${key}:${text ? 'text' : 'summary'}`;
}

/** Deletes the lease only if it is still ours (it may have expired and been taken over). */
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0`;
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0`;

interface InFlight {
  slot: string;
  promise: Promise<SharedAnswer>;
  controller: AbortController;
  waiters: number;
}

export function createSharedComputations(
  options: SharedComputationOptions = {},
): SharedComputations {
  const { redis } = options;
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const maxPollMs = options.maxPollMs ?? 200;
  const inFlight = new Map<string, InFlight>();

  /** Computes while holding the lease, renewed at a third of its life. */
  async function computeLeased(
    lease: string,
    token: string,
    work: SharedWork,
    signal: AbortSignal,
  ) {
    const renew = setInterval(() => {
      redis?.eval(RENEW, 1, lease, token, String(leaseMs)).catch(() => undefined);
    }, leaseMs / 3);
    try {
      return { answer: await work.compute(signal), cached: false };
    } finally {
      clearInterval(renew);
      await redis?.eval(RELEASE, 1, lease, token).catch(() => undefined);
    }
  }

  /** Once per process and key: across instances through the lease, else computed here. */
  async function acrossInstances(
    key: string,
    text: boolean,
    work: SharedWork,
    signal: AbortSignal,
  ): Promise<SharedAnswer> {
    if (!redis) return { answer: await work.compute(signal), cached: false };
    const lease = leaseKey(key, text);
    const token = randomUUID();
    for (let pause = FIRST_POLL_MS; ; pause = Math.min(pause * 2, maxPollMs)) {
      signal.throwIfAborted();
      let taken: string | null;
      try {
        taken = await redis.set(lease, token, 'PX', leaseMs, 'NX');
      } catch {
        return { answer: await work.compute(signal), cached: false }; // Redis away: compute here
      }
      // Checked after the lease too: its owner may have answered and released it just now.
      const found = await work.lookup();
      if (taken === 'OK') {
        if (!found) return computeLeased(lease, token, work, signal);
        await redis.eval(RELEASE, 1, lease, token).catch(() => undefined);
      }
      if (found) return { answer: found, cached: true };
      await sleep(pause, undefined, { signal });
    }
  }

  function start(slot: string, key: string, text: boolean, work: SharedWork): InFlight {
    const controller = new AbortController();
    const entry: InFlight = {
      slot,
      controller,
      waiters: 0,
      promise: acrossInstances(key, text, work, controller.signal).finally(() => {
        if (inFlight.get(slot) === entry) inFlight.delete(slot);
      }),
    };
    // Nobody may be left to hear the end of a computation whose waiters all went away.
    entry.promise.catch(() => undefined);
    inFlight.set(slot, entry);
    return entry;
  }

  /** Waits for `entry` until this request's own signal aborts; the last to leave stops it. */
  function wait(entry: InFlight, signal: AbortSignal | undefined): Promise<SharedAnswer> {
    entry.waiters++;
    if (!signal) return entry.promise;
    return new Promise<SharedAnswer>((resolve, reject) => {
      const leave = () => {
        entry.waiters--;
        if (entry.waiters === 0) {
          // A request arriving from now on starts afresh instead of joining a stopped one.
          if (inFlight.get(entry.slot) === entry) inFlight.delete(entry.slot);
          entry.controller.abort(signal.reason);
        }
        reject(signal.reason);
      };
      if (signal.aborted) return leave();
      signal.addEventListener('abort', leave, { once: true });
      entry.promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', leave));
    });
  }

  return {
    run(key, text, signal, work) {
      const withText = `${key}\ntext`;
      const summary = `${key}\nsummary`;
      // A computation that writes the text serves either kind of request.
      const joined = inFlight.get(withText) ?? (text ? undefined : inFlight.get(summary));
      const slot = text ? withText : summary;
      return wait(joined ?? start(slot, key, text, work), signal);
    },
  };
}
