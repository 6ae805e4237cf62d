/**
 * `npm run bench -- --quick` in CI: every benchmark script runs with tiny sizes, prints, and
 * writes its section (tables, targets) into a scratch copy of docs/BENCHMARKS.md. What is
 * checked is that the scripts work and report, not their figures, which mean nothing at these
 * sizes.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import * as prettier from 'prettier';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { benchmarks } from '../bench/lib/benches.js';
import { redisUrl, testDatabaseUrl } from './support/system.js';

const root = resolve(import.meta.dirname, '..');
const run = promisify(execFile);
const missing = !redisUrl
  ? 'skipped: needs REDIS_URL'
  : !testDatabaseUrl
    ? 'skipped: needs TEST_DATABASE_URL'
    : false;

describe.skipIf(missing)('npm run bench -- --quick', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mm-bench-test-'));
  const docsPath = join(dir, 'BENCHMARKS.md');
  let output = '';
  let docs = '';

  beforeAll(async () => {
    const result = await run(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', 'bench/run.ts', '--quick', '--docs', docsPath],
      { cwd: root, maxBuffer: 64 * 1024 * 1024, timeout: 540_000 },
    );
    output = result.stdout;
    docs = readFileSync(docsPath, 'utf8');
  }, 600_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(benchmarks.map((b) => [b.name, b]))(
    '%s runs, prints its tables and writes its section',
    (_name, b) => {
      expect(output).toContain(`# ${b.title}`);
      expect(output).toContain(`${b.name}: done`);
      const begin = docs.indexOf(`<!-- bench:${b.name}:begin -->`);
      const end = docs.indexOf(`<!-- bench:${b.name}:end -->`);
      expect(begin).toBeGreaterThanOrEqual(0);
      expect(end).toBeGreaterThan(begin); // a section is replaced whole, never left open
      expect(docs.indexOf(`<!-- bench:${b.name}:begin -->`, begin + 1)).toBe(-1);
      const section = docs.slice(begin, end);
      expect(section).toContain(`## ${b.title}`);
      expect(section).toContain('Quick run');
      expect(section).toContain(`npm run bench -- ${b.name} --quick`);
      expect(section).toMatch(/- \*\*Machine:\*\* .+ cores/);
      expect(section).toMatch(/\|\s*target\s*\|\s*measured \(this run\)\s*\|\s*met\?\s*\|/);
      expect(section).toMatch(new RegExp(`<!-- bench:targets:${b.name} \\[\\{.+\\}\\] -->`));
    },
  );

  it('sums the targets up and leaves the file as Prettier writes it', async () => {
    const [summaryBegin, summaryEnd] = [
      docs.indexOf('<!-- bench:summary:begin -->'),
      docs.indexOf('<!-- bench:summary:end -->'),
    ];
    expect(summaryBegin).toBeGreaterThanOrEqual(0);
    expect(summaryEnd).toBeGreaterThan(summaryBegin);
    const summary = docs.slice(summaryBegin, summaryEnd);
    for (const b of benchmarks) expect(summary).toContain(b.title);
    const config = await prettier.resolveConfig(join(root, 'docs', 'BENCHMARKS.md'));
    expect(await prettier.check(docs, { ...config, parser: 'markdown' })).toBe(true);
  });
});
