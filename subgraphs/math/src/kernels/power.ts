/**
 * base^exponent for exact rational arguments, without doubles.
 *
 * With base = ±a/b and exponent = p/q in lowest terms (q > 0), the answer is ±(a/b)^(p/q):
 * - rational exactly when a and b are both perfect q-th powers (a/b in lowest terms), and then
 *   it is (ⁿ√a/ⁿ√b)^p. It terminates when its denominator has no prime factor but 2 and 5: the
 *   result is that decimal, in full. Otherwise `fraction` is the answer in lowest terms and the
 *   result is rounded to `precision` significant digits.
 * - irrational otherwise: rounded to `precision` significant digits.
 * Rounding is to nearest. A tie would need the answer to end exactly in a 5 just past the last
 * kept digit, i.e. to be a terminating decimal, and those are answered exactly, so ties never
 * happen (were one to, the rule would be half to even). The rounding is decided by an exact
 * integer comparison, never by an estimate.
 * A negative base has a real answer when q is odd: the sign is (−1)^p.
 *
 * Non-negative integer exponents of a decimal base keep the fast path: with base = c·10^e,
 * base^k = c^k · 10^(e·k), one BigInt exponentiation and a shift of the decimal point.
 */
import { PowerDomainError } from './errors.js';
import type { Decimal } from './numeric.js';
import { log10Rational, log2Magnitude, toDecimal, type Rational } from './rational.js';
import { exactRoot, integerRoot } from './root.js';

// Callers catching power errors find the class beside the function that throws it.
export { PowerDomainError } from './errors.js';

export interface PowerArgs {
  base: Rational;
  exponent: Rational;
  /** Significant digits of a result that has to be rounded. */
  precision: number;
}

export type PowerResult =
  /** A terminating decimal: the answer itself. */
  | { readonly kind: 'exact'; readonly value: Decimal }
  /** A rational answer with no finite decimal: value rounded, fraction exact. */
  | { readonly kind: 'rational'; readonly value: Decimal; readonly fraction: Rational }
  /** An irrational answer, rounded. */
  | { readonly kind: 'irrational'; readonly value: Decimal };

export const DEFAULT_PRECISION = 50;

/**
 * Most digits a root's working numbers may have (see `rootWorkDigits`): a denominator like 15625
 * (exponent 0.123456) at precision 1000 would mean a 16-million-digit number, and a base a hair
 * above 1 to the power 4194305/3 two 200-million-digit ones for a 5-digit answer. Refused up
 * front instead of running into the timeout.
 */
export const MAX_ROOT_WORK_DIGITS = 4_000_000;

/** |base| = 1, 0, or a nonzero exponent is all it takes to answer without arithmetic. */
function isUnit({ num, den }: Rational): boolean {
  return den === 1n && (num === 1n || num === -1n);
}

/**
 * Digits of the largest numbers an irrational root works on, from the sizes alone: (a/b)^(p/q)
 * to `precision` digits is ⌊(a^p·10^(kq) / b^p)^(1/q)⌋ with k = precision − 1 − ⌊log10 answer⌋
 * (`roundedRoot`), so a^p and b^p are built in full (p times the digits of a and of b), the
 * scale 10^(kq) joins one of them, and the rounding check raises a precision-digit number to the
 * q-th power. 0 when there is no root to take, or when the answer alone is longer than the work
 * limit: then its size refuses it (RESULT_TOO_LARGE), which says more. An answer that is
 * rational (a and b perfect q-th powers) works on far less: its size bounds it instead.
 */
export function rootWorkDigits(base: Rational, exponent: Rational, precision: number): number {
  if (exponent.den === 1n || base.num === 0n || isUnit(base)) return 0;
  const p = Math.abs(2 ** log2Magnitude(exponent.num));
  const q = Number(exponent.den);
  const [numDigits, denDigits] = [log2Magnitude(base.num), log2Magnitude(base.den)].map((log2) =>
    Math.max(log2 * LOG10_2, 0),
  ) as [number, number];
  const [a, b] = exponent.num < 0n ? [denDigits, numDigits] : [numDigits, denDigits];
  const answerLog10 = (p * (a - b)) / q;
  if (!(answerLog10 <= MAX_ROOT_WORK_DIGITS)) return 0;
  const scale = q * (precision - 1 - answerLog10); // digits of 10^(kq), on a^p's side when k ≥ 0
  const numerator = p * a + Math.max(scale, 0);
  const denominator = p * b + Math.max(-scale, 0) + q * (precision + 1);
  const work = Math.ceil(Math.max(numerator, denominator));
  // NaN comes only from a factor past the double range (∞ · 0): work beyond any count.
  return Number.isNaN(work) ? Number.POSITIVE_INFINITY : work;
}

