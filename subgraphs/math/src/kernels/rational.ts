/**
 * Exact rational numbers for `Numeric` arguments and power results: num/den in lowest terms,
 * den > 0, all BigInt. A `Numeric` is a decimal (see numeric.ts) or a fraction "p/q"; both are
 * rationals, and a rational whose denominator has no prime factor but 2 and 5 is a decimal again.
 */
import { bitLength } from './decimalSummary.js';
import type { Decimal } from './numeric.js';
import { normalize, NumericInputError, parseNumeric, toCanonicalString } from './numeric.js';
import { FRACTION_PATTERN, numericProblem } from '@microservice-math/shared/numericRules';

export interface Rational {
  /** Carries the sign. */
  readonly num: bigint;
  /** Always positive; 1 for integers. */
  readonly den: bigint;
}

const LOG10_2 = Math.log10(2);

export const ONE: Rational = Object.freeze({ num: 1n, den: 1n });

/**
 * Parses a `Numeric` text, decimal or fraction, exactly; throws `NumericInputError` naming the
 * broken rule. Fractions are reduced, so "2/4", "1/2" and "0.5" are the same value.
 */
export function parseRational(text: string): Rational {
  if (typeof text === 'string' && text.includes('/')) {
    const problem = numericProblem(text);
    if (problem !== undefined) throw new NumericInputError(problem);
    const [, p = '', q = ''] = FRACTION_PATTERN.exec(text) ?? [];
    return reduced(BigInt(p), BigInt(q));
  }
  return fromDecimal(parseNumeric(text));
}

/** coefficient · 10^exponent as a fraction in lowest terms, without a gcd. */
export function fromDecimal({ coefficient, exponent }: Decimal): Rational {
  if (exponent >= 0)
    return { num: coefficient * ((5n ** BigInt(exponent)) << BigInt(exponent)), den: 1n };
  // A normalized coefficient has no factor 10, so only 2s or only 5s can cancel with 10^m.
  const m = -exponent;
  const magnitude = coefficient < 0n ? -coefficient : coefficient;
  const twos = Math.min(m, factorCount(magnitude, 2n));
  const fives = Math.min(m, factorCount(magnitude, 5n));
  const num = coefficient / (2n ** BigInt(twos) * 5n ** BigInt(fives));
  return { num, den: 2n ** BigInt(m - twos) * 5n ** BigInt(m - fives) };
}

/**
 * How many times `prime` divides a BigInt (0 for 0). By powers prime^(2^j), so a factor 5^100000
 * costs a few dozen divisions, not a hundred thousand.
 */
export function factorCount(value: bigint, prime: bigint): number {
  if (value === 0n) return 0;
  let rest = value < 0n ? -value : value;
  if (prime === 2n) return trailingZeroBits(rest);
  let count = 0;
  const powers: bigint[] = [prime]; // powers[j] = prime^(2^j)
  while (rest % (powers[powers.length - 1] as bigint) === 0n) {
    const top = powers[powers.length - 1] as bigint;
    rest /= top;
    count += 2 ** (powers.length - 1);
    powers.push(top * top);
  }
  for (let j = powers.length - 1; j >= 0; j--) {
    const power = powers[j] as bigint;
    if (rest % power === 0n) {
      rest /= power;
      count += 2 ** j;
    }
  }
  return count;
}

/** How many times 2 divides a positive BigInt: its zero bits below the lowest one. */
function trailingZeroBits(positive: bigint): number {
  const lowest = positive & -positive;
  return bitLength(lowest) - 1;
}

export function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

/** num/den in lowest terms with a positive denominator; den must not be 0. */
export function reduced(num: bigint, den: bigint): Rational {
  if (den === 0n) throw new RangeError('zero denominator');
  const sign = den < 0n ? -1n : 1n;
  const divisor = gcd(num, den);
  return { num: (sign * num) / divisor, den: (sign * den) / divisor };
}

export function isIntegerRational(value: Rational): boolean {
  return value.den === 1n;
}

/** The decimal form when den = 2^a·5^b (the value terminates), else undefined. */
export function toDecimal({ num, den }: Rational): Decimal | undefined {
  const twos = factorCount(den, 2n);
  const fives = factorCount(den, 5n);
  if (den >> BigInt(twos) !== 5n ** BigInt(fives)) return undefined;
  // num/(2^a·5^b) = num·2^(m−a)·5^(m−b) / 10^m with m = max(a, b).
  const m = Math.max(twos, fives);
  return normalize(num * 2n ** BigInt(m - twos) * 5n ** BigInt(m - fives), -m);
}

/** Same value, same text: the canonical decimal when it terminates, else "p/q". */
export function toCanonicalRational(value: Rational): string {
  const decimal = toDecimal(value);
  return decimal ? toCanonicalString(decimal) : `${value.num}/${value.den}`;
}

export function toFractionString({ num, den }: Rational): string {
  return `${num}/${den}`;
}

/** log2 |value| for a nonzero BigInt, finite whatever its size (from its top 53 bits). */
export function log2Magnitude(value: bigint): number {
  const magnitude = value < 0n ? -value : value;
  const bits = bitLength(magnitude);
  if (bits <= 53) return Math.log2(Number(magnitude));
  return Math.log2(Number(magnitude >> BigInt(bits - 53))) + (bits - 53);
}

/** log10 |num/den| for a nonzero rational, finite whatever its size. */
export function log10Rational({ num, den }: Rational): number {
  return (log2Magnitude(num) - log2Magnitude(den)) * LOG10_2;
}
