/**
 * Predicts how many decimal digits a result will have, before anything is computed, so a request
 * over the digit budget is refused in microseconds. Each prediction is an upper bound that is at
 * most 1 above the real count: log10 of the result is estimated in doubles, and a small safety
 * margin makes sure rounding can only push the estimate up, never down. The ranges apply the
 * margin both ways, so an exact answer's count is known exactly (low = high) unless its log10
 * lies within the margin of an integer: 10! is counted as 7 digits, not "6 or 7".
 *
 * Results can be astronomically large (`power(2, 1e18)`), so predictions may exceed
 * Number.MAX_SAFE_INTEGER; they are always finite (at most Number.MAX_VALUE): compare them with a
 * limit, do not print them as counts. Near the limit the range says whether the estimate can
 * decide; when it cannot, the exact size of the computed result does (calculator.ts).
 */
import { assertFactorialArgument } from './factorial.js';
import { assertFibonacciArgument } from './fibonacci.js';
import { assertPowerArguments, type PowerArgs } from './power.js';
import { factorCount, log10Rational, log2Magnitude, toDecimal, type Rational } from './rational.js';
import { exactRoot } from './root.js';

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
  return digitsFromLog10(factorialLog10(n));
}

/** log10 n!: the exact sum of logarithms below STIRLING_FROM, else Stirling's series. */
function factorialLog10(n: number): number {
  assertFactorialArgument(n);
  if (n < STIRLING_FROM) {
    let log10Value = 0;
    for (let k = 2; k <= n; k++) log10Value += Math.log10(k);
    return log10Value;
  }
  const lnFactorial =
    n * Math.log(n) -
    n +
    0.5 * Math.log(2 * Math.PI * n) +
    1 / (12 * n) -
    1 / (360 * n ** 3) +
    1 / (1260 * n ** 5);
  return lnFactorial / Math.LN10;
}

/**
 * The digits of n! as a range: the estimate's error is below the margin either way, so the count
 * is exact unless log10 n! lies within that margin of an integer (then both neighbours).
 */
export function factorialDigitRange(n: number): DigitRange {
  return integerDigitRange(factorialLog10(n));
}

const LOG10_PHI = Math.log10((1 + Math.sqrt(5)) / 2); // ≈ 0.20898764, digits per index step
const LOG10_SQRT5 = Math.log10(Math.sqrt(5));
/** Below this |n| F(n) is counted exactly; above it φ^n/√5 is accurate to 1e-40 relative. */
const BINET_FROM = 100;

/** Digits of F(n) (the same for F(−n)), from F(n) ≈ φ^n/√5. */
export function fibonacciDigits(n: number): number {
  return fibonacciDigitRange(n).high;
}

/**
 * The digits of F(n) as a range: counted exactly below BINET_FROM, else exact unless log10 F(n)
 * lies within the estimate's margin of an integer (then both neighbours).
 */
export function fibonacciDigitRange(n: number): DigitRange {
  assertFibonacciArgument(n);
  const m = Math.abs(n);
  if (m < BINET_FROM) {
    let a = 0n;
    let b = 1n;
    for (let i = 0; i < m; i++) [a, b] = [b, a + b];
    const digits = a.toString().length;
    return { low: digits, high: digits };
  }
  return integerDigitRange(m * LOG10_PHI - LOG10_SQRT5);
}

/** A digit count known to lie in [low, high]; low = high when it is known exactly. */
export interface DigitRange {
  low: number;
  high: number;
  /** The answer is a rational with no finite decimal: the range counts its fraction's digits too. */
  withFraction?: true;
}

/** Predictions stay finite for every accepted input (a budget compares them, never Infinity). */
const LARGEST = Number.MAX_VALUE;

function finite(n: number): number {
  return Number.isNaN(n) ? LARGEST : Math.min(n, LARGEST);
}

/** The digits of an integer whose log10 is about `log10Value`: both neighbours when unsure. */
function integerDigitRange(log10Value: number): DigitRange {
  const margin = 1e-9 + Math.abs(log10Value) * 1e-12;
  return {
    low: finite(Math.max(1, Math.floor(log10Value - margin) + 1)),
    high: finite(Math.max(1, Math.floor(log10Value + margin) + 1)),
  };
}

function range(low: number, high: number): DigitRange {
  return { low: finite(low), high: finite(high) };
}

