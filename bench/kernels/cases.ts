/** What the kernels benchmark computes: the sizes, or tiny ones for --quick. */

export type KernelCase =
  | { operation: 'factorial'; n: number }
  | { operation: 'fibonacci'; n: number }
  | { operation: 'power'; base: number; exponent: number };

/** The cases the targets are judged on; in a quick run, the quick sizes stand in for them. */
export interface KernelPlan {
  cases: KernelCase[];
  factorialLarge: KernelCase;
  fibonacciLarge: KernelCase;
  factorialMid: KernelCase;
  fibonacciMid: KernelCase;
  /** Slow implementations skip a size predicted to take longer than this. */
  capMs: number;
  /** Fast runs are repeated until they total this much, and the fastest is taken. */
  minTotalMs: number;
  /** Rounds in which ours and GMP take turns, so that a burst of other work hits both. */
  rounds: number;
}

const factorial = (n: number): KernelCase => ({ operation: 'factorial', n });
const fibonacci = (n: number): KernelCase => ({ operation: 'fibonacci', n });
const power = (base: number, exponent: number): KernelCase => ({
  operation: 'power',
  base,
  exponent,
});

export function kernelPlan(quick: boolean): KernelPlan {
  if (quick) {
    const cases = [factorial(100), factorial(2000), fibonacci(1000), fibonacci(20_000)];
    return {
      cases: [...cases, power(3, 2000), power(7, 4000)],
      factorialLarge: cases[1] as KernelCase,
      fibonacciLarge: cases[3] as KernelCase,
      factorialMid: cases[0] as KernelCase,
      fibonacciMid: cases[2] as KernelCase,
      // Small enough that the skip-and-predict path runs too.
      capMs: 0.2,
      minTotalMs: 5,
      rounds: 1,
    };
  }
  const cases = [
    factorial(1e4),
    factorial(1e5),
    factorial(1e6),
    fibonacci(1e5),
    fibonacci(1e6),
    fibonacci(1e7),
    power(3, 1e6),
    power(7, 2e6),
  ];
  return {
    cases,
    factorialLarge: cases[2] as KernelCase,
    fibonacciLarge: cases[5] as KernelCase,
    factorialMid: cases[1] as KernelCase,
    fibonacciMid: cases[3] as KernelCase,
    capMs: 30_000,
    minTotalMs: 300,
    rounds: 3,
  };
}

/** The size the cost grows with: n, or the exponent of a power. */
export function sizeOf(c: KernelCase): number {
  return c.operation === 'power' ? c.exponent : c.n;
}

/** The same case with its size divided by `factor` (for the calibration runs of slow peers). */
export function scaledDown(c: KernelCase, factor: number): KernelCase {
  return c.operation === 'power'
    ? { ...c, exponent: Math.round(c.exponent / factor) }
    : { ...c, n: Math.round(c.n / factor) };
}

export function caseKey(c: KernelCase): string {
  return c.operation === 'power' ? `power:${c.base}:${c.exponent}` : `${c.operation}:${c.n}`;
}

/** "factorial 10^6", "Fibonacci 10^7", "7^(2·10^6)". */
export function caseLabel(c: KernelCase): string {
  if (c.operation === 'power') return `${c.base}^(${powerOfTen(c.exponent)})`;
  return `${c.operation === 'factorial' ? 'factorial' : 'Fibonacci'} ${powerOfTen(c.n)}`;
}

function powerOfTen(value: number): string {
  const exponent = Math.floor(Math.log10(value));
  const mantissa = value / 10 ** exponent;
  if (exponent < 3 || !Number.isInteger(mantissa)) return value.toLocaleString('en-US');
  return mantissa === 1 ? `10^${exponent}` : `${mantissa}·10^${exponent}`;
}
