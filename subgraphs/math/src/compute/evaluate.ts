/**
 * One task from arguments to its answer, synchronously. The pool calls it on the main thread
 * for small tasks and inside a worker for big ones. The BigInt → decimal text conversion happens
 * here too, and only when the caller wants the text (`Calculation.result` is selected): for big
 * results it costs more than the arithmetic (200000!: ~30 ms to compute, ~200 ms to convert), and
 * the digit count and the preview can be had without it (see kernels/decimalSummary.ts).
 */
import { digitCount, preview } from '../kernels/decimal.js';
import {
  bitLength,
  DEFAULT_CONVERT_UP_TO_BITS,
  summarizeDecimal,
} from '../kernels/decimalSummary.js';
import type { Decimal } from '../kernels/numeric.js';
import { toPlainString } from '../kernels/numeric.js';
import { toFractionString } from '../kernels/rational.js';
import type { ComputeTask } from '../kernels/task.js';
import { resultValue } from '../operations/registry.js';

export interface EvaluateOptions {
  /**
   * Write the whole result in decimal; default true. When false the text is still written for
   * small results, where it costs microseconds and lets a cached answer serve either kind of
   * request.
   */
  text?: boolean;
}

export interface Computed {
  /**
   * The decimal text: exact, or for an inexact power rounded to its precision. Absent only for
   * big results whose text was not asked for.
   */
  result?: string;
  exact: boolean;
  /** A rational power that has no finite decimal, in lowest terms ("1/9"); else absent. */
  fraction?: string;
  /** Digits of the result (sign, point and exponent excluded): counted, not predicted. */
  digits: number;
  /** The result's leading and trailing digits around "…", or all of it when short. */
  preview: string;
  /** Time spent computing (and converting), where it ran; excludes queueing and thread hops. */
  computeMs: number;
}

/** A `Computed` whose text was asked for, so it is there. */
export type ComputedText = Computed & { result: string };

export function evaluate(task: ComputeTask, { text = true }: EvaluateOptions = {}): Computed {
  const started = performance.now();
  const { decimal, exact, fraction } = resultValue(task);
  const answer =
    text || isSmall(decimal)
      ? described(toPlainString(decimal), exact)
      : { exact, ...summarizeDecimal(decimal) };
  return {
    ...answer,
    ...(fraction === undefined ? {} : { fraction: toFractionString(fraction) }),
    computeMs: performance.now() - started,
  };
}

function isSmall({ coefficient }: Decimal): boolean {
  return bitLength(coefficient < 0n ? -coefficient : coefficient) <= DEFAULT_CONVERT_UP_TO_BITS;
}

function described(result: string, exact: boolean): Omit<Computed, 'computeMs'> {
  return { result, exact, digits: digitCount(result), preview: preview(result) };
}
