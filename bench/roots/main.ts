/**
 * Benchmark 6, irrational roots: power(2, 1/2) to 100,000 significant digits, correctly rounded,
 * by math's kernel (BigInt Newton root, subgraphs/math/src/kernels/root.ts) against MPFR through
 * gmpy2 and CPython's decimal module (peers.py, Debian's /usr/bin/python3). Each side's digits
 * are hashed and must agree, so a fast wrong answer cannot win.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { toPlainString } from '@microservice-math/math/kernels/numeric';
import { power } from '@microservice-math/math/kernels/power';
import { benchOptions } from '../lib/cli.js';
import { formatMs, formatRatio } from '../lib/format.js';
import { publish } from '../lib/publish.js';
import { runInfo, type Section, type TargetResult } from '../lib/report.js';
import { timeRepeated } from '../lib/timing.js';

const options = benchOptions();
const run = runInfo('roots', options.quick);
const DIGITS = options.quick ? 2_000 : 100_000;
const MIN_SECONDS = options.quick ? 0.05 : 1;
const PYTHON = '/usr/bin/python3';

interface Side {
  library: string;
  computeMs: number;
  convertMs: number;
  sha256: string;
}

function ours(): Side {
  const args = { base: { num: 2n, den: 1n }, exponent: { num: 1n, den: 2n }, precision: DIGITS };
  const computed = timeRepeated(() => power(args), MIN_SECONDS * 1000, 20);
  const converted = timeRepeated(() => toPlainString(computed.value.value), MIN_SECONDS * 1000, 20);
  return {
    library: `math kernel (Node ${process.versions.node} BigInt)`,
    computeMs: computed.ms,
    convertMs: converted.ms,
    sha256: createHash('sha256').update(converted.value.replace('.', '')).digest('hex'),
  };
}

async function peers(): Promise<Side[]> {
  const script = new URL('./peers.py', import.meta.url).pathname;
  const { stdout } = await promisify(execFile)(
    PYTHON,
    [script, String(DIGITS), String(MIN_SECONDS)],
    {
      maxBuffer: 1 << 20,
    },
  );
  return stdout
    .trim()
    .split('\n')
    .map((line) => {
      const peer = JSON.parse(line) as {
        library: string;
        computeSeconds: number;
        convertSeconds: number;
        sha256: string;
      };
      return {
        library: peer.library,
        computeMs: peer.computeSeconds * 1000,
        convertMs: peer.convertSeconds * 1000,
        sha256: peer.sha256,
      };
    });
}

const mine = ours();
const [mpfr, cpython] = await peers();
if (!mpfr || !cpython) throw new Error('the Python peers did not answer');
for (const peer of [mpfr, cpython]) {
  if (peer.sha256 !== mine.sha256) throw new Error(`${peer.library} disagrees with our digits`);
}
const total = (side: Side) => side.computeMs + side.convertMs;
const ratio = total(mine) / total(mpfr);
const targets: TargetResult[] = [
  {
    target: '2^(1/2) to 100,000 significant digits within 10× of MPFR',
    measured: `ours ÷ MPFR = ${formatRatio(ratio)} (root and decimal text)`,
    met: options.quick ? null : ratio <= 10,
  },
];
const row = (side: Side) => [
  side.library,
  formatMs(side.computeMs),
  formatMs(side.convertMs),
  formatMs(total(side)),
  formatRatio(total(side) / total(mpfr)),
];
const section: Section = {
  name: 'roots',
  title: '7. Irrational roots',
  method: [
    `\`power(base: 2, exponent: "1/2", precision: ${DIGITS})\`: the square root of 2 to ` +
      `${DIGITS.toLocaleString('en-US')} significant digits, rounded to nearest, computed by math's ` +
      'kernel in this process (no HTTP), by MPFR through gmpy2 (working precision of the digits ' +
      'plus 64 bits, `digits(10, N)` rounds to nearest) and by CPython’s `decimal` ' +
      '(`Context(prec=N).sqrt`, half-even). Each time is the fastest of repeated runs totalling ' +
      `at least ${MIN_SECONDS} s (at most 20 runs); "text" is writing the decimal digits. The ` +
      'three sets of digits are hashed and must be identical.',
  ],
  versions: [mpfr.library, cpython.library],
  tables: [
    {
      title: `√2 to ${DIGITS.toLocaleString('en-US')} significant digits`,
      header: ['implementation', 'root', 'text', 'total', 'vs MPFR'],
      rows: [row(mine), row(mpfr), row(cpython)],
    },
  ],
  targets,
};
await publish(section, run, options);
