import type { Operation, RequestLogRecord } from '../logs/RequestLog.js';

/** A finished calculation as the `Calculation` type resolves it. */
export interface CalculationOutcome {
  operation: Operation;
  input: string;
  /** The decimal text; absent when the operation did not select `result` (see Calculation.ts). */
  result: string | undefined;
  exact: boolean;
  /** A rational power with no finite decimal, in lowest terms; null otherwise. */
  fraction: string | null;
  digits: number;
  cached: boolean;
  durationMs: number;
  log: RequestLogRecord;
}

export type CalculationRequest =
  | { operation: 'FACTORIAL'; n: number }
  | { operation: 'FIBONACCI'; n: number }
  | { operation: 'POWER'; base: string; exponent: string; precision: number };
