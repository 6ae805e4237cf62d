/**
 * Our kernels exactly as the math subgraph runs them, called on this thread (not through the
 * worker pool, whose hops are not the kernels' cost), and the decimal conversion the service
 * does when `result` is selected (`toPlainString`, i.e. V8's BigInt toString).
 */
import { factorial } from '@microservice-math/math/kernels/factorial';
import { fibonacci } from '@microservice-math/math/kernels/fibonacci';
import { toPlainString, type Decimal } from '@microservice-math/math/kernels/numeric';
import { DEFAULT_PRECISION, power } from '@microservice-math/math/kernels/power';
import { parseRational } from '@microservice-math/math/kernels/rational';
import { timeRepeated } from '../lib/timing.js';
import type { KernelCase } from './cases.js';
import type { Measurement } from './measurement.js';

function compute(c: KernelCase): () => Decimal {
  switch (c.operation) {
    case 'factorial':
      return () => ({ coefficient: factorial(c.n), exponent: 0 });
    case 'fibonacci':
      return () => ({ coefficient: fibonacci(c.n), exponent: 0 });
    case 'power': {
      // Parsed outside the timed work: the service parses once, before computing.
      const base = parseRational(String(c.base));
      const exponent = parseRational(String(c.exponent));
      return () => {
        const outcome = power({ base, exponent, precision: DEFAULT_PRECISION });
        if (outcome.kind !== 'exact') throw new Error('an integer power must be exact');
        return outcome.value;
      };
    }
  }
}

export function measureOurs(c: KernelCase, minTotalMs: number): Measurement & { text: string } {
  const computed = timeRepeated(compute(c), minTotalMs);
  const converted = timeRepeated(() => toPlainString(computed.value), minTotalMs);
  const text = converted.value;
  return { computeMs: computed.ms, convertMs: converted.ms, digits: text.length, text };
}
