/**
 * An independent exact reference for power(base, exponent, precision), written for the tests
 * only: plain BigInt fractions, roots by bisection (the product uses Newton), ⌊log10⌋ by
 * comparing with powers of ten (the product estimates it in doubles first), decimals by long
 * division, and irrational answers checked, not recomputed: a result r with s significant digits
 * is correctly rounded exactly when |x − r| < ½·10^(E−s+1), which for x = (A/B)^(1/q) is the
 * integer inequality (r − h)^q < A/B < (r + h)^q.
 */

export interface Fraction {
  num: bigint;
  den: bigint;
}

function gcd(a: bigint, b: bigint): bigint {
  a = a < 0n ? -a : a;
  b = b < 0n ? -b : b;
  while (b) [a, b] = [b, a % b];
  return a;
}

export function fraction(num: bigint, den: bigint): Fraction {
  if (den < 0n) [num, den] = [-num, -den];
  const g = gcd(num, den) || 1n;
  return { num: num / g, den: den / g };
}

/** ⌊n^(1/q)⌋ by bisection on [0, 2^⌈bits/q⌉]. */
export function bisectRoot(n: bigint, q: bigint): bigint {
  let low = 0n;
  let high = 1n << BigInt(Math.ceil(n.toString(2).length / Number(q)) + 1);
  while (high - low > 1n) {
    const mid = (low + high) >> 1n;
    if (mid ** q <= n) low = mid;
    else high = mid;
  }
  return low;
}

function perfectRoot(n: bigint, q: bigint): bigint | undefined {
  const r = bisectRoot(n, q);
  return r ** q === n ? r : undefined;
}

/** Plain decimal text of m·10^e (m an integer), no exponent, no trailing fractional zeros. */
export function plainText(m: bigint, e: number): string {
  const sign = m < 0n ? '-' : '';
  let digits = (m < 0n ? -m : m).toString();
  if (m === 0n) return '0';
  if (e >= 0) return sign + digits + '0'.repeat(e);
  const point = -e;
  if (digits.length <= point) digits = '0'.repeat(point - digits.length + 1) + digits;
  const whole = digits.slice(0, digits.length - point);
  const part = digits.slice(digits.length - point).replace(/0+$/, '');
  return sign + whole + (part ? `.${part}` : '');
}

/** Long division of a terminating fraction into its exact decimal text. */
function longDivision({ num, den }: Fraction): string {
  const negative = num < 0n;
  let rest = negative ? -num : num;
  const whole = rest / den;
  rest %= den;
  let part = '';
  while (rest !== 0n) {
    rest *= 10n;
    part += (rest / den).toString();
    rest %= den;
  }
  return (negative && (whole !== 0n || part) ? '-' : '') + whole + (part ? `.${part}` : '');
}

function terminates(den: bigint): boolean {
  while (den % 2n === 0n) den /= 2n;
  while (den % 5n === 0n) den /= 5n;
  return den === 1n;
}

/** ⌊log10 (A/B)^(1/q)⌋ for positive A, B: the largest E with A ≥ B·10^(Eq). */
function floorLog10({ num: a, den: b }: Fraction, q: bigint): number {
  const atLeast = (e: number) =>
    e >= 0 ? a >= b * 10n ** (BigInt(e) * q) : a * 10n ** (BigInt(-e) * q) >= b;
  let e = Math.floor((a.toString().length - b.toString().length) / Number(q));
  while (!atLeast(e)) e--;
  while (atLeast(e + 1)) e++;
  return e;
}

export type Expected =
  | { kind: 'exact'; result: string }
  | { kind: 'rational'; result: string; fraction: string }
  | { kind: 'irrational'; check: (result: string) => string | undefined }
  | { kind: 'error'; code: string };

/** What power must answer, from the arguments as fractions; q of the exponent kept small. */
export function expectedPower(base: Fraction, exponent: Fraction, precision: number): Expected {
  const p = exponent.num;
  const q = exponent.den;
  if (base.num === 0n && p < 0n) return { kind: 'error', code: 'BAD_USER_INPUT' };
  if (base.num < 0n && q % 2n === 0n) return { kind: 'error', code: 'BAD_USER_INPUT' };
  if (p === 0n) return { kind: 'exact', result: '1' };
  if (base.num === 0n) return { kind: 'exact', result: '0' };
  const negative = base.num < 0n && (p < 0n ? -p : p) % 2n === 1n;
  const magnitude = fraction(base.num < 0n ? -base.num : base.num, base.den);
  const k = p < 0n ? -p : p;
  // (a/b)^(p/q) with p ≥ 0 after taking the reciprocal for a negative exponent.
  const [a, b] = p < 0n ? [magnitude.den, magnitude.num] : [magnitude.num, magnitude.den];
  const ra = perfectRoot(a, q);
  const rb = ra === undefined ? undefined : perfectRoot(b, q);
  const sign = negative ? -1n : 1n;
  if (ra !== undefined && rb !== undefined) {
    const value = fraction(sign * ra ** k, rb ** k);
    if (terminates(value.den)) return { kind: 'exact', result: longDivision(value) };
    const e = floorLog10(fraction(ra ** k, rb ** k), 1n);
    const shift = precision - 1 - e;
    const scaled =
      shift >= 0
        ? fraction(ra ** k * 10n ** BigInt(shift), rb ** k)
        : fraction(ra ** k, rb ** k * 10n ** BigInt(-shift));
    let m = scaled.num / scaled.den;
    if (2n * (scaled.num % scaled.den) > scaled.den) m += 1n;
    return {
      kind: 'rational',
      result: plainText(sign * m, -shift),
      fraction: `${value.num}/${value.den}`,
    };
  }
  const power = fraction(a ** k, b ** k); // x^q
  const e = floorLog10(power, q);
  return {
    kind: 'irrational',
    check: (result) => checkRounded(result, power, q, e, precision, negative),
  };
}

/** Why `result` is not x = ±(A/B)^(1/q) correctly rounded to `precision` digits, or undefined. */
function checkRounded(
  result: string,
  { num: a, den: b }: Fraction,
  q: bigint,
  e: number,
  precision: number,
  negative: boolean,
): string | undefined {
  if (result.startsWith('-') !== negative) return `sign of ${result}`;
  const text = negative ? result.slice(1) : result;
  const [whole = '', part = ''] = text.split('.');
  const m = BigInt(whole + part); // r = m / 10^part.length
  const significant = (whole + part).replace(/^0+/, '').replace(/0+$/, '');
  if (significant.length > precision) return `${result} has more than ${precision} digits`;
  // h = ½·10^(e − precision + 1); with F = a scale that makes everything whole:
  // r ± h = (2m·10^(F−f) ± 10^(F + e − precision + 1)) / (2·10^F).
  const f = part.length;
  const F = Math.max(f, precision - 1 - e, 0);
  const rScaled = 2n * m * 10n ** BigInt(F - f);
  const hScaled = 10n ** BigInt(F + e - precision + 1);
  const den = 2n * 10n ** BigInt(F);
  // (r ± h)^q vs A/B  ⟺  (r±h scaled)^q · B vs den^q · A
  const below = rScaled - hScaled;
  const above = rScaled + hScaled;
  const target = den ** q * a;
  if (!(below ** q * b < target)) return `${result} is more than half a unit above the answer`;
  if (!(above ** q * b > target)) return `${result} is more than half a unit below the answer`;
  return undefined;
}
