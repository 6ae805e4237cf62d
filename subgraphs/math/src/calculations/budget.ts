import { GraphQLError } from 'graphql';

/**
 * The digits one GraphQL operation may ask for, summed over all its math fields, so aliases
 * cannot multiply `MATH_MAX_DIGITS`. Reserved before anything is computed.
 */
export class DigitBudget {
  private reserved = 0;

  constructor(readonly maxDigits: number) {}

  reserve(predictedDigits: number): void {
    const total = this.reserved + predictedDigits;
    if (total > this.maxDigits) {
      throw new GraphQLError(
        `The result would have about ${formatCount(predictedDigits)} digits` +
          (this.reserved > 0 ? ` (${formatCount(total)} for this whole request)` : '') +
          `; the limit is ${formatCount(this.maxDigits)}`,
        {
          extensions: {
            code: 'RESULT_TOO_LARGE',
            maxDigits: this.maxDigits,
            predictedDigits: Math.min(Math.ceil(total), Number.MAX_SAFE_INTEGER),
          },
        },
      );
    }
    this.reserved = total;
  }
}

function formatCount(n: number): string {
  return Number.isFinite(n) && n < 1e15 ? Math.ceil(n).toLocaleString('en-US') : n.toExponential(2);
}
