import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SEVEN_TO_100000 } from './bigValues.fixtures.js';
import { PowerDomainError } from './errors.js';
import { toPlainString } from './numeric.js';
import { assertPowerArguments, integerPower, power, rootWorkDigits } from './power.js';
import { parseRational, toFractionString } from './rational.js';

/** base^exponent as text through the public API. */
function powerText(
  base: string,
  exponent: string,
  precision = 50,
): { text: string; exact: boolean; fraction?: string } {
  const result = power({ base: parseRational(base), exponent: parseRational(exponent), precision });
  const text = toPlainString(result.value);
  if (result.kind === 'rational') {
    return { text, exact: false, fraction: toFractionString(result.fraction) };
  }
  return { text, exact: result.kind === 'exact' };
}

/**
 * The schoolbook reference: drop the point, multiply k times, put the point back and trim.
 * Works on plain decimal text only ("-1.25", "300"), independent of the kernel's normalization.
 */
function naivePower(base: string, k: number): string {
  const negative = base.startsWith('-');
  const [whole = '', fraction = ''] = (negative ? base.slice(1) : base).split('.');
  const digits = BigInt(whole + fraction);
  let product = 1n;
  for (let i = 0; i < k; i++) product *= digits;
  const scale = fraction.length * k;
  let text = product.toString().padStart(scale + 1, '0');
  if (scale > 0) {
    text = `${text.slice(0, -scale)}.${text.slice(-scale)}`.replace(/\.?0+$/, '');
  }
  const sign = negative && k % 2 === 1 && text !== '0' ? '-' : '';
  return sign + text;
}

describe('power with a non-negative integer exponent (exact)', () => {
  it('gives the contract examples', () => {
    expect(powerText('1.5', '3')).toEqual({ text: '3.375', exact: true });
    expect(powerText('2.50', '2')).toEqual({ text: '6.25', exact: true });
    expect(powerText('0', '0')).toEqual({ text: '1', exact: true });
    expect(powerText('123456789012345678901234567890', '3').text).toBe(
      (123456789012345678901234567890n ** 3n).toString(),
    );
  });

  it('matches the schoolbook product for many bases and exponents 0 … 40', () => {
    const bases = ['0', '1', '-1', '2', '-2', '7', '10', '-300', '0.1', '-0.5', '1.5', '2.50'];
    bases.push('12.345', '-0.007', '99.99', '1000.001', '3.14159265358979323846');
    for (const base of bases) {
      for (let k = 0; k <= 40; k++) {
        expect(powerText(base, String(k)), `${base}^${k}`).toEqual({
          text: naivePower(base, k),
          exact: true,
        });
      }
    }
  });

  it('treats any spelling of an integer exponent as an integer', () => {
    expect(powerText('1.5', '3.0')).toEqual({ text: '3.375', exact: true });
    expect(powerText('2', '1e1')).toEqual({ text: '1024', exact: true });
    expect(powerText('2', '-0')).toEqual({ text: '1', exact: true });
  });

  it('answers 0, 1 and −1 for exponents far too large to expand', () => {
    expect(powerText('1', '1e18').text).toBe('1');
    expect(powerText('-1', '1e18').text).toBe('1');
    expect(powerText('-1', '1000000000000000001').text).toBe('-1');
    expect(powerText('0', '1e300').text).toBe('0');
  });

  it('matches the committed fixture for 7^100000', () => {
    const { text, exact } = powerText('7', '100000');
    expect(exact).toBe(true);
    expect(text).toHaveLength(SEVEN_TO_100000.digits);
    expect(text.startsWith(SEVEN_TO_100000.leading)).toBe(true);
    expect(createHash('sha256').update(text).digest('hex')).toBe(SEVEN_TO_100000.sha256);
  });
});

describe('integerPower', () => {
  it('equals BigInt ** for bases with and without factors of two, of either sign', () => {
    const bases = [2n, -2n, 3n, -3n, 6n, 7n, 12n, -48n, 1024n, 2n ** 40n * 3n, 3n ** 41n];
    bases.push(-(2n ** 100n), 123456789012345678901234567891n, -(7n ** 200n) * 2n ** 33n);
    for (const c of bases) {
      for (const k of [1, 2, 3, 4, 5, 7, 8, 15, 16, 17, 31, 32, 33, 100, 255, 256, 1000, 4097]) {
        expect(integerPower(c, k), `${c}^${k}`).toBe(c ** BigInt(k));
      }
    }
    expect(integerPower(0n, 5)).toBe(0n);
    expect(integerPower(1n, 2 ** 40)).toBe(1n);
    expect(integerPower(-1n, 2 ** 40 + 1)).toBe(-1n);
  });

  it('matches BigInt ** on large exponents', () => {
    expect(integerPower(3n, 200_001)).toBe(3n ** 200_001n);
    expect(integerPower(-14n, 65_537)).toBe((-14n) ** 65_537n);
  });

  it('refuses an exponent that is not a safe positive integer', () => {
    expect(() => integerPower(3n, 0)).toThrow(RangeError);
    expect(() => integerPower(3n, 2 ** 53)).toThrow(RangeError);
    expect(() => integerPower(3n, 1.5)).toThrow(RangeError);
  });
});

