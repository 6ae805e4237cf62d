/** Errors of the compute pool itself, as opposed to bad arguments (see ../kernels/errors.ts). */

/** The computation ran past the pool's `timeoutMs`; its worker was terminated. */
export class ComputationTimeoutError extends Error {
  override readonly name = 'ComputationTimeoutError';

  constructor(
    readonly timeoutMs: number,
    options?: ErrorOptions,
  ) {
    super(`The computation took longer than ${timeoutMs} ms and was stopped`, options);
  }
}

/** The worker running the task died (e.g. it ran out of memory); only that task fails. */
export class ComputationCrashedError extends Error {
  override readonly name = 'ComputationCrashedError';

  constructor(
    /** Short cause for logs, e.g. "out of memory". */
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`The computation failed: ${reason}`, options);
  }
}

/** `run()` after `close()`, or a task stopped by `close({ force: true })`. */
export class PoolClosedError extends Error {
  override readonly name = 'PoolClosedError';

  constructor(options?: ErrorOptions) {
    super('The compute pool is closed: the service is shutting down', options);
  }
}
