/**
 * Exact Fibonacci numbers by fast doubling: from F(k) and F(k+1),
 *   F(2k)   = F(k) · (2·F(k+1) − F(k))
 *   F(2k+1) = F(k)² + F(k+1)²
 * one step per bit of n, so about log₂ n big multiplications instead of n additions.
 * Negative indices follow F(−n) = (−1)^(n+1) · F(n).
 */
import { DomainError } from './errors.js';

export function assertFibonacciArgument(n: number): void {
  if (!Number.isSafeInteger(n)) throw new DomainError('n', 'must be an integer');
}

export function fibonacci(n: number): bigint {
  assertFibonacciArgument(n);
  if (n < 0) {
    const magnitude = fibonacciOfNatural(-n);
    return -n % 2 === 0 ? -magnitude : magnitude;
  }
  return fibonacciOfNatural(n);
}

function fibonacciOfNatural(n: number): bigint {
  if (n === 0) return 0n;
  const bits = n.toString(2);
  let a = 0n; // F(k)
  let b = 1n; // F(k+1)
  // All bits but the last: keep both F(k) and F(k+1).
  for (let i = 0; i < bits.length - 1; i++) {
    const even = a * (2n * b - a); // F(2k)
    const odd = a * a + b * b; // F(2k+1)
    if (bits[i] === '1') {
      a = odd;
      b = even + odd;
    } else {
      a = even;
      b = odd;
    }
  }
  // The last bit needs only F(n): one product when n is even, two squares when odd.
  return bits[bits.length - 1] === '1' ? a * a + b * b : a * (2n * b - a);
}