describe('power with a negative or fractional exponent', () => {
  it.each([
    ['10', '-5', '0.00001'],
    ['10', '-20', '0.00000000000000000001'],
    ['2', '-1', '0.5'],
    ['4', '1/2', '2'],
    ['4', '0.5', '2'],
    ['8', '2/3', '4'],
    ['0.25', '0.5', '0.5'],
    ['-8', '1/3', '-2'],
    ['-8', '-1/3', '-0.5'],
    ['-32', '3/5', '-8'],
    ['1e-400', '0.5', `0.${'0'.repeat(199)}1`],
    ['-1', '-9007199254740993', '-1'],
    ['-1', '2/3', '1'],
    ['0', '0.5', '0'],
    ['9/4', '3/2', '3.375'],
    ['4/9', '-3/2', '3.375'],
  ])('%s ^ %s = %s exactly', (base, exponent, text) => {
    expect(powerText(base, exponent)).toEqual({ text, exact: true });
  });

  it('writes 2^-100 in full', () => {
    const text = powerText('2', '-100').text;
    expect(text).toBe(`0.${(5n ** 100n).toString().padStart(100, '0')}`);
  });

  it('gives a non-terminating rational as a fraction and a correctly rounded result', () => {
    expect(powerText('3', '-1', 5)).toEqual({ text: '0.33333', exact: false, fraction: '1/3' });
    expect(powerText('3', '-2', 3)).toEqual({ text: '0.111', exact: false, fraction: '1/9' });
    expect(powerText('-2/3', '3', 4)).toEqual({ text: '-0.2963', exact: false, fraction: '-8/27' });
    expect(powerText('1/6', '-1', 5)).toEqual({ text: '6', exact: true });
  });

  it('rounds irrational answers to nearest at the requested precision', () => {
    expect(powerText('2', '1/2', 10)).toEqual({ text: '1.414213562', exact: false });
    expect(powerText('2', '0.5', 1)).toEqual({ text: '1', exact: false });
    expect(powerText('3', '1/2', 3)).toEqual({ text: '1.73', exact: false });
    expect(powerText('10', '1/2', 4)).toEqual({ text: '3.162', exact: false });
    expect(powerText('2', '-1/2', 5)).toEqual({ text: '0.70711', exact: false });
    expect(powerText('-2', '1/3', 4)).toEqual({ text: '-1.26', exact: false });
    expect(powerText('1e300', '1.5', 3).text).toBe(`1${'0'.repeat(450)}`);
  });
});

describe('a precision too long for a root', () => {
  it.each([
    ['2', '1/2', 2_000_001],
    ['3', '1/4', 1_000_000],
    ['7/3', '-2/3', 1_500_000],
  ])(
    '%s^(%s) to %i digits names the most it takes, which is taken, and one more is not',
    (base, exponent, precision) => {
      const args = { base: parseRational(base), exponent: parseRational(exponent) };
      let message = '';
      try {
        assertPowerArguments(args.base, args.exponent, precision);
      } catch (error) {
        message = (error as Error).message;
      }
      const most = Number(
        /^at most ([\d,]+) significant digits for this root/
          .exec(message)?.[1]
          ?.replaceAll(',', ''),
      );
      expect(most).toBeGreaterThan(0);
      expect(() => assertPowerArguments(args.base, args.exponent, most)).not.toThrow();
      expect(() => assertPowerArguments(args.base, args.exponent, most + 1)).toThrow(
        PowerDomainError,
      );
    },
  );
});

describe('power errors', () => {
  const errors: [label: string, base: string, exponent: string, reason: RegExp][] = [
    ['0 to a negative power', '0', '-1', /must not be negative when the base is 0/],
    ['0 to a negative fraction', '0', '-0.5', /must not be negative when the base is 0/],
    ['negative base, even root', '-8', '0.5', /odd q .* when the base is negative/],
    ['negative base, negative even root', '-2', '-1.5', /when the base is negative/],
    ['a root too large to compute', '2', '1/9999999', /works on numbers of about/],
  ];
  it.each(errors)('refuses %s with the reason', (_label, base, exponent, reason) => {
    let caught: unknown;
    try {
      power({ base: parseRational(base), exponent: parseRational(exponent), precision: 50 });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(PowerDomainError);
    expect((caught as PowerDomainError).argument).toBe('exponent');
    expect((caught as PowerDomainError).message).toMatch(reason);
  });
});

describe('rootWorkDigits', () => {
  const work = (base: string, exponent: string, precision: number) =>
    rootWorkDigits(parseRational(base), parseRational(exponent), precision);

  it('counts the precision-digit root and its rounding check: √2 to 50 digits, about 102', () => {
    expect(work('2', '1/2', 50)).toBe(102);
  });

  it('counts a^p and b^p in full, whatever the result’s size', () => {
    // (3^100 + 1)/3^100 ≈ 1: a 5-digit answer from two numbers of 4194305 × 48 digits.
    const nearOne = `${3n ** 100n + 1n}/${3n ** 100n}`;
    expect(work(nearOne, '4194305/3', 5)).toBeGreaterThan(4194305 * 47);
  });

  it('is unbounded, not NaN, for a denominator past the double range, whatever the precision', () => {
    const exponent = `1/${10n ** 4999n + 1n}`;
    expect(work('2', exponent, 1)).toBe(Number.POSITIVE_INFINITY);
    expect(work('2', exponent, 50)).toBe(Number.POSITIVE_INFINITY);
  });

  it('is 0 for an integer exponent and for a trivial base', () => {
    expect(work('7/3', '5', 50)).toBe(0);
    expect(work('1', '1/3', 50)).toBe(0);
  });
});