/**
 * Whether base^exponent is a terminating decimal, which `power` answers exactly whatever the
 * precision: without computing it, by the same steps `power` takes (a rational root whose
 * denominator has no prime factor but 2 and 5). For valid arguments only (assertPowerArguments),
 * whose sizes bound the roots tried, as the digit prediction tries them for every request.
 */
export function isTerminatingPower(base: Rational, exponent: Rational): boolean {
  if (exponent.num === 0n || base.num === 0n) return true;
  const q = Number(exponent.den);
  const magnitude = base.num < 0n ? -base.num : base.num;
  const [a, b] = exponent.num < 0n ? [base.den, magnitude] : [magnitude, base.den];
  const rootB = exactRoot(b, q);
  if (rootB === undefined || exactRoot(a, q) === undefined) return false;
  // Coprime roots, raised to any power, stay coprime: the reciprocal of the denominator decides.
  return toDecimal({ num: 1n, den: rootB }) !== undefined;
}

const LOG10_2 = Math.log10(2);

/** Whether |base|^(1/q) is rational: both its numerator and denominator perfect q-th powers. */
function hasRationalRoot({ num, den }: Rational, q: number): boolean {
  return exactRoot(num < 0n ? -num : num, q) !== undefined && exactRoot(den, q) !== undefined;
}

/**
 * Digits of the largest numbers computing the power works on, which decide whether it is
 * computed at once or in a worker (compute/pool.ts): a root's (`rootWorkDigits`), unless the
 * answer is rational. Its root is then exact, and its size (which the precision does not change
 * when it has a finite decimal) bounds the work: 8^(1/3) at precision 1,000,000 is "2", answered
 * at once, not queued behind big computations as if it were a million-digit root.
 */
export function powerWorkDigits(base: Rational, exponent: Rational, precision: number): number {
  const work = rootWorkDigits(base, exponent, precision);
  return work > 0 && hasRationalRoot(base, Number(exponent.den)) ? 0 : work;
}

/** "about 4,000,004", or past what a double counts exactly, "more than 10^15". */
function aboutDigits(digits: number): string {
  return digits < 1e15 ? `about ${digits.toLocaleString('en-US')}` : 'more than 10^15';
}

/**
 * Throws `PowerDomainError` for the arguments no power can answer. Checked before any work, and
 * before predicting the result's size, so that a bad request is a bad request, not a big one.
 * `maxDigits`, the most digits any answer may have, caps the precision a refusal suggests.
 */
