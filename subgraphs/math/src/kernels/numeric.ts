/**
 * The `Numeric` scalar's text as an exact decimal. A GraphQL Int or Float literal reaches us as
 * its source text, and a numeric string as itself; neither may pass through a double, or
 * `123456789012345678901234567890` would be rounded before we ever saw it.
 *
 * Accepted grammar (the GraphQL number grammar, plus leading zeros):
 *   -?  digits  ( . digits )?  ( [eE] [+-]? digits )?
 * A leading `+` is refused: GraphQL's own number literals cannot carry one, and one spelling per
 * sign keeps the accepted language small. `.5` and `5.` are refused for the same reason.
 */

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

/** Longest accepted text. Far beyond any useful input, small enough that parsing stays cheap. */
export const MAX_NUMERIC_LENGTH = 10_000;
/**
 * Largest written exponent (the part after `e`). Without a bound, `1e999999999` is a 3-billion-bit
 * integer that no later step could represent. Arguments become exact fractions (rational.ts), so
 * `1e100000` is a 100,000-digit integer, built in a few milliseconds; a million would take
 * ~0.2 s of the event loop per request. Tiny values like `1e-400` still pass.
 */
export const MAX_WRITTEN_EXPONENT = 100_000;

const NUMBER = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

export const ZERO: Decimal = Object.freeze({ coefficient: 0n, exponent: 0 });

/** Parses a `Numeric` text exactly, or throws `NumericInputError` naming the broken rule. */
export function parseNumeric(text: string): Decimal {
  if (typeof text !== 'string') throw new NumericInputError('expected a number or numeric text');
  if (text === '') throw new NumericInputError('a number is required, not an empty string');
  if (text.length > MAX_NUMERIC_LENGTH) {
    throw new NumericInputError(`must be at most ${MAX_NUMERIC_LENGTH} characters long`);
  }
  const match = NUMBER.exec(text);
  if (!match) throw new NumericInputError(explainMalformed(text));
  const [, sign, integerDigits = '', fractionDigits = '', writtenExponent = '0'] = match;

  // Compare the exponent's digits as text first so a 5000-digit exponent is not parsed at all.
  const exponentDigits = writtenExponent.replace(/^[+-]?0*/, '');
  if (
    exponentDigits.length > String(MAX_WRITTEN_EXPONENT).length ||
    Math.abs(Number(writtenExponent)) > MAX_WRITTEN_EXPONENT
  ) {
    throw new NumericInputError(
      `the exponent after "e" must be between -${MAX_WRITTEN_EXPONENT} and ${MAX_WRITTEN_EXPONENT}`,
    );
  }

  const digits = integerDigits + fractionDigits;
  const magnitude = BigInt(digits);
  return normalize(
    sign === '-' ? -magnitude : magnitude,
    Number(writtenExponent) - fractionDigits.length,
  );
}

/** The most helpful reason for text that does not match the grammar; checked in order. */
function explainMalformed(text: string): string {
  if (text.trim() !== text) return 'must not have spaces around the number';
  if (/^[+-]?(nan|inf|infinity)$/i.test(text)) {
    return 'NaN and Infinity are not numbers with an exact decimal value';
  }
  if (/^[+-]?0[xob]/i.test(text)) {
    return 'only decimal notation is accepted (no hexadecimal, octal or binary)';
  }
  if (text.startsWith('+')) return 'must not start with "+"; write positive numbers without a sign';
  if (/\d[,_ ]\d/.test(text)) return 'must not contain digit separators such as "," or "_"';
  if (/(^-?\.)|(\.($|[eE]))/.test(text)) return 'needs digits on both sides of the decimal point';
  return 'expected a decimal number such as 42, -1.5 or 6.02e23';
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
