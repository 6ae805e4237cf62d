/**
 * What became of the last request when it did not give an answer: the status line
 * CalculationStatus.vue shows, which CalculatorPanel sets.
 *
 * `unavailable`: a service the calculation needs is away for now (SERVICE_UNAVAILABLE with
 * `retryAfterSeconds`, such as math stopped); nothing was wrong with what was asked, so it is not
 * worded as a refusal, and the calculation is sent again by itself after the wait.
 */
export type StatusKind = 'error' | 'refused' | 'cancelled' | 'unavailable';

/** What became of the last request when it did not give an answer. */
export interface Status {
  kind: StatusKind;
  messages: string[];
}
