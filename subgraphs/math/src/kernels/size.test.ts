import { describe, expect, it } from 'vitest';
import { digitCount } from './decimal.js';
import { factorial } from './factorial.js';
import { fibonacci } from './fibonacci.js';
import { toPlainString } from './numeric.js';
import { power } from './power.js';
import { predictDigits } from '../operations/registry.js';
import {
  factorialDigitRange,
  factorialDigits,
  fibonacciDigitRange,
  fibonacciDigits,
  powerDigitRange,
} from './size.js';
import { parseRational } from './rational.js';
import { evaluate } from '../compute/evaluate.js';
import type { PowerArgs } from './power.js';
import { DomainError } from './errors.js';

const powerArgs = (base: string, exponent: string, precision = 50): PowerArgs => ({
  base: parseRational(base),
  exponent: parseRational(exponent),
  precision,
});
const powerDigits = (args: PowerArgs) => powerDigitRange(args).high;

/** The documented promise: never below the real count, at most 1 above. */
function expectBracket(predicted: number, actual: number, label: string): void {
  expect(
    predicted - actual,
    `${label}: predicted ${predicted}, actual ${actual}`,
  ).toBeGreaterThanOrEqual(0);
  expect(
    predicted - actual,
    `${label}: predicted ${predicted}, actual ${actual}`,
  ).toBeLessThanOrEqual(1);
}

describe('size predictions bracket the real digit count', () => {
  it('for n! with n = 0 … 400 and samples up to 30000', () => {
    let value = 1n;
    for (let n = 0; n <= 400; n++) {
      if (n > 1) value *= BigInt(n);
      expectBracket(factorialDigits(n), value.toString().length, `${n}!`);
    }
    for (const n of [1000, 1024, 4999, 10000, 25000, 30000]) {
      expectBracket(factorialDigits(n), factorial(n).toString().length, `${n}!`);
    }
  });

  it('for F(n) with n = −300 … 300 and samples up to 300000', () => {
    for (let n = -300; n <= 300; n++) {
      expectBracket(fibonacciDigits(n), digitCount(fibonacci(n).toString()), `F(${n})`);
    }
    for (const n of [1000, 4096, 99999, 100000, -100001, 300000]) {
      expectBracket(fibonacciDigits(n), digitCount(fibonacci(n).toString()), `F(${n})`);
    }
  });

  it('as exact ranges for n! and F(n) away from a power of ten', () => {
    let value = 1n;
    for (let n = 0; n <= 400; n++) {
      if (n > 1) value *= BigInt(n);
      const digits = value.toString().length;
      expect(factorialDigitRange(n), `${n}!`).toEqual({ low: digits, high: digits });
    }
    for (let n = -300; n <= 300; n++) {
      const digits = digitCount(fibonacci(n).toString());
      expect(fibonacciDigitRange(n), `F(${n})`).toEqual({ low: digits, high: digits });
    }
    for (const n of [1000, 4999, 30000]) {
      const digits = factorial(n).toString().length;
      expect(factorialDigitRange(n), `${n}!`).toEqual({ low: digits, high: digits });
    }
    // F(4784969) is the first Fibonacci number of 1,000,000 digits (log10 ≈ 999999.03).
    for (const [n, digits] of [
      [100000, 20899],
      [4784969, 1_000_000],
    ] as const) {
      expect(fibonacciDigitRange(n), `F(${n})`).toEqual({ low: digits, high: digits });
    }
  });

  it('for exact powers of integer and decimal bases', () => {
    const bases = ['0', '1', '-1', '2', '-3', '7', '9', '10', '-300', '99999999999999999999'];
    bases.push('0.1', '0.5', '-0.007', '1.5', '2.50', '9.99', '31.4159', '1e-5', '123456789e20');
    for (const base of bases) {
      for (const k of [0, 1, 2, 3, 7, 10, 33, 100, 257, 1000, 4321]) {
        const args = powerArgs(base, String(k));
        const result = power(args);
        if (result.kind !== 'exact') throw new Error('expected an exact power');
        expectBracket(powerDigits(args), digitCount(toPlainString(result.value)), `${base}^${k}`);
      }
    }
  });

  it('for negative and fractional powers, whose range holds the computed digits', () => {
    for (const [base, exponent] of [
      ['2', '-1'],
      ['3', '0.5'],
      ['10', '-7'],
      ['1.5', '-2.5'],
      ['1e300', '1.01'],
      ['1/3', '5'],
      ['8', '-2/3'],
      ['-27/8', '1/3'],
    ] as const) {
      const args = powerArgs(base, exponent);
      const range = powerDigitRange(args);
      const computed = evaluate({ operation: 'POWER', args });
      const digits = computed.digits + (computed.fraction ? digitCount(computed.fraction) : 0);
      expect(digits, `${base}^${exponent}`).toBeGreaterThanOrEqual(range.low);
      expect(digits, `${base}^${exponent}`).toBeLessThanOrEqual(range.high);
    }
  });
});

