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

/** A calculating root field's operation and its coerced GraphQL arguments, not parsed yet. */
export interface CalculationRequest {
  operation: Operation;
  args: Readonly<Record<string, unknown>>;
}
