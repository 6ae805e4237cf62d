/**
 * Benchmark 1, math kernels: compute time and decimal-conversion time, separately, for our
 * kernels, the older system's one-step loops in JavaScript, CPython's integers and GMP (gmpy2),
 * all in one run; every figure is also given as a ratio to GMP.
 */
import { createHash } from 'node:crypto';
import { benchOptions } from '../lib/cli.js';
import { formatMs, formatRatio } from '../lib/format.js';
import { publish } from '../lib/publish.js';
import { runInfo, type Section, type Table, type TargetResult } from '../lib/report.js';
import { timeRepeated } from '../lib/timing.js';
import { factorial } from '@microservice-math/math/kernels/factorial';
import { fibonacci } from '@microservice-math/math/kernels/fibonacci';
import { caseKey, caseLabel, kernelPlan, type KernelCase } from './cases.js';
import { Ladder, type Cell, type Timings } from './ladder.js';
import type { Measurement } from './measurement.js';
import { computeOneStep } from './oneStepLoops.js';
import { measureOurs } from './ours.js';
import {
  CPYTHON,
  DEBIAN_PYTHON,
  ensureGmpy2,
  startPythonPeer,
  type PythonPeer,
} from './pythonPeer.js';

const options = benchOptions();
const run = runInfo('kernels', options.quick);
const plan = kernelPlan(options.quick);

type Column = 'ours' | 'loop' | 'cpython' | 'gmp';
type Row = Partial<Record<Column, Timings>> & { case: KernelCase; digits: number };

/** The loops must compute what our kernels compute, or their times mean nothing. */
function checkOneStepLoops(): void {
  const checks: Array<[KernelCase, bigint]> = [
    [{ operation: 'factorial', n: 300 }, factorial(300)],
    [{ operation: 'fibonacci', n: 1000 }, fibonacci(1000)],
    [{ operation: 'power', base: 7, exponent: 500 }, 7n ** 500n],
  ];
  for (const [c, expected] of checks) {
    if (computeOneStep(c) !== expected) throw new Error(`one-step ${caseKey(c)} is wrong`);
  }
}

async function startPeer(python: string, kind: 'cpython' | 'gmpy2') {
  try {
    return { peer: await startPythonPeer(python, kind) };
  } catch (error) {
    return { unavailable: `${kind} could not start: ${(error as Error).message.split('\n')[0]}` };
  }
}

/** A measurement (never a prediction) as table figures. */
const measured = ({ computeMs, convertMs, sha256 }: Measurement): Timings => ({
  compute: { ms: computeMs, predicted: false },
  convert: convertMs === undefined ? undefined : { ms: convertMs, predicted: false },
  ...(sha256 ? { sha256 } : {}),
});

/** The faster of two timings of the same case, phase by phase. */
function faster<T extends Measurement>(a: T | undefined, b: T): T {
  if (!a) return b;
  return {
    ...b,
    computeMs: Math.min(a.computeMs, b.computeMs),
    convertMs:
      a.convertMs === undefined || b.convertMs === undefined
        ? (a.convertMs ?? b.convertMs)
        : Math.min(a.convertMs, b.convertMs),
  };
}

/** Ours and GMP, taking turns for `plan.rounds` rounds; the fastest of each is kept. */
async function fastestOfRounds(c: KernelCase, gmp: PythonPeer | undefined) {
  let ours: ReturnType<typeof measureOurs> | undefined;
  let gmpTiming: Measurement | undefined;
  for (let round = 0; round < plan.rounds; round++) {
    ours = faster(ours, measureOurs(c, plan.minTotalMs));
    if (gmp) {
      gmpTiming = faster(
        gmpTiming,
        await gmp.measure(c, { convert: true, minTotalMs: plan.minTotalMs }),
      );
    }
  }
  return { ours: ours as ReturnType<typeof measureOurs>, gmp: gmpTiming };
}

