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
