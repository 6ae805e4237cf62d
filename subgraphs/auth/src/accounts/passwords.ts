/**
 * bcrypt off the event loop: hashing and comparing run in a pool of worker threads, so a login
 * storm costs cores, not the answers to every other request. The pool admits at most
 * `workers + queue` jobs, and only those it can answer before their request's deadline: any
 * other is refused at once with RATE_LIMITED (and a retryAfterSeconds from the measured job
 * time) rather than waiting to time out.
 */
import { availableParallelism } from 'node:os';
import {
  abortsAt,
  DeadlinePassedError,
  stoppedBySignal,
} from '@microservice-math/shared/cancellation';
import { inSpan } from '@microservice-math/shared/tracing';
import { resolveWorkerFile, WORKER_NICE_INCREMENT } from '@microservice-math/shared/workerFile';
import { Piscina } from 'piscina';
import type { PasswordJob, PasswordResult } from './passwordWorker.js';
import { tooManySignIns } from './tooManySignIns.js';

/** What a caller is told when its password's check did not finish by its request's deadline. */
export const PASSWORD_LATE_MESSAGE = 'The password check did not finish in time; try again shortly';

export interface PasswordHasher {
  /**
   * Rejects with RATE_LIMITED at once when the job could not be done before the deadline of the
   * request `signal` belongs to (cancellation.ts); with SERVICE_UNAVAILABLE if that deadline
   * passes on the thread all the same (a machine slower than the job times measured); with
   * CANCELLED if its caller goes before the job is done.
   */
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
  const pool = new Piscina<PasswordJob, PasswordResult>({
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
  /** Jobs admitted and not yet done: on a thread, or waiting for one. */
  let admitted = 0;
  /**
   * Moving average of a job's time on its thread (bcrypt at this cost, on this machine, beside
   * whatever else runs on it); the first job, the dummy hash below, sets it.
   */
  let jobMs: number | undefined;
  const measured = (ms: number) => (jobMs = jobMs === undefined ? ms : jobMs * 0.8 + ms * 0.2);
  const tooMany = (readyInMs: number) => tooManySignIns(Math.ceil(readyInMs / 1000));

  async function run(job: PasswordJob, signal?: AbortSignal): Promise<string | boolean> {
    // Threads take jobs in turn: a job that must wait is done after the rounds of those ahead
    // of it. One whose request would be given up first is refused now, not left to end as a
    // timeout after the threads spent their turns on those ahead of it: a full queue at
    // bcrypt's cost can take longer than the router waits (64 jobs took about 22 s on 2
    // cores). A job a thread takes at once is not refused: only the deadline can stop it.
    const waits = admitted >= workers;
    const readyInMs = (Math.floor(admitted / workers) + 1) * (jobMs ?? 0);
    const deadline = abortsAt(signal);
    if (
      admitted >= workers + queue ||
      (waits && deadline !== undefined && Date.now() + readyInMs > deadline)
    )
      throw tooMany(readyInMs);
    admitted++;
    const started = performance.now();
    try {
      const { value, ms } = await pool.run(job, { signal });
      measured(ms);
      return value;
    } catch (error) {
      // A job stopped on its thread took at least this long: counted, so that the jobs that
      // wait are admitted, and callers told when to come back, by what jobs take, not only by
      // those that finished (on a machine too slow for the deadline, none would).
      if (!waits && signal?.aborted) measured(performance.now() - started);
      // Its deadline passed after it had to wait behind others (while waiting, or on its
      // thread after them: the threads slower than planned): the caller is still there, and is
      // told to come back, as it would have been at once.
      if (waits && signal?.reason instanceof DeadlinePassedError) throw tooMany(readyInMs);
      // Taken by a thread at once, and still not done by the deadline: the caller is there too,
      // and is told to try again once a job's time has passed.
      if (signal?.aborted)
        throw stoppedBySignal(
          signal,
          PASSWORD_LATE_MESSAGE,
          Math.max(1, Math.ceil((jobMs ?? 0) / 1000)),
        );
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
