import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FACTORIAL_10000, FACTORIAL_100000 } from './bigValues.fixtures.js';
import { DomainError } from './errors.js';
import { factorial, oddPrimesUpTo } from './factorial.js';

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

  it('matches the naive product around powers of two, primes and prime squares', () => {
    // Levels of the swing recursion halve n, and the swing's factors change at primes, at
    // prime squares (several powers of p divide it) and at multiples of primes.
    const samples = new Set<number>();
    for (let bit = 1; bit <= 2 ** 12; bit *= 2)
      [bit - 1, bit, bit + 1].forEach((n) => samples.add(n));
    for (const n of [997, 1009, 1021, 2017, 961, 1024 + 1, 29 * 29, 31 * 31, 2 * 1009, 3 * 1009]) {
      samples.add(n);
    }
    const sorted = [...samples].sort((a, b) => a - b);
    let expected = 1n;
    let done = 1;
    for (const n of sorted) {
      for (let k = done + 1; k <= n; k++) expected *= BigInt(k);
      done = Math.max(done, n);
      expect(factorial(n), `${n}!`).toBe(expected);
    }
  });

  it('agrees with (n−1)! · n for larger n', () => {
    for (const n of [20_000, 32_768, 65_537]) {
      expect(factorial(n), `${n}!`).toBe(factorial(n - 1) * BigInt(n));
    }
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

describe('oddPrimesUpTo', () => {
  const isOddPrime = (k: number): boolean => {
    if (k < 3 || k % 2 === 0) return false;
    for (let d = 3; d * d <= k; d += 2) if (k % d === 0) return false;
    return true;
  };

  it('lists exactly the odd primes up to n, by trial division, for n = 0 … 2000', () => {
    const expected: number[] = [];
    for (let n = 0; n <= 2000; n++) {
      if (isOddPrime(n)) expected.push(n);
      expect([...oddPrimesUpTo(n)], `n = ${n}`).toEqual(expected);
    }
  });

  it('counts 78497 odd primes below 10^6 (π(10^6) = 78498, less the prime 2)', () => {
    const primes = oddPrimesUpTo(1_000_000);
    expect(primes.length).toBe(78497);
    expect(primes[primes.length - 1]).toBe(999983);
  });
});
