import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FACTORIAL_10000, FACTORIAL_100000 } from './bigValues.fixtures.js';
import { DomainError } from './errors.js';
import { factorial } from './factorial.js';

function naiveFactorial(n: number): bigint {
  let product = 1n;
  for (let k = 2n; k <= BigInt(n); k++) product *= k;
  return product;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('factorial', () => {
  it('matches the naive product for n = 0 … 600', () => {
    let expected = 1n;
    for (let n = 0; n <= 600; n++) {
      if (n > 1) expected *= BigInt(n);
      expect(factorial(n), `${n}!`).toBe(expected);
    }
    expect(factorial(1234)).toBe(naiveFactorial(1234));
  });

  it('matches the committed fixture for 10000!', () => {
    const text = factorial(10000).toString();
    expect(text).toHaveLength(FACTORIAL_10000.digits);
    expect(text.startsWith(FACTORIAL_10000.leading)).toBe(true);
    expect(sha256(text)).toBe(FACTORIAL_10000.sha256);
  });

  it('gives 100000! with exactly 24999 trailing zeros and the known last digits', () => {
    const text = factorial(100000).toString();
    const stripped = text.replace(/0+$/, '');
    expect(text).toHaveLength(FACTORIAL_100000.digits);
    expect(text.length - stripped.length).toBe(FACTORIAL_100000.trailingZeros);
    expect(stripped.endsWith(FACTORIAL_100000.lastNonZeroDigits)).toBe(true);
    expect(text.startsWith(FACTORIAL_100000.leading)).toBe(true);
    expect(sha256(text)).toBe(FACTORIAL_100000.sha256);
  });

  it.each([
    [-1, /0 or more/],
    [1.5, /integer/],
    [Number.NaN, /integer/],
    [2 ** 31, /at most/],
  ])('refuses n = %s', (n, reason) => {
    expect(() => factorial(n)).toThrow(DomainError);
    expect(() => factorial(n)).toThrow(reason);
  });
});
