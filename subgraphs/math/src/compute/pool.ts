/**
 * The math subgraph's compute pool. Small tasks run inline: for a result of a few thousand digits
 * the arithmetic takes microseconds, less than a hop to another thread. Big tasks run in a
 * piscina worker pool, one thread per core by default, so neither the arithmetic nor the decimal
 * conversion blocks the event loop that serves every other request.
 *
 * A pooled task gets a deadline: past `timeoutMs` (counted from `run()`, so time spent waiting in
 * the queue counts too, which bounds what a caller waits) its worker is terminated and the task
 * rejects with `ComputationTimeoutError`; piscina starts a replacement thread. A worker that dies
 * (out of memory under `resourceLimits`, or any crash) fails only the task it was running.
 *
 * Tasks wait for a thread in this module's own first-in first-out queue, and piscina is handed
 * at most one task per thread. piscina's own queue does not keep the order of tasks that carry
 * an abort signal (ours all do, for the deadline): when a worker frees up it starts the head
 * task, tries the next one, finds no free worker and puts it back at the tail, so under steady
 * load the same task is passed over again and again until its deadline (piscina#1031). Its
 * `stricterFIFO` option puts that task back at the head, but also puts every newly submitted
 * task there, so the newest runs first and the oldest starve all the same.
 *
 * The queue is fair between owners (the calling users): each owner's tasks wait in order in a
 * queue of their own, and a freed thread goes to the next owner in turn. Otherwise one user's
 * backlog of big tasks would push everyone else's past their deadline.
 */
import { availableParallelism } from 'node:os';
import type { ResourceLimits } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { resolveWorkerFile, WORKER_NICE_INCREMENT } from '@microservice-math/shared/workerFile';
import { DEFAULT_CONVERT_UP_TO_BITS } from '../kernels/decimalSummary.js';
import type { ComputeTask } from '../kernels/task.js';
import { assertTask, predictDigits, workDigits } from '../operations/registry.js';
import { ComputationCrashedError, ComputationTimeoutError, PoolClosedError } from './errors.js';
import type { Computed, ComputedText } from './evaluate.js';
import { evaluate } from './evaluate.js';
import type { ComputeJob } from './worker.js';

export type { Computed, ComputedText } from './evaluate.js';
export type { ComputeTask } from '../kernels/task.js';
export { ComputationCrashedError, ComputationTimeoutError, PoolClosedError } from './errors.js';

/**
 * Results up to this many predicted digits are computed on the calling thread: the results small
 * enough that `evaluate` writes their decimal text whether or not it was asked for (16,384 bits,
 * 4,932 digits). Computing and writing one takes up to a few hundred microseconds here, while in
 * the pool it would wait behind every big task queued before it (hundreds of milliseconds each).
 */
export const DEFAULT_INLINE_MAX_DIGITS = Math.floor(DEFAULT_CONVERT_UP_TO_BITS * Math.log10(2));

/**
 * Heap per worker. The contract's default budget (10^6 digits) needs a few MB; this leaves room for
 * a larger `MATH_MAX_DIGITS` while keeping a runaway task from taking the machine's memory.
 */
export const DEFAULT_RESOURCE_LIMITS: ResourceLimits = { maxOldGenerationSizeMb: 512 };

export interface ComputePoolOptions {
  /** Most worker threads; default one per core (`os.availableParallelism()`). */
  maxThreads?: number;
  /** Threads kept started, so a big task does not pay a thread's start-up; default 1. */
  minThreads?: number;
  /** Longest a pooled task may take, queueing included, before its worker is stopped. */
  timeoutMs: number;
  /** Tasks whose result and working numbers are at most this many digits run inline; default 4932. */
  inlineMaxDigits?: number;
  /** V8 heap limits of each worker; default 512 MB of old generation. */
  resourceLimits?: ResourceLimits;
  /** Errors of idle workers, which no task can report; default `console.error`. */
  onWorkerError?: (error: Error) => void;
  /** Lowers the workers' priority (Unix nice, 0 to 19); default WORKER_NICE_INCREMENT. */
  niceIncrement?: number;
}

export interface ComputePoolStats {
  /** Tasks answered on the calling thread. */
  inline: number;
  /** Tasks answered by a worker. */
  pooled: number;
  /** Pooled tasks stopped at the deadline. */
  timedOut: number;
  /** Pooled tasks whose worker died. */
  crashed: number;
  /** Pooled tasks submitted and not settled yet (running or queued). */
  pending: number;
  /** Worker threads alive now. */
  threads: number;
  /** Worker threads ended so far: stopped at a deadline or an abort, crashed, idle or closed. */
  threadsEnded: number;
}