/** |p/q| · log10|a/b| in doubles, finite or ±LARGEST, whatever the sizes. */
function log10Power(base: Rational, exponent: Rational): number {
  const log10Base = log10Rational(base);
  if (exponent.num === 0n || log10Base === 0) return 0;
  const log2Exponent = log2Magnitude(exponent.num) - log2Magnitude(exponent.den);
  const magnitude = 2 ** log2Exponent * Math.abs(log10Base);
  const sign = Math.sign(log10Base) * (exponent.num < 0n ? -1 : 1);
  return sign * finite(magnitude);
}

/** Text digits of a decimal with `fraction` digits after the point and this coefficient. */
function decimalTextRange(coefficient: DigitRange, fraction: number): DigitRange {
  if (fraction <= 0) return coefficient;
  return range(Math.max(coefficient.low, fraction + 1), Math.max(coefficient.high, fraction + 1));
}

/**
 * Digits of a rounded result's text: `precision` significant digits of x with ⌊log10 x⌋ = E
 * (within the estimate's error). Plain text writes the integer part in full and, below 1,
 * "0." and the zeros before the first significant digit; trailing zeros go.
 */
function roundedTextRange(log10Value: number, precision: number): DigitRange {
  const margin = 1e-9 + Math.abs(log10Value) * 1e-12;
  const eLow = Math.floor(log10Value - margin);
  const eHigh = Math.floor(log10Value + margin);
  const digits = (e: number) => (e >= 0 ? Math.max(e + 1, precision) : precision - e);
  const fewest = (e: number) => (e >= 0 ? e + 1 : 1 - e);
  return range(Math.min(fewest(eLow), fewest(eHigh)), Math.max(digits(eLow), digits(eHigh)));
}

/**
 * Digits of base^exponent as `power` writes it (its result, plus its fraction when it has one).
 * Exact for terminating answers except right at a power of ten, where the range gives both
 * neighbours; a range for rounded answers, whose trailing zeros are not known in advance.
 */
export function powerDigitRange(args: PowerArgs): DigitRange {
  const { base, exponent, precision } = args;
  assertPowerArguments(base, exponent, precision);
  if (exponent.num === 0n || base.num === 0n) return range(1, 1);
  if (base.den === 1n && (base.num === 1n || base.num === -1n)) return range(1, 1);

  const q = Number(exponent.den);
  const p = exponent.num < 0n ? -exponent.num : exponent.num;
  const magnitude = base.num < 0n ? -base.num : base.num;
  const [a, b] = exponent.num < 0n ? [base.den, magnitude] : [magnitude, base.den];
  const log10Value = log10Power(base, exponent);

  if (q === 1) {
    const decimal = toDecimal({ num: a, den: b });
    if (decimal) {
      // (c·10^e)^p: c^p has ⌊p·log10|c|⌋ + 1 digits; e ≥ 0 appends e·p zeros, e < 0 is a fraction.
      const pNumber = finite(Number(p));
      const c = decimal.coefficient;
      const coefficient =
        c === 1n ? range(1, 1) : integerDigitRange(pNumber * log10Rational({ num: c, den: 1n }));
      const shift = decimal.exponent * pNumber;
      return shift >= 0
        ? range(coefficient.low + shift, coefficient.high + shift)
        : decimalTextRange(coefficient, -shift);
    }
  }
  const rootA = exactRoot(a, q);
  const rootB = rootA === undefined ? undefined : exactRoot(b, q);
  if (rootA === undefined || rootB === undefined) return roundedTextRange(log10Value, precision);
  const twos = factorCount(rootB, 2n);
  const fives = factorCount(rootB, 5n);
  const pNumber = finite(Number(p));
  if (rootB >> BigInt(twos) === 5n ** BigInt(fives)) {
    // Terminating: num/(2^x·5^y) = coefficient · 10^−f with f = max(x, y).
    const fraction = finite(Math.max(twos, fives) * pNumber);
    return decimalTextRange(integerDigitRange(log10Value + fraction), fraction);
  }
  const text = roundedTextRange(log10Value, precision);
  const num = integerDigitRange(pNumber * log10Rational({ num: rootA, den: 1n }));
  const den = integerDigitRange(pNumber * log10Rational({ num: rootB, den: 1n }));
  return {
    ...range(text.low + num.low + den.low, text.high + num.high + den.high),
    withFraction: true,
  };
}
