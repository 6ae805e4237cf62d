/**
 * Predicts how many decimal digits a result will have, before anything is computed, so a request
 * over the digit budget is refused in microseconds. Each prediction is an upper bound that is at
 * most 1 above the real count: log10 of the result is estimated in doubles, and a small safety
 * margin makes sure rounding can only push the estimate up, never down.
 *
 * Results can be astronomically large (`power(2, 1e18)`), so predictions may exceed
 * Number.MAX_SAFE_INTEGER or be Infinity: compare them with a limit, do not print them as counts.
 */
import { assertFactorialArgument } from './factorial.js';
import { assertFibonacciArgument } from './fibonacci.js';
import type { Decimal } from './numeric.js';
import { isZero, toNumber } from './numeric.js';
import { assertPowerArguments, isExactPower, power } from './power.js';
import { digitCount } from './decimal.js';

/** Digit count of a number whose log10 is `log10Value`, rounded up past floating-point error. */
function digitsFromLog10(log10Value: number): number {
  // Relative error of a handful of double operations is ~1e-15; 1e-12 leaves a wide berth.
  const margin = 1e-9 + Math.abs(log10Value) * 1e-12;
  return Math.max(1, Math.floor(log10Value + margin) + 1);
}

/** Below this n the exact sum of logarithms is cheap; above it Stirling's series is precise. */
const STIRLING_FROM = 256;

/** Digits of n!, from ln n! by Stirling's series (error below 1e-20 for n ≥ 256). */
export function factorialDigits(n: number): number {
  assertFactorialArgument(n);
  if (n < STIRLING_FROM) {
    let log10Value = 0;
    for (let k = 2; k <= n; k++) log10Value += Math.log10(k);
    return digitsFromLog10(log10Value);
  }
  const lnFactorial =
    n * Math.log(n) -
    n +
    0.5 * Math.log(2 * Math.PI * n) +
    1 / (12 * n) -
    1 / (360 * n ** 3) +
    1 / (1260 * n ** 5);
  return digitsFromLog10(lnFactorial / Math.LN10);
}

const LOG10_PHI = Math.log10((1 + Math.sqrt(5)) / 2); // ≈ 0.20898764, digits per index step
const LOG10_SQRT5 = Math.log10(Math.sqrt(5));
/** Below this |n| F(n) is counted exactly; above it φ^n/√5 is accurate to 1e-40 relative. */
const BINET_FROM = 100;

/** Digits of F(n) (the same for F(−n)), from F(n) ≈ φ^n/√5. */
export function fibonacciDigits(n: number): number {
  assertFibonacciArgument(n);
  const m = Math.abs(n);
  if (m < BINET_FROM) {
    let a = 0n;
    let b = 1n;
    for (let i = 0; i < m; i++) [a, b] = [b, a + b];
    return a.toString().length;
  }
  return digitsFromLog10(m * LOG10_PHI - LOG10_SQRT5);
}

/** log10 |c| for a nonzero BigInt, from its length and its 17 leading digits. */
function log10Magnitude(c: bigint): number {
  const digits = (c < 0n ? -c : c).toString();
  if (digits.length <= 17) return Math.log10(Number(digits));
  return Math.log10(Number(digits.slice(0, 17))) + (digits.length - 17);
}

/**
 * Digits of base^exponent as `power` would write it. Exact powers: with base = c·10^e and
 * exponent k, c^k has ⌊k·log10|c|⌋+1 digits; e ≥ 0 appends e·k zeros, e < 0 puts the point
 * −e·k digits from the right (with a leading "0." and padding when c^k is shorter).
 * Inexact powers are a single Math.pow, so their text is simply measured.
 */
export function powerDigits(base: Decimal, exponent: Decimal): number {
  assertPowerArguments(base, exponent);
  if (!isExactPower(exponent)) {
    const result = power(base, exponent);
    return digitCount(String(result.value));
  }
  if (isZero(exponent) || isZero(base)) return 1;

  const k = toNumber(exponent); // beyond 2^53 only the magnitude matters
  const { coefficient: c, exponent: e } = base;
  const coefficientDigits = c === 1n || c === -1n ? 1 : digitsFromLog10(k * log10Magnitude(c));
  if (e >= 0) return coefficientDigits + e * k;
  const fractionDigits = -e * k;
  return Math.max(coefficientDigits, fractionDigits + 1);
}
