/**
 * A whole-process check of the pool, run as a script by loading.test.ts: under the tsx CLI (as
 * `tsx subgraphs/math/src/main.ts` runs the service) and as plain JavaScript after a tsc build.
 * Every task goes to a worker (inlineMaxDigits 0), one is stopped at its deadline, and the script
 * then simply ends: the process exiting on its own proves close() leaves no handle behind.
 * Prints one JSON line on stdout.
 */
import { resolveWorkerFile } from '@microservice-math/shared/workerFile';
import { ComputationTimeoutError, createComputePool } from './pool.js';

const pool = createComputePool({ maxThreads: 1, timeoutMs: 2000, inlineMaxDigits: 0 });
/** For the tasks that wait for a thread to start (seconds on a loaded machine): only the middle
 *  task's deadline is the one under test. */
const startUp = { timeoutMs: 120_000 };

const first = await pool.run({ operation: 'FACTORIAL', args: { n: 1000 } }, startUp);
const timedOut = await pool.run({ operation: 'FACTORIAL', args: { n: 3_000_000 } }).then(
  () => false,
  (error: unknown) => error instanceof ComputationTimeoutError,
);
const after = await pool.run({ operation: 'FIBONACCI', args: { n: -1000 } }, startUp); // a fresh thread
const stats = pool.stats();
await pool.close();

process.stdout.write(
  JSON.stringify({
    worker: resolveWorkerFile(import.meta.url), // pool.ts's own: it sits beside this script
    factorial1000: { digits: first.digits, leading: first.result.slice(0, 10) },
    timedOut,
    fibonacciMinus1000: { digits: after.digits, leading: after.result.slice(0, 10) },
    stats,
  }) + '\n',
);
