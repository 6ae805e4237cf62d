/**
 * bcrypt off the event loop: hashing and comparing run in a pool of worker threads, so a login
 * storm costs cores, not the answers to every other request. The pool admits at most
 * `workers + queue` jobs; beyond that a password job is refused at once with RATE_LIMITED (and
 * a retryAfterSeconds from the measured job time) rather than waiting to time out.
 */
import { availableParallelism } from 'node:os';
import { cancelled, rateLimited } from '@microservice-math/shared/errors';
import { inSpan } from '@microservice-math/shared/tracing';
import { resolveWorkerFile, WORKER_NICE_INCREMENT } from '@microservice-math/shared/workerFile';
import { Piscina } from 'piscina';
import type { PasswordJob } from './passwordWorker.js';

export interface PasswordHasher {
  /** Rejects with CANCELLED if `signal` aborts while the job still waits for a thread. */
  hash(password: string, signal?: AbortSignal): Promise<string>;
  /** Compares against `hash`, or against a dummy hash of the same cost when there is no user,
   *  so an unknown username takes as long to refuse as a wrong password. */
  verify(password: string, hash: string | undefined, signal?: AbortSignal): Promise<boolean>;
  /** Ends the threads once the jobs admitted so far are done. */
  close(): Promise<void>;
}

export interface PasswordPoolOptions {
  rounds: number;
  /** Threads hashing at once; default one per core. */
  workers?: number;
  /** Jobs that may wait for a thread; one more is refused with RATE_LIMITED. */
  queue: number;
  /** Lowers the threads' priority (Unix nice, 0 to 19); default WORKER_NICE_INCREMENT. */
  niceIncrement?: number;
}

export async function createPasswordHasher(options: PasswordPoolOptions): Promise<PasswordHasher> {
  const { rounds, queue } = options;
  const workers = options.workers ?? availableParallelism();
  const worker = resolveWorkerFile(import.meta.url, 'passwordWorker');
  const pool = new Piscina<PasswordJob, string | boolean>({
    filename: worker.filename,
    execArgv: worker.execArgv,
    minThreads: workers,
    maxThreads: workers,
    // Admission below keeps the queue within `queue`; piscina's own limit is only a backstop.
    maxQueue: queue + workers,
    idleTimeout: Number.POSITIVE_INFINITY,
    // A login storm takes the cores the event loops leave idle, not their turns: each thread
    // lowers its own priority (workerFile.ts says why), so `me` and every light query in this
    // process and beside it is answered between hashes.
    niceIncrement: options.niceIncrement ?? WORKER_NICE_INCREMENT,
  });
  let admitted = 0;
  /** Moving average of a job's time from admission to result: about when a place frees up. */
  let jobMs = 250;

  async function run(job: PasswordJob, signal?: AbortSignal): Promise<string | boolean> {
    if (admitted >= workers + queue) {
      throw rateLimited(
        Math.max(1, Math.ceil(jobMs / 1000)),
        'Too many sign-ins at once; try again shortly',
      );
    }
    admitted++;
    try {
      const started = performance.now();
      const result = await pool.run(job, { signal });
      jobMs = jobMs * 0.8 + (performance.now() - started) * 0.2;
      return result;
    } catch (error) {
      if (signal?.aborted) throw cancelled();
      throw error;
    } finally {
      admitted--;
    }
  }

  const dummyHash = (await run({
    kind: 'hash',
    password: `dummy-${Math.random()}`,
    rounds,
  })) as string;
  return {
    // bcrypt is where a login or registration spends its time: worth a span of its own. The
    // verify span records nothing that would tell an unknown username from a wrong password.
    hash: (password, signal) =>
      inSpan('auth', 'auth.password.hash', {}, async () =>
        String(await run({ kind: 'hash', password, rounds }, signal)),
      ),
    async verify(password, hash, signal) {
      const matches = await inSpan('auth', 'auth.password.verify', {}, () =>
        run({ kind: 'verify', password, hash: hash ?? dummyHash }, signal),
      );
      return matches === true && hash !== undefined;
    },
    close: () => pool.close(),
  };
}
