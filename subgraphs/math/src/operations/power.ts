/**
 * power(base: Numeric!, exponent: Numeric!, precision: Int): base^exponent for rational base and
 * exponent, exact whenever the answer is rational, else rounded to `precision` significant digits.
 */
import { bitLength } from '../kernels/decimalSummary.js';
import { DomainError } from '../kernels/errors.js';
import { NumericInputError } from '../kernels/numeric.js';
import {
  assertPowerArguments,
  DEFAULT_PRECISION,
  isTerminatingPower,
  power,
  powerWorkDigits,
  type PowerArgs,
} from '../kernels/power.js';
import {
  parseRational,
  toCanonicalRational,
  toDecimal,
  type Rational,
} from '../kernels/rational.js';
import { powerDigitRange } from '../kernels/size.js';
import { integerArgument } from './factorial.js';
import type { OperationModule } from './operation.js';

export const powerOperation: OperationModule<'POWER'> = {
  operation: 'POWER',
  field: 'power',
  parseArguments: ({ base, exponent, precision }) => ({
    base: numericArgument('base', base),
    exponent: numericArgument('exponent', exponent),
    // An omitted or null `precision` is the default (the schema's argument is nullable).
    precision: precision == null ? DEFAULT_PRECISION : integerArgument('precision', precision),
  }),
  assertArguments: ({ base, exponent, precision }, maxDigits) =>
    assertPowerArguments(base, exponent, precision, maxDigits),
  canonicalInput: (args) =>
    JSON.stringify({
      base: toCanonicalRational(args.base),
      exponent: toCanonicalRational(args.exponent),
      ...(precisionMatters(args) ? { precision: args.precision } : {}),
    }),
  predictDigits: (args) => powerDigitRange(args),
  workDigits: ({ base, exponent, precision }) => powerWorkDigits(base, exponent, precision),
  compute: (args) => {
    const outcome = power(args);
    return outcome.kind === 'rational'
      ? { exact: false, decimal: outcome.value, fraction: outcome.fraction }
      : { exact: outcome.kind === 'exact', decimal: outcome.value };
  },
};

/**
 * Whether `precision` can change a power's answer: it cannot when the answer is a terminating
 * decimal (2^3, 2^-1, 4^(1/2), (8/27)^(-2/3)), answered in full whatever the precision, and then
 * it is no part of the request's identity (cache key, log input), so asking again at another
 * precision is a cache hit. Arguments the domain check refuses keep it (plan.ts logs them as sent).
 */
export function precisionMatters({ base, exponent, precision }: PowerArgs): boolean {
  // A decimal base to a non-negative integer exponent: terminating, whatever the sizes.
  if (exponent.den === 1n && exponent.num >= 0n && toDecimal(base) !== undefined) return false;
  // The rest is found by roots and factor counts of the base, which the digit prediction works
  // out again: on a base of thousands of digits that would cost every request (cache hits
  // included) tens of milliseconds more, where keeping the precision only costs a cache miss.
  if (bitLength(abs(base.num)) + bitLength(base.den) > TERMINATING_CHECK_MAX_BITS) return true;
  try {
    assertPowerArguments(base, exponent, precision);
  } catch {
    return true;
  }
  return !isTerminatingPower(base, exponent);
}

/** About 1,200 decimal digits of base, numerator and denominator together (see precisionMatters). */
const TERMINATING_CHECK_MAX_BITS = 4_096;

const abs = (n: bigint) => (n < 0n ? -n : n);

/** A `Numeric` argument (its text as written, or "p/q") parsed exactly; a broken rule names it. */
function numericArgument(argument: string, text: unknown): Rational {
  try {
    return parseRational(text as string); // parseRational refuses anything but a string itself
  } catch (error) {
    if (error instanceof NumericInputError) throw new DomainError(argument, error.message);
    throw error;
  }
}
