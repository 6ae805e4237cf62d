/**
 * The `Idempotency-Key` of each calculation the user asks for (packages/shared/src/
 * idempotencyKey.ts): a fresh random key per request, kept only while its outcome is in doubt.
 *
 * When a request's connection fails (the router, or the web app's proxy to it, died: no answer
 * from our router at all), the web app sends it again by itself a few times (calculate.ts), and
 * after that the user may. Either may be after math answered and logged the first attempt, so
 * sending the same calculation again reuses its key, and math answers with the first attempt's
 * log instead of logging it twice. Any answer from the router (a result, or an error with a contract code)
 * settles the calculation: sending it again then is a new calculation with a new key. So does
 * a cancellation of a calculation not in doubt: the user ended that one. Cancelling one already
 * in doubt (while it waits to be sent again, or sent again by hand) leaves it in doubt: an
 * earlier attempt may have been logged, so the next send reuses its key. A different
 * calculation never reuses a key.
 */
import { graphQLErrorsOf, isAbortError, codeOf } from '../graphql/operationErrors';
import type { CalculationRequest } from './calculationArguments';

export interface CalculationKeys {
  /** The key to send `request` with: the in-doubt one of the same calculation, else a new one. */
  keyFor(request: CalculationRequest): string;
  /**
   * Records how the attempt sent with `key` ended: answered (`error` undefined) or failed. A
   * cancellation leaves a calculation already in doubt as it was.
   */
  settle(request: CalculationRequest, key: string, error?: unknown): void;
}

/** A random UUID (v4). `crypto.randomUUID` exists only in secure contexts; this works anywhere. */
export function randomKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** True when the router said nothing about the attempt: it may or may not have reached math. */
export function outcomeInDoubt(error: unknown): boolean {
  if (isAbortError(error)) return false;
  return graphQLErrorsOf(error).every((graphQLError) => codeOf(graphQLError) === undefined);
}

const sameCalculation = (request: CalculationRequest) =>
  JSON.stringify([request.operation, request.variables]);

export function createCalculationKeys(newKey: () => string = randomKey): CalculationKeys {
  let inDoubt: { calculation: string; key: string } | undefined;
  return {
    keyFor(request) {
      const calculation = sameCalculation(request);
      return inDoubt?.calculation === calculation ? inDoubt.key : newKey();
    },
    settle(request, key, error) {
      const failedInDoubt = error !== undefined && outcomeInDoubt(error);
      if (failedInDoubt) inDoubt = { calculation: sameCalculation(request), key };
      // A key is only ever reused for its own calculation, so the same key is the same one.
      else if (inDoubt?.key === key && !isAbortError(error)) inDoubt = undefined;
    },
  };
}
