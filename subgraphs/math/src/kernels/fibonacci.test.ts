import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FIBONACCI_100000 } from './bigValues.fixtures.js';
import { DomainError } from './errors.js';
import { fibonacci } from './fibonacci.js';

describe('fibonacci', () => {
  it('matches the naive recurrence for n = 0 … 1000', () => {
    let a = 0n;
    let b = 1n;
    for (let n = 0; n <= 1000; n++) {
      expect(fibonacci(n), `F(${n})`).toBe(a);
      [a, b] = [b, a + b];
    }
  });

  it('follows F(−n) = (−1)^(n+1)·F(n): negative exactly for even n', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => fibonacci(-n))).toEqual([1n, -1n, 2n, -3n, 5n, -8n]);
    for (let n = 1; n <= 200; n++) {
      const sign = n % 2 === 1 ? 1n : -1n;
      expect(fibonacci(-n), `F(-${n})`).toBe(sign * fibonacci(n));
    }
    expect(fibonacci(-0)).toBe(0n);
  });

  it('matches the committed fixture for F(100000)', () => {
    const text = fibonacci(100000).toString();
    expect(text).toHaveLength(FIBONACCI_100000.digits);
    expect(text.startsWith(FIBONACCI_100000.leading)).toBe(true);
    expect(createHash('sha256').update(text).digest('hex')).toBe(FIBONACCI_100000.sha256);
    expect(fibonacci(-100000).toString()).toBe(`-${text}`);
  });

  it('refuses a non-integer n', () => {
    expect(() => fibonacci(2.5)).toThrow(DomainError);
    expect(() => fibonacci(Number.POSITIVE_INFINITY)).toThrow(/integer/);
  });
});
