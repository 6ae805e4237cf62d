import { resultTooLarge } from '@microservice-math/shared/errors';
import type { GraphQLError } from 'graphql';
import type { DigitRange } from '../kernels/size.js';

/**
 * The digits one GraphQL operation may ask for, summed over all its math fields, so aliases
 * cannot multiply `MATH_MAX_DIGITS`. budgetPlugin.ts plans the whole operation before any field
 * resolves: fields are admitted in the order written while the least each can be still fits
 * beside those before it, and the rest are refused before anything is computed, so a small
 * field after a refused big one keeps its answer. Fields also reserve as they resolve, which
 * holds the sum wherever the plan could not see them.
 */
export class DigitBudget {
  private planned = 0;
  /** Whether a field admitted so far had a wide range: `planned` is then only a least. */
  private plannedLeast = false;
  private reserved = 0;

  constructor(readonly maxDigits: number) {}

  /**
   * Admits the next field of the plan, in document order, when at least the least it can be
   * (`predicted.low`) still fits beside the fields admitted before it; else the error it is
   * refused with.
   */
  admit(predicted: DigitRange): GraphQLError | undefined {
    const total = this.planned + predicted.low;
    // A rounded result's trailing zeros are unknown: √2 to 500,000 digits has between 1 and
    // 500,000. The message then says so rather than "about 1 digit". An estimate's own error
    // (a digit or two, a few parts in 10^12 of a huge count) is what "about" means.
    const wide =
      predicted.high - predicted.low > Math.max(2, predicted.high * 1e-9) &&
      predicted.low < COUNTABLE;
    if (total > this.maxDigits) {
      return this.tooLarge(predicted.low, total, {
        digits: wide ? between(predicted.low, predicted.high) : undefined,
        totalIsLeast: wide || this.plannedLeast,
        withFraction: predicted.withFraction === true,
      });
    }
    this.planned = total;
    this.plannedLeast ||= wide;
    return undefined;
  }

  /** Whether a field of this many digits would still fit. */
  fits(digits: number): boolean {
    return Math.max(this.planned, this.reserved + digits) <= this.maxDigits;
  }

  /**
   * Takes a field's predicted (or computed) digits from the budget, or throws `RESULT_TOO_LARGE`.
   * `precision`, for a rounded answer whose digits fewer significant digits would reduce: the
   * refusal then says how many would fit, since its text also holds digits that are not
   * significant ("0." and the zeros after the point of an answer below 1). `withFraction`: the
   * digits count the answer's fraction too (a rational with no finite decimal), which the refusal
   * says, since the answer's `digits` field counts its result alone.
   */
  reserve(digits: number, precision?: PrecisionAdvice, withFraction = false): void {
    const total = Math.max(this.planned, this.reserved + digits);
    if (total > this.maxDigits) {
      throw this.tooLarge(digits, total, {
        advice: precision && fewerDigits(precision, total - this.maxDigits),
        withFraction,
      });
    }
    this.reserved += digits;
  }

  /**
   * `digits` for this field, `total` with the others it is counted with; `wording.digits` says
   * the field's size when a range says it better, `totalIsLeast` when the total is only a least.
   */
  private tooLarge(
    digits: number,
    total: number,
    wording: {
      digits?: string | undefined;
      totalIsLeast?: boolean;
      advice?: string | undefined;
      withFraction?: boolean;
    } = {},
  ): GraphQLError {
    const totalText =
      wording.totalIsLeast && total < COUNTABLE
        ? `at least ${formatCount(total)}`
        : estimate(total);
    return resultTooLarge(
      `${wording.withFraction ? 'The result and its fraction' : 'The result'} would have ` +
        `${wording.digits ?? withUnit(estimate(digits), digits)}` +
        (total > digits ? ` (${totalText} with the fields before it in this request)` : '') +
        `; the limit is ${formatCount(this.maxDigits)}` +
        (wording.advice ?? ''),
      total < COUNTABLE
        ? {
            maxDigits: this.maxDigits,
            // The number the message rounds: beyond 2^53 a double, as JSON numbers are anyway.
            predictedDigits: Math.ceil(total),
          }
        : // Past counting the estimate is no count at all (it saturates near the largest
          // double, and two requests differing by a factor of 10^99,000 can get the same one):
          // say what is known, that it is more than COUNTABLE, as the message does.
          {
            maxDigits: this.maxDigits,
            predictedDigits: COUNTABLE,
            predictedDigitsIsLowerBound: true,
          },
    );
  }
}

/**
 * Predictions saturate near the largest double (kernels/size.ts): past this they are no longer a
 * count of anything, only "too many".
 */
const COUNTABLE = 1e300;

/** The precision a rounded answer was asked for, and the most that would write `over` fewer digits. */
export interface PrecisionAdvice {
  asked: number;
  /** Undefined when no precision would (the digits are not the precision's to reduce). */
  fitting(over: number): number | undefined;
}

/** Advice for a rounded answer `over` digits past the limit: the precision that would fit, if any. */
function fewerDigits({ asked, fitting }: PrecisionAdvice, over: number): string | undefined {
  const most = fitting(over);
  if (most === undefined || most < 1) return undefined;
  return `: ask for at most ${withUnit(`${formatCount(most)} significant`, most)} (precision ${formatCount(asked)} was asked for)`;
}

/** "1 to 500,000 digits", or "at least 1 digit" when the most it can be is past counting. */
function between(low: number, high: number): string {
  if (high >= COUNTABLE) return withUnit(`at least ${formatCount(low)}`, low);
  return `between ${formatCount(low)} and ${formatCount(high)} digits`;
}

/** "about 7 digits", "about 1 digit". */
function withUnit(count: string, n: number): string {
  return `${count} ${Math.ceil(n) === 1 ? 'digit' : 'digits'}`;
}

/** "about 3,010,300", "about 8.45 × 10^16", or "more than 10^300" where the estimate saturates. */
function estimate(n: number): string {
  return n < COUNTABLE ? `about ${formatCount(n)}` : `more than 10^${Math.log10(COUNTABLE)}`;
}

/** Large counts as people write them (the web app shows magnitudes as "× 10^"), not "8.45e+16". */
function formatCount(n: number): string {
  if (n < 1e15) return Math.ceil(n).toLocaleString('en-US');
  const [mantissa, exponent] = n.toExponential(2).split('e');
  return `${mantissa} × 10^${Number(exponent)}`;
}