export interface RunOptions {
  /** Write the whole result in decimal (see `evaluate`); default true. */
  text?: boolean;
  /** Aborting rejects the run with the signal's reason and stops a running worker. */
  signal?: AbortSignal;
  /**
   * The result's predicted digits, when the caller has checked the task and predicted them
   * already (the calculation plan); both are then not done again.
   */
  predictedDigits?: number;
  /**
   * This task's deadline instead of the pool's `timeoutMs`: for a warm-up whose wait includes a
   * thread's start-up (seconds on a loaded machine), so later deadlines count computation only.
   */
  timeoutMs?: number;
  /** Whose task it is (a user id): owners take turns at the threads. Default: one shared owner. */
  owner?: string;
}

export interface ComputePool {
  /**
   * Computes the task. Rejects with `DomainError` for out-of-domain arguments (before any work),
   * `ComputationTimeoutError`, `ComputationCrashedError`, `PoolClosedError`, or the signal's
   * reason when `signal` aborts first (a running task's worker is then stopped too).
   * The caller checks the result size against its budget first (`predictDigits`).
   */
  run(task: ComputeTask, options?: RunOptions & { text?: true }): Promise<ComputedText>;
  run(task: ComputeTask, options: RunOptions): Promise<Computed>;
  /**
   * Stops accepting tasks, lets running ones finish (or, with `force`, stops them: they reject
   * with `PoolClosedError`), ends the threads. A later call waits for the first, whatever its
   * options.
   */
  close(options?: { force?: boolean }): Promise<void>;
  stats(): ComputePoolStats;
}

