/**
 * Password checks under way in this auth process, by the counter keys they may add a failure
 * to. A failure is counted only once its check has ended, so without this an attacker could
 * start a thousand checks at once before the first failure counted; with it, a key never has
 * more checks under way than failures it has left, and a login beyond that waits for one of
 * them to end (and then looks again) instead of being refused.
 *
 * The bound is per process: with several auth instances each may have that many under way,
 * and the failures they count are shared through Redis as soon as each check ends.
 */
import { callerGone, DeadlinePassedError } from '@microservice-math/shared/cancellation';
import { cancelled } from '@microservice-math/shared/errors';
import { tooManySignIns } from './tooManySignIns.js';

export interface ChecksInFlight {
  /** Checks under way on `key`. */
  held(key: string): number;
  /**
   * How many checks (on any key) have ended so far. A failure count read while this changed
   * may miss the failure of a check that has just given its place up: read it again.
   */
  endings(): number;
  start(keys: readonly string[]): void;
  end(keys: readonly string[]): void;
  /**
   * Resolves when a check on any of `keys` ends. Rejects when `signal` aborts: RATE_LIMITED if
   * for its request's deadline while its caller is still there (callerGone: one that went after
   * the deadline fired is gone all the same), which is told to come back; else CANCELLED.
   */
  nextEnding(keys: readonly string[], signal?: AbortSignal): Promise<void>;
}

export function createChecksInFlight(): ChecksInFlight {
  const held = new Map<string, number>();
  let ended = 0;
  const waiting = new Map<string, Set<() => void>>();

  return {
    held: (key) => held.get(key) ?? 0,
    endings: () => ended,
    start(keys) {
      for (const key of keys) held.set(key, (held.get(key) ?? 0) + 1);
    },
    end(keys) {
      ended += 1;
      for (const key of keys) {
        const left = (held.get(key) ?? 1) - 1;
        if (left > 0) held.set(key, left);
        else held.delete(key);
        const wake = waiting.get(key);
        waiting.delete(key);
        for (const resume of wake ?? []) resume();
      }
    },
    nextEnding(keys, signal) {
      const refusal = () =>
        signal?.reason instanceof DeadlinePassedError && !callerGone(signal)
          ? tooManySignIns(1)
          : cancelled();
      return new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(refusal());
        const resume = () => {
          for (const key of keys) waiting.get(key)?.delete(resume);
          signal?.removeEventListener('abort', abort);
          resolve();
        };
        const abort = () => {
          for (const key of keys) waiting.get(key)?.delete(resume);
          reject(refusal());
        };
        signal?.addEventListener('abort', abort, { once: true });
        for (const key of keys) {
          let set = waiting.get(key);
          if (!set) waiting.set(key, (set = new Set()));
          set.add(resume);
        }
      });
    },
  };
}
