import { describe, expect, it } from 'vitest';
import { digitCount, preview } from './decimal.js';
import { bitLength, summarizeDecimal } from './decimalSummary.js';
import { factorial } from './factorial.js';
import { fibonacci } from './fibonacci.js';
import type { Decimal } from './numeric.js';
import { normalize, toPlainString } from './numeric.js';

/** The definition: what converting everything would give. */
function byConversion(value: Decimal, edge = 20) {
  const text = toPlainString(value);
  return { digits: digitCount(text), preview: preview(text, edge) };
}

describe('bitLength', () => {
  it('counts the bits of a positive BigInt', () => {
    expect(bitLength(0n)).toBe(0);
    expect(bitLength(1n)).toBe(1);
    expect(bitLength(255n)).toBe(8);
    expect(bitLength(256n)).toBe(9);
    expect(bitLength(1n << 100_000n)).toBe(100_001);
  });
});

describe('summarizeDecimal', () => {
  it('matches the full conversion for big integers, either sign, around powers of ten', () => {
    const values = [
      factorial(5000), // 16326 digits, 1249 trailing zeros
      fibonacci(-40_000), // negative
      10n ** 6000n, // the smallest 6001-digit number
      10n ** 6000n - 1n, // the largest 6000-digit number
      -(2n ** 30_000n),
    ];
    for (const coefficient of values) {
      const value = { coefficient, exponent: 0 };
      expect(summarizeDecimal(value)).toEqual(byConversion(value));
    }
  });

  it('places the decimal point and padding zeros as toPlainString does', () => {
    const c = 7n ** 9000n; // 7606 digits
    for (const exponent of [25, 3, -1, -19, -20, -21, -7000, -7586, -7587, -7605, -7606, -8000]) {
      const value = { coefficient: c, exponent };
      expect(summarizeDecimal(value), `exponent ${exponent}`).toEqual(byConversion(value));
      const negative = { coefficient: -c, exponent };
      expect(summarizeDecimal(negative), `−, exponent ${exponent}`).toEqual(byConversion(negative));
    }
  });

  it('takes the arithmetic path even for small values when told to, with the same answers', () => {
    // A tiny threshold and edge exercise every point position against many random values.
    let seed = 12345;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let i = 0; i < 2000; i++) {
      const length = 8 + (random() % 40);
      let text = String(1 + (random() % 9));
      while (text.length < length) text += String(random() % 10);
      const coefficient = (random() % 2 ? -1n : 1n) * BigInt(text);
      const value = normalize(coefficient, (random() % 80) - 60);
      expect(summarizeDecimal(value, { edge: 3, convertUpToBits: 0 })).toEqual(
        byConversion(value, 3),
      );
    }
  });

  it('gives the preview of 100000! without its decimal text', () => {
    const summary = summarizeDecimal({ coefficient: factorial(100_000), exponent: 0 });
    expect(summary).toEqual({
      digits: 456574,
      preview: '28242294079603478742…00000000000000000000',
    });
  });
});