export function createComputePool(options: ComputePoolOptions): ComputePool {
  const maxThreads = options.maxThreads ?? availableParallelism();
  const minThreads = Math.min(options.minThreads ?? 1, maxThreads);
  const inlineMaxDigits = options.inlineMaxDigits ?? DEFAULT_INLINE_MAX_DIGITS;
  const { timeoutMs } = options;
  if (!(Number.isInteger(maxThreads) && maxThreads >= 1)) {
    throw new RangeError('maxThreads must be a positive integer');
  }
  if (!(Number.isFinite(timeoutMs) && timeoutMs > 0)) {
    throw new RangeError('timeoutMs must be a positive number');
  }

  const worker = resolveWorkerFile(import.meta.url);
  const piscina = new Piscina<ComputeJob, Computed>({
    filename: worker.filename,
    execArgv: worker.execArgv,
    maxThreads,
    minThreads,
    // Idle threads above minThreads linger briefly so a burst of big tasks reuses them.
    idleTimeout: 30_000,
    // Each worker lowers its own thread's priority (workerFile.ts says why).
    niceIncrement: options.niceIncrement ?? WORKER_NICE_INCREMENT,
    resourceLimits: options.resourceLimits ?? DEFAULT_RESOURCE_LIMITS,
  });
  // piscina emits 'error' for a worker that fails with no task to blame; unhandled, an 'error'
  // event would crash the process.
  const onWorkerError = options.onWorkerError ?? ((error: Error) => console.error(error));
  piscina.on('error', onWorkerError);

  const counts = { inline: 0, pooled: 0, timedOut: 0, crashed: 0, pending: 0, threadsEnded: 0 };
  const onWorkerDestroy = () => counts.threadsEnded++;
  piscina.on('workerDestroy', onWorkerDestroy);
  let closed = false;
  let closing: Promise<void> | undefined;
  /**
   * One controller per pooled task, aborted at its deadline or by a forced close (piscina's own
   * forced close only drops queued tasks). Per task, not one shared signal for the pool: a
   * long-lived source passed to AbortSignal.any keeps growing on Node 20.
   */
  const stoppers = new Set<AbortController>();
  const DEADLINE = 'deadline';

  /**
   * Tasks handed to piscina (at most one per thread), and those waiting for a thread: by owner,
   * each owner's in submission order, owners in the order of their turns (a Map keeps insertion
   * order; an owner served goes to the back).
   */
  let started = 0;
  const waiting = new Map<string, Array<() => void>>();
  let waitingCount = 0;
  let onIdle: (() => void) | undefined;

  /** The next owner's oldest task, that owner moved to the back of the round. */
  function nextInTurn(): (() => void) | undefined {
    const first = waiting.entries().next();
    if (first.done) return undefined;
    const [owner, queue] = first.value;
    waiting.delete(owner);
    const start = queue.shift();
    if (queue.length > 0) waiting.set(owner, queue);
    return start;
  }

  /** Resolves when the task may start, owners in turn; rejects if `signal` aborts first. */
  function takeThread(signal: AbortSignal, owner: string): Promise<void> {
    if (started < maxThreads && waitingCount === 0) {
      started++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const start = () => {
        signal.removeEventListener('abort', stop);
        waitingCount--;
        started++;
        resolve();
      };
      const stop = () => {
        const queue = waiting.get(owner) ?? [];
        queue.splice(queue.indexOf(start), 1);
        if (queue.length === 0) waiting.delete(owner);
        waitingCount--;
        reject(signal.reason);
      };
      signal.addEventListener('abort', stop, { once: true });
      const queue = waiting.get(owner);
      if (queue) queue.push(start);
      else waiting.set(owner, [start]);
      waitingCount++;
    });
  }

  function releaseThread(): void {
    started--;
    while (started < maxThreads && waitingCount > 0) nextInTurn()?.();
    if (started === 0 && waitingCount === 0) {
      onIdle?.();
      onIdle = undefined;
    }
  }

  /** Resolves once no task is running or waiting. */
  function idle(): Promise<void> {
    if (started === 0 && waitingCount === 0) return Promise.resolve();
    return new Promise((resolve) => (onIdle = resolve));
  }

  async function runPooled(
    job: ComputeJob,
    signal: AbortSignal | undefined,
    deadlineMs: number,
    owner: string,
  ): Promise<Computed> {
    signal?.throwIfAborted();
    const stopper = new AbortController();
    const timer = setTimeout(() => stopper.abort(DEADLINE), deadlineMs);
    const combined = signal ? AbortSignal.any([signal, stopper.signal]) : stopper.signal;
    stoppers.add(stopper);
    counts.pending++;
    try {
      await takeThread(combined, owner);
      let computed: Computed;
      try {
        computed = await piscina.run(job, { signal: combined });
      } finally {
        releaseThread();
      }
      counts.pooled++;
      return computed;
    } catch (error) {
      if (stopper.signal.reason === DEADLINE) {
        counts.timedOut++;
        throw new ComputationTimeoutError(deadlineMs, { cause: error });
      }
      if (stopper.signal.aborted) throw new PoolClosedError({ cause: error });
      if (signal?.aborted) throw signal.reason;
      const crash = crashReason(error);
      if (crash !== undefined) {
        counts.crashed++;
        throw new ComputationCrashedError(crash, { cause: error });
      }
      throw error;
    } finally {
      clearTimeout(timer);
      stoppers.delete(stopper);
      counts.pending--;
    }
  }

  async function run(
    task: ComputeTask,
    {
      text = true,
      signal,
      predictedDigits,
      timeoutMs: deadlineMs = timeoutMs,
      owner = '',
    }: RunOptions = {},
  ): Promise<Computed> {
    if (closed) throw new PoolClosedError();
    if (predictedDigits === undefined) assertTask(task);
    // Small both ways: a short result can take long working numbers (a root's).
    const size = Math.max(predictedDigits ?? predictDigits(task), workDigits(task));
    if (size <= inlineMaxDigits) {
      signal?.throwIfAborted();
      const computed = evaluate(task, { text });
      counts.inline++;
      return computed;
    }
    return runPooled({ task, text }, signal, deadlineMs, owner);
  }

  return {
    // `evaluate` writes the text whenever `text` is true, which is what the first overload says.
    run: run as ComputePool['run'],

    close({ force = false } = {}) {
      closed = true;
      if (force && !closing) stoppers.forEach((stopper) => stopper.abort());
      // Queued tasks still run (each within its deadline) unless the close is forced; piscina
      // would refuse them once closing.
      closing ??= idle()
        .then(() => piscina.close({ force }))
        .finally(() => {
          piscina.off('error', onWorkerError);
          piscina.off('workerDestroy', onWorkerDestroy);
        });
      return closing;
    },

    stats() {
      return { ...counts, threads: piscina.threads.length };
    },
  };
}

/** A short reason when the error means the worker itself died, undefined for a task's own error. */
function crashReason(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ERR_WORKER_OUT_OF_MEMORY') return 'out of memory';
  if (typeof code === 'string' && code.startsWith('ERR_WORKER_')) return code;
  if (/^worker exited with code/.test(error.message)) return error.message;
  return undefined;
}