export function assertPowerArguments(
  base: Rational,
  exponent: Rational,
  precision: number,
  maxDigits = Number.POSITIVE_INFINITY,
): void {
  if (!Number.isSafeInteger(precision) || precision < 1) {
    throw new PowerDomainError('precision', 'must be a whole number of digits, 1 or more');
  }
  if (base.num === 0n && exponent.num < 0n) {
    throw new PowerDomainError(
      'exponent',
      'must not be negative when the base is 0 (division by zero)',
    );
  }
  if (base.num < 0n && exponent.den % 2n === 0n) {
    throw new PowerDomainError(
      'exponent',
      'must be an integer or a fraction p/q with odd q (in lowest terms) when the base is negative: ' +
        'an even root of a negative number is not a real number',
    );
  }
  const work = rootWorkDigits(base, exponent, precision);
  if (work > MAX_ROOT_WORK_DIGITS && !hasRationalRoot(base, Number(exponent.den))) {
    const limit = `over ${MAX_ROOT_WORK_DIGITS.toLocaleString('en-US')} is refused`;
    // The precision is at fault when one digit would have fitted: say how many would.
    if (rootWorkDigits(base, exponent, 1) <= MAX_ROOT_WORK_DIGITS) {
      // A precision the root's work allows may still write more digits than any answer may have
      // (RESULT_TOO_LARGE); the one suggested is one that can be answered.
      const workAllows = largestPrecision(base, exponent, precision);
      const most = Math.min(workAllows, maxDigits);
      const cap =
        most < workAllows ? ` (an answer has at most ${countText(BigInt(most))} digits)` : '';
      throw new PowerDomainError(
        'precision',
        `at most ${most.toLocaleString('en-US')} significant ${most === 1 ? 'digit' : 'digits'} for this root${cap}: a root of ` +
          `degree ${countText(exponent.den)} to ${precision.toLocaleString('en-US')} digits ` +
          `works on numbers of ${aboutDigits(work)} digits; ${limit}`,
      );
    }
    // The root's degree is at fault when a root of that degree alone, 1/q, is out of reach even
    // to one digit: its rounding check raises a digit to the q-th power (about 2q digits).
    const degreeAlone = { num: exponent.num < 0n ? -1n : 1n, den: exponent.den };
    const degreeWork = rootWorkDigits(base, degreeAlone, 1);
    if (degreeWork > MAX_ROOT_WORK_DIGITS) {
      throw new PowerDomainError(
        'exponent',
        `its denominator, ${countText(exponent.den)}, is the degree of the root to take, and a ` +
          `root of that degree works on numbers of ${aboutDigits(degreeWork)} digits even to ` +
          `1 significant digit; ${limit}`,
      );
    }
    // Then the numerator is what makes the work too large: a^p and b^p are built in full.
    throw new PowerDomainError(
      'exponent',
      `raising this base to its numerator, ${countText(exponent.num)}, before taking the root of ` +
        `degree ${countText(exponent.den)} works on numbers of ${aboutDigits(work)} digits; ${limit}`,
    );
  }
}

/**
 * The most significant digits the root of `base` to `exponent` can be asked for: the largest
 * precision below `over` whose work is within MAX_ROOT_WORK_DIGITS (the work grows with the
 * precision; one digit is known to fit).
 */
function largestPrecision(base: Rational, exponent: Rational, over: number): number {
  return largestFitting(1, over, (p) => rootWorkDigits(base, exponent, p) <= MAX_ROOT_WORK_DIGITS);
}

/**
 * The largest precision that `fits`, searched by halving between one known to fit and one known
 * not to (what fits stays fitting as the precision goes down).
 */
export function largestFitting(fits: number, refused: number, fit: (p: number) => boolean): number {
  while (refused - fits > 1) {
    const middle = Math.floor((fits + refused) / 2);
    if (fit(middle)) fits = middle;
    else refused = middle;
  }
  return fits;
}

/** "3,999,990", or for a number too long to repeat, "a 5,000-digit number". */
function countText(n: bigint): string {
  const digits = (n < 0n ? -n : n).toString().length;
  return digits <= 24
    ? n.toLocaleString('en-US')
    : `a ${digits.toLocaleString('en-US')}-digit number`;
}

export function power({ base, exponent, precision }: PowerArgs): PowerResult {
  assertPowerArguments(base, exponent, precision);
  if (exponent.num === 0n) return exact({ coefficient: 1n, exponent: 0 }); // includes 0^0
  if (base.num === 0n) return exact({ coefficient: 0n, exponent: 0 });

  const p = exponent.num < 0n ? -exponent.num : exponent.num;
  const q = Number(exponent.den);
  const negative = base.num < 0n && p % 2n === 1n;
  const magnitude = base.num < 0n ? -base.num : base.num;
  // A negative exponent is the positive one of the reciprocal.
  const [a, b] = exponent.num < 0n ? [base.den, magnitude] : [magnitude, base.den];
  if (a === b) return exact({ coefficient: negative ? -1n : 1n, exponent: 0 });

  if (q === 1) {
    // An integer power of a decimal is a decimal: c^k · 10^(e·k), the fast path.
    const decimal = toDecimal({ num: negative ? -a : a, den: b });
    if (decimal) return exact(decimalPower(decimal, p));
  }

  const rootA = exactRoot(a, q);
  const rootB = rootA === undefined ? undefined : exactRoot(b, q);
  if (rootA !== undefined && rootB !== undefined) {
    const k = safeExponent(p);
    const num = integerPower(rootA, k);
    const den = integerPower(rootB, k);
    const fraction: Rational = { num: negative ? -num : num, den }; // coprime powers of coprimes
    const decimal = toDecimal(fraction);
    if (decimal) return exact(decimal);
    return {
      kind: 'rational',
      value: signed(roundedRoot(num, den, 1, precision), negative),
      fraction,
    };
  }
  const k = safeExponent(p);
  const value = roundedRoot(integerPower(a, k), integerPower(b, k), q, precision);
  return { kind: 'irrational', value: signed(value, negative) };
}

