/** Timing synchronous work on this thread. */

export interface Timed<T> {
  /** Median wall time of the runs, in milliseconds. */
  ms: number;
  runs: number;
  /** The last run's value. */
  value: T;
}

/**
 * Runs `work` at least once and repeats it while the runs so far total under `minTotalMs`, so
 * a sub-millisecond kernel is timed over many runs and a slow one once. The median resists the
 * odd run that met a garbage collection.
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
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)] as number, runs: times.length, value };
}
