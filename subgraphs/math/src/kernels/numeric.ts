/**
 * The `Numeric` scalar's text as an exact decimal. A GraphQL Int or Float literal reaches us as
 * its source text, and a numeric string as itself; neither may pass through a double, or
 * `123456789012345678901234567890` would be rounded before we ever saw it. The accepted grammar
 * and the words of each refusal are in `@microservice-math/shared/numericRules`, which the web
 * app checks its fields by too.
 */
import {
  DECIMAL_PATTERN,
  decimalProblem,
  MAX_NUMERIC_LENGTH,
  MAX_WRITTEN_EXPONENT,
} from '@microservice-math/shared/numericRules';

export { MAX_NUMERIC_LENGTH, MAX_WRITTEN_EXPONENT };

/**
 * value = coefficient · 10^exponent, always normalized: the coefficient has no trailing zeros
 * (so equal values have equal representations) and zero is `{ coefficient: 0n, exponent: 0 }`.
 */
export interface Decimal {
  readonly coefficient: bigint;
  readonly exponent: number;
}

/** Text that is not an acceptable `Numeric`; `message` is the rule it broke, for the caller. */
export class NumericInputError extends Error {
  override readonly name = 'NumericInputError';
}

export const ZERO: Decimal = Object.freeze({ coefficient: 0n, exponent: 0 });

/** Parses a `Numeric` text exactly, or throws `NumericInputError` naming the broken rule. */
export function parseNumeric(text: string): Decimal {
  if (typeof text !== 'string') throw new NumericInputError('expected a number or numeric text');
  const problem = decimalProblem(text);
  if (problem !== undefined) throw new NumericInputError(problem);
  const [, sign, integerDigits = '', fractionDigits = '', writtenExponent = '0'] =
    DECIMAL_PATTERN.exec(text) ?? [];

  const digits = integerDigits + fractionDigits;
  const magnitude = BigInt(digits);
  return normalize(
    sign === '-' ? -magnitude : magnitude,
    Number(writtenExponent) - fractionDigits.length,
  );
}

/** Builds the normalized form of coefficient · 10^exponent (trailing zeros moved to the exponent). */
export function normalize(coefficient: bigint, exponent: number): Decimal {
  if (coefficient === 0n) return ZERO;
  let c = coefficient;
  let e = exponent;
  // Strip zeros in big steps first: a coefficient like 1000…0 (thousands of digits) would
  // otherwise take one BigInt division per zero.
  const text = (c < 0n ? -c : c).toString();
  const zeros = text.length - text.replace(/0+$/, '').length;
  if (zeros > 0) {
    c /= 10n ** BigInt(zeros);
    e += zeros;
  }
  return { coefficient: c, exponent: e };
}

/** True when the value is a whole number (relies on normalization). */
export function isInteger(value: Decimal): boolean {
  return value.exponent >= 0;
}

export function isZero(value: Decimal): boolean {
  return value.coefficient === 0n;
}

export function isNegative(value: Decimal): boolean {
  return value.coefficient < 0n;
}

/** The nearest double. JavaScript's string-to-number conversion rounds correctly. */
export function toNumber(value: Decimal): number {
  return Number(`${value.coefficient}e${value.exponent}`);
}

/**
 * The exact integer value. Only for integers whose size the caller has bounded: `1e1000000`
 * is a million-digit BigInt.
 */
export function toBigInt(value: Decimal): bigint {
  if (!isInteger(value)) throw new RangeError(`${toCanonicalString(value)} is not an integer`);
  return value.coefficient * 10n ** BigInt(value.exponent);
}

/**
 * Plain positional text with no exponent and no trailing fractional zeros: `-0.0015`, `1500`.
 * Its length grows with |exponent|, so it is meant for results, whose size is bounded before
 * they are computed.
 */
export function toPlainString(value: Decimal): string {
  const negative = value.coefficient < 0n;
  const digits = (negative ? -value.coefficient : value.coefficient).toString();
  const sign = negative ? '-' : '';
  const e = value.exponent;
  if (e >= 0) return sign + digits + (value.coefficient === 0n ? '' : '0'.repeat(e));
  const fraction = -e;
  if (digits.length > fraction) {
    return `${sign}${digits.slice(0, digits.length - fraction)}.${digits.slice(-fraction)}`;
  }
  return `${sign}0.${'0'.repeat(fraction - digits.length)}${digits}`;
}

/**
 * Most zeros the canonical form writes out before switching to scientific notation, as
 * JavaScript does at 1e21 for doubles.
 */
export const MAX_PLAIN_PADDING = 20;

/**
 * The canonical text of a `Numeric` argument, used in cache keys and request logs, so every
 * spelling of one value (`1.50`, `15e-1`, `1.5E0`) maps to one string.
 *
 * Positional (`1.5`, `-12000`, `0.001`) when that writes at most 20 padding zeros; otherwise
 * scientific with one digit before the point and no `+`: `1e21`, `-1.5e300`, `2.5e-30`.
 * Never a trailing fractional zero, never `-0`. `parseNumeric` reads it back to the same value.
 */
export function toCanonicalString(value: Decimal): string {
  const negative = value.coefficient < 0n;
  const digits = (negative ? -value.coefficient : value.coefficient).toString();
  const e = value.exponent;
  const padding = e >= 0 ? e : Math.max(0, -e - digits.length);
  if (value.coefficient === 0n || padding <= MAX_PLAIN_PADDING) return toPlainString(value);
  const sign = negative ? '-' : '';
  const adjusted = e + digits.length - 1; // power of ten of the leading digit
  const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  return `${sign}${mantissa}e${adjusted}`;
}
