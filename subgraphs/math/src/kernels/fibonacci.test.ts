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

  it('matches the recurrence around powers of two and on every n up to 20000', () => {
    // Each bit of n is one doubling step, so powers of two and their neighbours exercise the
    // first and last steps with every parity; the full sweep covers every bit pattern below 2^14.
    let a = 0n;
    let b = 1n;
    for (let n = 0; n <= 20_000; n++) {
      if (n % 97 === 0 || [n - 1, n, n + 1].some((m) => m > 0 && (m & (m - 1)) === 0)) {
        expect(fibonacci(n), `F(${n})`).toBe(a);
      }
      [a, b] = [b, a + b];
    }
  });

  it('satisfies F(m+n) = F(m)·F(n+1) + F(m−1)·F(n) for large m and n', () => {
    for (const [m, n] of [
      [65_536, 65_537],
      [123_457, 100_000],
      [131_071, 1],
    ] as const) {
      expect(fibonacci(m + n), `F(${m}+${n})`).toBe(
        fibonacci(m) * fibonacci(n + 1) + fibonacci(m - 1) * fibonacci(n),
      );
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
