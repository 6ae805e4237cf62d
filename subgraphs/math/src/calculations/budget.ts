import { resultTooLarge } from '@microservice-math/shared/errors';

/**
 * The digits one GraphQL operation may ask for, summed over all its math fields, so aliases
 * cannot multiply `MATH_MAX_DIGITS`. budgetPlugin.ts plans the whole operation before any field
 * resolves; an operation over budget then has every math field refused, none computed. Fields
 * also reserve as they resolve, which holds the sum wherever the plan could not see them.
 */
export class DigitBudget {
  private planned = 0;
  private reserved = 0;

  constructor(readonly maxDigits: number) {}

  /** Records the predicted digits of all the operation's math fields together. */
  plan(totalDigits: number): void {
    this.planned = totalDigits;
  }

  /** Whether a field of this many digits would still fit. */
  fits(digits: number): boolean {
    return Math.max(this.planned, this.reserved + digits) <= this.maxDigits;
  }

  /** Takes a field's predicted digits from the budget, or throws `RESULT_TOO_LARGE`. */
  reserve(predictedDigits: number): void {
    const total = Math.max(this.planned, this.reserved + predictedDigits);
    if (total > this.maxDigits) {
      throw resultTooLarge(
        `The result would have about ${formatCount(predictedDigits)} digits` +
          (total > predictedDigits ? ` (${formatCount(total)} for this whole request)` : '') +
          `; the limit is ${formatCount(this.maxDigits)}`,
        {
          maxDigits: this.maxDigits,
          predictedDigits: Math.min(Math.ceil(total), Number.MAX_SAFE_INTEGER),
        },
      );
    }
    this.reserved += predictedDigits;
  }
}

function formatCount(n: number): string {
  return Number.isFinite(n) && n < 1e15 ? Math.ceil(n).toLocaleString('en-US') : n.toExponential(2);
}