function exact(value: Decimal): PowerResult {
  return { kind: 'exact', value };
}

function signed(value: Decimal, negative: boolean): Decimal {
  return negative ? { coefficient: -value.coefficient, exponent: value.exponent } : value;
}

/** The exponent as a number; the size prediction has refused anything this large can't answer. */
function safeExponent(p: bigint): number {
  const k = Number(p);
  if (!Number.isSafeInteger(k)) throw new RangeError(`exponent ${p} is too large to compute`);
  return k;
}

/** (c·10^e)^k = c^k · 10^(e·k); c has no factor 10 (normalized), so neither has c^k. */
function decimalPower({ coefficient: c, exponent: e }: Decimal, p: bigint): Decimal {
  if (c === 1n || c === -1n) {
    const sign = c === -1n && p % 2n === 1n ? -1n : 1n;
    return { coefficient: sign, exponent: e === 0 ? 0 : e * Number(p) };
  }
  const k = safeExponent(p);
  return { coefficient: integerPower(c, k), exponent: e * k };
}

/**
 * (n/d)^(1/q) for positive n, d, rounded to `precision` significant digits (see the header).
 * With E = ⌊log10 x⌋ known exactly and k = precision − 1 − E, t = ⌊x·10^k⌋ has exactly
 * `precision` digits: t = ⌊(n·10^(kq)/d)^(1/q)⌋, an integer root. Then x·10^k > t + ½ exactly
 * when 2^q·n·10^(kq) > (2t+1)^q·d.
 */
export function roundedRoot(n: bigint, d: bigint, q: number, precision: number): Decimal {
  const e = floorLog10Root(n, d, q);
  const k = precision - 1 - e;
  const [scaledN, scaledD] = k >= 0 ? [n * tenTo(k * q), d] : [n, d * tenTo(-k * q)];
  let t = integerRoot(scaledN / scaledD, q);
  const degree = BigInt(q);
  if (scaledN << degree > (2n * t + 1n) ** degree * scaledD) t += 1n;
  // normalize() finds trailing zeros through the decimal text; t rarely has any, so test for them.
  let exponent = -k;
  while (t !== 0n && t % 10n === 0n) {
    t /= 10n;
    exponent++;
  }
  return { coefficient: t, exponent };
}

/** ⌊log10 (n/d)^(1/q)⌋, exactly: estimated in doubles, settled by integer comparisons. */
export function floorLog10Root(n: bigint, d: bigint, q: number): number {
  const estimate = log10Rational({ num: n, den: d }) / q;
  let e = Math.floor(estimate);
  const tolerance = 1e-9 + Math.abs(estimate) * 1e-12;
  if (estimate - e < tolerance) {
    if (!atLeastPowerOfTen(n, d, q, e)) e -= 1;
  } else if (e + 1 - estimate < tolerance) {
    if (atLeastPowerOfTen(n, d, q, e + 1)) e += 1;
  }
  return e;
}

/** (n/d)^(1/q) ≥ 10^c, i.e. n ≥ d·10^(cq). */
function atLeastPowerOfTen(n: bigint, d: bigint, q: number, c: number): boolean {
  return c >= 0 ? n >= d * tenTo(c * q) : n * tenTo(-c * q) >= d;
}

/** 10^m as 5^m · 2^m: the shift is free and 5^m is a smaller number to raise. */
export function tenTo(m: number): bigint {
  return (5n ** BigInt(m)) << BigInt(m);
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
