/** Timing synchronous work on this thread. */

export interface Timed<T> {
  /** The fastest run's wall time, in milliseconds. */
  ms: number;
  runs: number;
  /** The last run's value. */
  value: T;
}

/**
 * Runs `work` at least once and repeats it while the runs so far total under `minTotalMs`, so
 * a sub-millisecond kernel is timed over many runs and a slow one once. The fastest run is the
 * one least disturbed by other work on the machine and by garbage collection: for CPU-bound
 * code, disturbances only ever add time.
 */
export function timeRepeated<T>(work: () => T, minTotalMs: number, maxRuns = 50): Timed<T> {
  const times: number[] = [];
  let total = 0;
  let value: T;
  do {
    const started = performance.now();
    value = work();
    const elapsed = performance.now() - started;
    times.push(elapsed);
    total += elapsed;
  } while (total < minTotalMs && times.length < maxRuns);
  return { ms: Math.min(...times), runs: times.length, value };
}