async function measureAll(cpython: PythonPeer | undefined, gmp: PythonPeer | undefined) {
  const pythonLadder = (peer: PythonPeer) =>
    new Ladder(
      (c, convert) => peer.measure(c, { convert, minTotalMs: plan.minTotalMs }),
      plan.capMs,
      true,
    );
  const cpythonLadder = cpython && pythonLadder(cpython);
  const loopLadder = new Ladder(
    async (c) => ({
      computeMs: timeRepeated(() => computeOneStep(c), plan.minTotalMs).ms,
      convertMs: undefined,
      digits: Number.NaN,
    }),
    plan.capMs,
    false,
  );

  const rows: Row[] = [];
  for (const c of plan.cases) {
    const label = caseLabel(c);
    const { ours, gmp: gmpTiming } = await fastestOfRounds(c, gmp);
    const row: Row = {
      case: c,
      digits: ours.digits,
      ours: measured({ ...ours, sha256: createHash('sha256').update(ours.text).digest('hex') }),
    };
    console.log(`${label}: ours ${formatMs(ours.computeMs)} + ${formatMs(ours.convertMs ?? NaN)}`);
    if (gmpTiming) {
      row.gmp = measured(gmpTiming);
      console.log(
        `${label}: GMP ${formatMs(gmpTiming.computeMs)} + ${formatMs(gmpTiming.convertMs ?? NaN)}`,
      );
    }
    if (cpythonLadder) {
      row.cpython = await cpythonLadder.run(c);
      console.log(
        `${label}: CPython ${cellText(row.cpython.compute)} + ${cellText(row.cpython.convert)}`,
      );
    }
    row.loop = await loopLadder.run(c);
    console.log(`${label}: one-step loop ${cellText(row.loop.compute)}`);
    checkSameNumber(row);
    rows.push(row);
  }
  return rows;
}

/** Every implementation that wrote the number in decimal must have written the same text. */
function checkSameNumber(row: Row): void {
  const ours = row.ours?.sha256;
  for (const column of ['gmp', 'cpython'] as const) {
    const theirs = row[column]?.sha256;
    if (theirs !== undefined && theirs !== ours) {
      throw new Error(`${caseLabel(row.case)}: ${column} and our kernels disagree on the digits`);
    }
  }
}

function cellText(cell: Cell | undefined): string {
  if (!cell) return 'n/a';
  if (!Number.isFinite(cell.ms)) return 'not run';
  return cell.predicted ? `≈ ${formatMs(cell.ms)} (predicted; not run)` : formatMs(cell.ms);
}

function ratio(a: Cell | undefined, b: Cell | undefined): number {
  return a && b ? a.ms / b.ms : Number.NaN;
}

function ratioText(a: Cell | undefined, b: Cell | undefined): string {
  const value = ratio(a, b);
  if (!Number.isFinite(value)) return 'n/a';
  return `${a?.predicted || b?.predicted ? '≈ ' : ''}${formatRatio(value)}`;
}

function tables(rows: Row[]): Table[] {
  const digits = (row: Row) => row.digits.toLocaleString('en-US');
  return [
    {
      title: 'Compute time',
      header: [
        'case',
        'digits',
        'ours',
        'one-step loop',
        'CPython',
        'GMP',
        'ours ÷ GMP',
        'loop ÷ GMP',
        'CPython ÷ GMP',
      ],
      rows: rows.map((row) => [
        caseLabel(row.case),
        digits(row),
        cellText(row.ours?.compute),
        cellText(row.loop?.compute),
        cellText(row.cpython?.compute),
        cellText(row.gmp?.compute),
        ratioText(row.ours?.compute, row.gmp?.compute),
        ratioText(row.loop?.compute, row.gmp?.compute),
        ratioText(row.cpython?.compute, row.gmp?.compute),
      ]),
      notes: [
        'Ratios are times divided by GMP’s time for the same case: 2× means twice as slow as GMP. ' +
          '“≈” marks a time predicted from the two smaller sizes instead of run, because it would ' +
          `take over ${formatMs(plan.capMs / 2)}; such predictions err on the low side.`,
      ],
    },
    {
      title: 'Decimal conversion time',
      header: [
        'case',
        'digits',
        'ours (V8 toString)',
        'CPython str()',
        'GMP digits()',
        'ours ÷ GMP',
        'CPython ÷ GMP',
      ],
      rows: rows.map((row) => [
        caseLabel(row.case),
        digits(row),
        cellText(row.ours?.convert),
        cellText(row.cpython?.convert),
        cellText(row.gmp?.convert),
        ratioText(row.ours?.convert, row.gmp?.convert),
        ratioText(row.cpython?.convert, row.gmp?.convert),
      ]),
      notes: [
        'The one-step loops produce the same BigInt as our kernels, so their conversion is ours; it is not timed twice.',
      ],
    },
  ];
}

