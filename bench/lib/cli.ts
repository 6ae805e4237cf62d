/**
 * Options every benchmark script takes:
 *   --quick        tiny sizes and short runs, to prove the script works (CI), not to measure;
 *   --docs PATH    the Markdown file whose section to update. A full run updates the committed
 *                  docs/BENCHMARKS.md; a quick run writes to a scratch copy unless told otherwise,
 *                  so its meaningless figures never land in the committed file by accident.
 */
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

export const repoRoot = resolve(import.meta.dirname, '..', '..');

export interface BenchOptions {
  quick: boolean;
  docsPath: string;
}

export function benchOptions(argv: string[] = process.argv.slice(2)): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: { quick: { type: 'boolean', default: false }, docs: { type: 'string' } },
    strict: true,
  });
  const quick = values.quick ?? false;
  const docsPath = values.docs
    ? resolve(values.docs)
    : quick
      ? join(tmpdir(), 'microservice-math-bench', 'BENCHMARKS.md')
      : join(repoRoot, 'docs', 'BENCHMARKS.md');
  return { quick, docsPath };
}