describe('size predictions are finite for every accepted input', () => {
  it('fuzzed over degenerate and extreme bases and exponents', () => {
    const bases = ['0', '1', '-1', '2', '-2', '1/3', '-27/8', '0.5', '1e-400', '1e400', '9.99'];
    bases.push(`${'9'.repeat(5000)}/7`, `1/${'3'.repeat(3000)}`, '123456789012345678901234567890');
    const exponents = ['0', '1', '-1', '1/3', '-2/3', '0.5', '1e100000', '-1e99999', '1e-5'];
    exponents.push(`${'7'.repeat(400)}/3`, `-${'1'.repeat(5000)}`, '9007199254740993', '1/9999');
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const pick = (items: string[]) => items[Math.floor(random() * items.length)] as string;
    for (let i = 0; i < 3000; i++) {
      const [base, exponent] = [pick(bases), pick(exponents)];
      const precision = 1 + Math.floor(random() * 2000);
      let range: ReturnType<typeof powerDigitRange>;
      try {
        range = powerDigitRange(powerArgs(base, exponent, precision));
      } catch (error) {
        expect(error, `${base}^${exponent}`).toBeInstanceOf(DomainError);
        continue;
      }
      expect(Number.isFinite(range.high), `${base}^${exponent}`).toBe(true);
      expect(range.low, `${base}^${exponent}`).toBeGreaterThanOrEqual(1);
      expect(range.low, `${base}^${exponent}`).toBeLessThanOrEqual(range.high);
    }
  });

  it('is exact for an exact power whose size is a hair below a power of ten', () => {
    // (10^50 − 1)^4000 has 200000 digits; the estimate cannot tell it from 10^200000.
    const range = powerDigitRange(powerArgs('9'.repeat(50), '4000'));
    expect(range).toEqual({ low: 200_000, high: 200_001 });
    const computed = evaluate(
      { operation: 'POWER', args: powerArgs('9'.repeat(50), '4000') },
      {
        text: false,
      },
    );
    expect(computed.digits).toBe(200_000);
  });
});

describe('size predictions for huge inputs', () => {
  it('are cheap: thousands per millisecond budget, not computations', () => {
    const huge = [
      () => factorialDigits(2 ** 31 - 1),
      () => fibonacciDigits(2 ** 31 - 1),
      () => fibonacciDigits(-(2 ** 31)),
      () => powerDigits(powerArgs('2', '1e18')),
      () => powerDigits(powerArgs('1.5', '1e18')),
    ];
    const started = performance.now();
    for (let i = 0; i < 1000; i++) for (const predict of huge) predict();
    // 5000 predictions; a single real computation of any of these would never finish.
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('are the right magnitude', () => {
    // log10((2^31 − 1)!) ≈ 1.9107e10 (Stirling); F(n) has ≈ 0.20898764·n digits.
    expect(factorialDigits(2 ** 31 - 1)).toBeGreaterThan(1.91e10);
    expect(factorialDigits(2 ** 31 - 1)).toBeLessThan(1.911e10);
    expect(fibonacciDigits(2 ** 31 - 1) / (2 ** 31 - 1)).toBeCloseTo(0.20898764, 7);
    expect(powerDigits(powerArgs('2', '1e18'))).toBeCloseTo(3.0103e17, -14);
    // 1.5^k has k fractional digits and ⌈k·log10 15⌉ significant ones.
    expect(powerDigits(powerArgs('1.5', '1e18'))).toBeCloseTo(1.1761e18, -15);
    expect(powerDigits(powerArgs('1e5', '1e18'))).toBe(5e18 + 1);
  });

  it('validate the arguments first, like the computation would', () => {
    expect(() => predictDigits({ operation: 'FACTORIAL', args: { n: -1 } })).toThrow(/0 or more/);
    expect(() =>
      predictDigits({
        operation: 'POWER',
        args: powerArgs('0', '-1'),
      }),
    ).toThrow(/base is 0/);
    expect(predictDigits({ operation: 'FIBONACCI', args: { n: -10 } })).toBe(2);
  });
});