function targets(
  rows: Row[],
  gmpMissing: string | undefined,
  cpythonMissing: string | undefined,
): TargetResult[] {
  const row = (c: KernelCase) => rows.find((r) => caseKey(r.case) === caseKey(c)) as Row;
  const judged = (
    target: string,
    what: string,
    a: Cell | undefined,
    b: Cell | undefined,
    missing: string | undefined,
    passes: (ratio: number) => boolean,
  ): TargetResult => {
    const value = ratio(a, b);
    if (!Number.isFinite(value)) return { target, measured: missing ?? 'not measured', met: null };
    return { target, measured: `${what} = ${ratioText(a, b)}`, met: passes(value) };
  };
  const fac = row(plan.factorialLarge);
  const fib = row(plan.fibonacciLarge);
  const facMid = row(plan.factorialMid);
  const fibMid = row(plan.fibonacciMid);
  return [
    judged(
      `${caseLabel(fac.case)} compute within 3× of GMP`,
      'ours ÷ GMP',
      fac.ours?.compute,
      fac.gmp?.compute,
      gmpMissing,
      (r) => r <= 3,
    ),
    judged(
      `${caseLabel(fib.case)} compute within 4× of GMP`,
      'ours ÷ GMP',
      fib.ours?.compute,
      fib.gmp?.compute,
      gmpMissing,
      (r) => r <= 4,
    ),
    judged(
      `${caseLabel(fac.case)} compute at least 5× faster than CPython’s math.factorial`,
      'CPython ÷ ours',
      fac.cpython?.compute,
      fac.ours?.compute,
      cpythonMissing,
      (r) => r >= 5,
    ),
    judged(
      `${caseLabel(fib.case)} compute at least 5× faster than CPython (fast doubling on Python ints)`,
      'CPython ÷ ours',
      fib.cpython?.compute,
      fib.ours?.compute,
      cpythonMissing,
      (r) => r >= 5,
    ),
    judged(
      `${caseLabel(facMid.case)} compute over 100× faster than the one-step loop`,
      'loop ÷ ours',
      facMid.loop?.compute,
      facMid.ours?.compute,
      undefined,
      (r) => r > 100,
    ),
    judged(
      `${caseLabel(fibMid.case)} compute over 100× faster than the one-step loop`,
      'loop ÷ ours',
      fibMid.loop?.compute,
      fibMid.ours?.compute,
      undefined,
      (r) => r > 100,
    ),
  ];
}

checkOneStepLoops();
const gmpyProblem = await ensureGmpy2();
const cpython = await startPeer(CPYTHON, 'cpython');
const gmp = gmpyProblem ? { unavailable: gmpyProblem } : await startPeer(DEBIAN_PYTHON, 'gmpy2');
for (const missing of [cpython.unavailable, gmp.unavailable]) if (missing) console.warn(missing);
let rows: Row[];
try {
  rows = await measureAll(cpython.peer, gmp.peer);
} finally {
  cpython.peer?.close();
  gmp.peer?.close();
}

const section: Section = {
  name: 'kernels',
  title: '1. Math kernels',
  method: [
    'Each case is computed, then written in decimal, and the two are timed separately. ' +
      '**Ours**: the math subgraph’s kernels (`subgraphs/math/src/kernels`: prime-swing factorial, ' +
      'Fibonacci by doubling with two squarings per bit, left-to-right binary powers) and the ' +
      'conversion the service does when `result` ' +
      'is selected (`toPlainString`, i.e. V8’s BigInt `toString`), called on the benchmark’s own ' +
      'thread so that worker-pool hops are not counted. **One-step loop**: the older Python ' +
      'system’s algorithms in JavaScript BigInt (1·2·…·n, n additions, e multiplications). ' +
      `**CPython**: \`${CPYTHON}\` with \`math.factorial\`, Fibonacci by the same doubling as ours ` +
      'on Python ints, and the built-in `**`, converted with `str()`. **GMP**: Debian’s ' +
      `python3-gmpy2 under \`${DEBIAN_PYTHON}\` (\`gmpy2.fac\`, \`gmpy2.fib\`, \`mpz ** int\`, ` +
      '`digits()`), installed with apt by the benchmark when missing.',
    `Fast runs are repeated until they total ${formatMs(plan.minTotalMs)}, slow ones run once, ` +
      'and the fastest run is reported: for CPU-bound code other work on the machine only ever ' +
      `adds time. Ours and GMP take turns for ${plan.rounds} round(s), so a burst of other work ` +
      'cannot fall on one of them only. The one-step loops and CPython are first run at 1/100 and ' +
      '1/10 of each size; when the power law through those two points predicts more than ' +
      `${formatMs(plan.capMs / 2)} for the next size (half the issue’s ${formatMs(plan.capMs)} ` +
      'limit, as the law underestimates sizes whose operands outgrow the CPU caches), that size ' +
      'is skipped and the prediction is shown instead (computation and conversion are judged ' +
      'separately). Every decimal text is ' +
      'hashed and the benchmark stops if any two implementations disagree.',
  ],
  versions: [
    cpython.peer?.version ?? (cpython.unavailable as string),
    gmp.peer?.version ?? (gmp.unavailable as string),
  ],
  tables: tables(rows),
  targets: targets(rows, gmp.unavailable, cpython.unavailable),
};
await publish(section, run, options);
