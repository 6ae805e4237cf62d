/**
 * One task from arguments to decimal text, synchronously. The pool calls it on the main thread
 * for small tasks and inside a worker for big ones; either way the BigInt → text conversion
 * happens here, because for big results it costs more than the arithmetic (100000!: ~20 ms to
 * compute, ~75 ms to convert).
 */
import { digitCount } from '../kernels/decimal.js';
import { factorial } from '../kernels/factorial.js';
import { fibonacci } from '../kernels/fibonacci.js';
import { toPlainString } from '../kernels/numeric.js';
import { power } from '../kernels/power.js';
import type { ComputeTask } from '../kernels/task.js';

export interface Computed {
  /** The exact decimal text, or for an inexact power the shortest round-trip double. */
  result: string;
  exact: boolean;
  /** Digits in `result` (sign, point and exponent excluded): counted, not predicted. */
  digits: number;
  /** Time spent computing and converting, where it ran; excludes queueing and thread hops. */
  computeMs: number;
}

export function evaluate(task: ComputeTask): Computed {
  const started = performance.now();
  const { result, exact } = resultText(task);
  return { result, exact, digits: digitCount(result), computeMs: performance.now() - started };
}

function resultText(task: ComputeTask): { result: string; exact: boolean } {
  switch (task.operation) {
    case 'FACTORIAL':
      return { result: factorial(task.args.n).toString(), exact: true };
    case 'FIBONACCI':
      return { result: fibonacci(task.args.n).toString(), exact: true };
    case 'POWER': {
      const outcome = power(task.args.base, task.args.exponent);
      return outcome.exact
        ? { result: toPlainString(outcome.value), exact: true }
        : { result: String(outcome.value), exact: false };
    }
  }
}
