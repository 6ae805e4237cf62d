/**
 * The older Python system's algorithms, one step at a time, written in JavaScript BigInt: what
 * "just port it" would have given. Each step multiplies (or adds) a huge number and a small one,
 * so the total work grows with the square of the result's size.
 */
import type { KernelCase } from './cases.js';

export function factorialOneStep(n: number): bigint {
  let product = 1n;
  for (let k = 2n; k <= BigInt(n); k++) product *= k;
  return product;
}

export function fibonacciOneStep(n: number): bigint {
  let current = 0n;
  let next = 1n;
  for (let i = 0; i < n; i++) [current, next] = [next, current + next];
  return current;
}

export function powerOneStep(base: number, exponent: number): bigint {
  const factor = BigInt(base);
  let result = 1n;
  for (let i = 0; i < exponent; i++) result *= factor;
  return result;
}

export function computeOneStep(c: KernelCase): bigint {
  switch (c.operation) {
    case 'factorial':
      return factorialOneStep(c.n);
    case 'fibonacci':
      return fibonacciOneStep(c.n);
    case 'power':
      return powerOneStep(c.base, c.exponent);
  }
}
