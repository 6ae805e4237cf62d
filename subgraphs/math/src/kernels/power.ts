/**
 * base^exponent for exact decimal arguments.
 *
 * - Non-negative integer exponent: exact. With base = c·10^e, base^k = c^k · 10^(e·k), so one
 *   BigInt exponentiation of the coefficient and a shift of the decimal point. Because the
 *   normalized c has no factor 10, neither has c^k: the result never gains trailing
 *   fractional zeros (2.50^2 = "6.25").
 * - Negative or fractional exponent: the double JavaScript computes,
 *   `Math.pow(toNumber(base), toNumber(exponent))`, marked inexact. The contract promises that
 *   result, so we do not try to be cleverer than the platform (e.g. for 4^-1 = 0.25).
 */
import { PowerDomainError } from './errors.js';
import type { Decimal } from './numeric.js';
import { isInteger, isNegative, isZero, toNumber } from './numeric.js';

// Callers catching power errors find the class beside the function that throws it.
export { PowerDomainError } from './errors.js';

export type PowerResult =
  | { readonly exact: true; readonly value: Decimal }
  | { readonly exact: false; readonly value: number };

/** True when the power is computed exactly (a non-negative integer exponent). */
export function isExactPower(exponent: Decimal): boolean {
  return isInteger(exponent) && !isNegative(exponent);
}

/**
 * Throws `PowerDomainError` for the arguments no power can answer. Checked before any work, and
 * before predicting the result's size, so that a bad request is a bad request, not a big one.
 */
export function assertPowerArguments(base: Decimal, exponent: Decimal): void {
  if (isZero(base) && isNegative(exponent)) {
    throw new PowerDomainError(
      'exponent',
      'must not be negative when the base is 0 (division by zero)',
    );
  }
  if (isNegative(base) && !isInteger(exponent)) {
    throw new PowerDomainError(
      'exponent',
      'must be an integer when the base is negative (the result would not be a real number)',
    );
  }
}

export function power(base: Decimal, exponent: Decimal): PowerResult {
  assertPowerArguments(base, exponent);
  if (isExactPower(exponent)) return { exact: true, value: exactPower(base, exponent) };

  const value = Math.pow(toNumber(base), toNumber(exponent));
  if (Number.isNaN(value)) {
    // Only reachable when the exponent rounds to ±Infinity as a double (1^Infinity is NaN).
    throw new PowerDomainError('exponent', 'is too large in magnitude to evaluate as a double');
  }
  if (!Number.isFinite(value)) {
    throw new PowerDomainError('exponent', 'makes the result overflow a double (beyond ±1.8e308)');
  }
  return { exact: false, value };
}

/**
 * c^k · 10^(e·k). Bases 0 and ±10^e are answered without exponentiation, so an exponent like
 * 10^18 still works for 1 and −1. For other bases the caller must bound the size first
 * (see `size.ts`): the exponent is then small enough to be exact as a double.
 */
function exactPower(base: Decimal, exponent: Decimal): Decimal {
  const { coefficient: c, exponent: e } = base;
  if (isZero(exponent)) return { coefficient: 1n, exponent: 0 }; // includes 0^0 = 1
  if (c === 0n) return base;
  if (c === 1n || c === -1n) {
    const sign = c === -1n && isOdd(exponent) ? -1n : 1n;
    return { coefficient: sign, exponent: e === 0 ? 0 : e * toNumber(exponent) };
  }
  const k = Number(exponent.coefficient * 10n ** BigInt(exponent.exponent));
  // Already normalized: c has no factor 10, so c^k has none either. Skipping normalize() also
  // skips a decimal conversion of the whole result.
  return { coefficient: integerPower(c, k), exponent: e * k };
}

/**
 * c^k for a safe integer k ≥ 1. V8's own `**` squares from the low bits up and multiplies the
 * growing result by ever larger squares; reading k from its high bits instead makes every step
 * one squaring plus at most a product by c, cheap when c is short (3^(10^6): ~1.5× faster).
 * Factors of two in c are taken out first and put back as a shift.
 */
export function integerPower(c: bigint, k: number): bigint {
  if (!Number.isSafeInteger(k) || k < 1) {
    throw new RangeError(`the exponent must be a safe positive integer, not ${k}`);
  }
  if (c === 0n) return 0n;
  const magnitude = c < 0n ? -c : c;
  const twos = trailingZeroBits(magnitude);
  const odd = magnitude >> BigInt(twos);
  let result = odd;
  if (odd !== 1n) {
    const bits = k.toString(2);
    for (let i = 1; i < bits.length; i++) {
      result *= result;
      if (bits[i] === '1') result *= odd;
    }
  }
  result <<= BigInt(twos * k);
  return c < 0n && k % 2 === 1 ? -result : result;
}

/** How many times 2 divides a positive BigInt. */
function trailingZeroBits(positive: bigint): number {
  let count = 0;
  let rest = positive;
  // In 32-bit steps first, so a big power of two does not cost one shift per bit.
  while ((rest & 0xffffffffn) === 0n) {
    rest >>= 32n;
    count += 32;
  }
  while ((rest & 1n) === 0n) {
    rest >>= 1n;
    count++;
  }
  return count;
}

/** Parity of an integer decimal without expanding it: any positive power of ten is even. */
function isOdd(integer: Decimal): boolean {
  return integer.exponent === 0 && integer.coefficient % 2n !== 0n;
}
