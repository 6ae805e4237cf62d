import { setMaxListeners } from 'node:events';
import { CallerGoneError, DeadlinePassedError } from '@microservice-math/shared/cancellation';
import { WORKER_NICE_INCREMENT } from '@microservice-math/shared/workerFile';
import { describe, expect, it } from 'vitest';
import {
  mainThreadNice,
  newThreadNices,
  threadNices,
} from '../../../../tests/support/threadPriority.js';
import { createPasswordHasher } from './passwords.js';

describe('the password pool', () => {
  it.skipIf(process.platform !== 'linux')(
    'hashes at a lower priority than the event loop, so light requests are answered during a login storm',
    async () => {
      const before = threadNices();
      const main = mainThreadNice();
      const hasher = await createPasswordHasher({ rounds: 4, workers: 2, queue: 2 });
      try {
        const hashes = await Promise.all([hasher.hash('first password'), hasher.hash('second')]);
        expect(await hasher.verify('first password', hashes[0])).toBe(true);
        expect(mainThreadNice()).toBe(main);
        // Every thread the pool started (each worker, and under tsx its loader thread) lowered
        // its own priority: one worker left at the event loop's would show here.
        const started = newThreadNices(before);
        expect(started.length).toBeGreaterThanOrEqual(2);
        expect(started).toEqual(started.map(() => main + WORKER_NICE_INCREMENT));
      } finally {
        await hasher.close();
      }
    },
  );
});

/**
 * A bcrypt hash at cost 20, 256 times the work of a cost-12 hash (about 0.35 s here): no check
 * against it finishes while a test waits.
 */
const UNFINISHABLE = '$2b$20$ZpuQc/GfU49TaJiNvU3mgueLkCp1rZeV46B5TUCqyOu.L58fhsJrm';

describe('the measured job time', () => {
  it('counts the time a job cut on its thread by its signal ran, so a wait told grows with it', async () => {
    // One thread, ten waiting places, cost 4 (a millisecond or so a job): the pool starts with
    // the dummy hash's time, and a job beyond the queue is told to come back after the jobs
    // ahead of it, by that time.
    const hasher = await createPasswordHasher({ rounds: 4, workers: 1, queue: 10 });
    /** The wait told to a job refused because the pool is full (no job of the pool finishes). */
    const waitToldWhenFull = async () => {
      const ahead = new AbortController();
      setMaxListeners(0, ahead.signal); // one listener for each of the eleven jobs
      const admitted = Array.from({ length: 11 }, () =>
        hasher.verify('guess', UNFINISHABLE, ahead.signal).catch(() => undefined),
      );
      const refused = await hasher.verify('guess', UNFINISHABLE).catch((error: unknown) => error);
      ahead.abort(new CallerGoneError());
      await Promise.all(admitted);
      expect(refused).toMatchObject({ extensions: { code: 'RATE_LIMITED' } });
      return (refused as { extensions: { retryAfterSeconds: number } }).extensions
        .retryAfterSeconds;
    };
    try {
      // Twelve jobs' time (the eleven ahead and its own), rounded up: 1 s here, more on a slow or
      // loaded machine (a starved thread's hash takes longer).
      const before = await waitToldWhenFull();
      // A job taken by the thread at once, cut by its deadline after as long as that wait: twelve
      // times the measured job time at least, so that, counted, it must lengthen the wait.
      const cutAfterMs = before * 1_000;
      const deadline = new AbortController();
      const cut = hasher.verify('guess', UNFINISHABLE, deadline.signal);
      setTimeout(() => deadline.abort(new DeadlinePassedError(cutAfterMs + 250)), cutAfterMs);
      await expect(cut).rejects.toMatchObject({ extensions: { code: 'SERVICE_UNAVAILABLE' } });
      // Not counted, the wait would be the same: no job finished meanwhile.
      expect(await waitToldWhenFull()).toBeGreaterThan(before);
    } finally {
      await hasher.close();
    }
  });
});
