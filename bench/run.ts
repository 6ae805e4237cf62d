/**
 * `npm run bench [-- NAME…] [--quick] [--docs PATH]`: runs the named benchmarks (all of them
 * when none is named) one after another, each in a process of its own so that one's memory and
 * compiled code cannot colour the next one's figures. Each prints its tables and updates its
 * section of docs/BENCHMARKS.md (see lib/cli.ts for --quick and --docs).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { benchmarks, type BenchmarkName } from './lib/benches.js';
import { repoRoot } from './lib/cli.js';

const { values, positionals } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, docs: { type: 'string' } },
  allowPositionals: true,
});
const known = benchmarks.map((b) => b.name as string);
const unknown = positionals.filter((name) => !known.includes(name));
if (unknown.length) {
  console.error(`Unknown benchmark ${unknown.join(', ')}; choose from: ${known.join(', ')}`);
  process.exit(2);
}
const selected = benchmarks.filter((b) => positionals.length === 0 || positionals.includes(b.name));
const flags = [
  ...(values.quick ? ['--quick'] : []),
  ...(values.docs ? ['--docs', values.docs] : []),
];

// The services the development and CI machines run (CONTRACT.md), unless told otherwise.
const env = {
  ...process.env,
  REDIS_URL: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
  TEST_DATABASE_URL: process.env['TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test',
};

function runOne(name: BenchmarkName, script: string): Promise<number> {
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', join(repoRoot, 'bench', script), ...flags],
    { cwd: repoRoot, env, stdio: 'inherit' },
  );
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    child.once('error', (error) => {
      console.error(`${name}: ${error.message}`);
      resolve(1);
    });
  });
}

const outcomes: string[] = [];
let failed = 0;
for (const b of selected) {
  console.log(`\n=== ${b.title} (${b.name})`);
  const started = performance.now();
  const code = await runOne(b.name, b.script);
  const seconds = ((performance.now() - started) / 1000).toFixed(0);
  if (code !== 0) failed++;
  outcomes.push(`${b.name}: ${code === 0 ? 'done' : `FAILED (exit ${code})`} in ${seconds} s`);
}
console.log(`\n${outcomes.join('\n')}`);
process.exit(failed ? 1 : 0);
