/**
 * The worker must load wherever the pool does. pool.test.ts covers Vitest; this file covers a
 * process started by the tsx CLI (how the service runs) and plain Node running a tsc build.
 * Each runs poolSmoke.ts in a child process and expects it to exit on its own. The worker's
 * file is found by the shared package's workerFile.ts: from its TypeScript source under tsx (the
 * `source` condition, as `npm start` runs), from its build (`dist/`) under plain Node, as in the
 * images.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, rmdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildIfChanged, serverBuild } from '../../../../scripts/freshBuild.js';
import { factorial } from '../kernels/factorial.js';
import { fibonacci } from '../kernels/fibonacci.js';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url)); // …/subgraphs/math/src/compute
const mathRoot = join(here, '..', '..');
const repoRoot = join(mathRoot, '..', '..');

interface SmokeReport {
  worker: { filename: string; execArgv?: string[] };
  factorial1000: { digits: number; leading: string };
  timedOut: boolean;
  fibonacciMinus1000: { digits: number; leading: string };
  stats: { pooled: number; inline: number; timedOut: number; pending: number };
}

/** Runs a script in a fresh Node process; rejects if it fails or does not exit within 90 s. */
async function smoke(args: string[]): Promise<SmokeReport> {
  const { stdout } = await run(process.execPath, args, {
    cwd: repoRoot,
    // A leaked handle shows up as a process that never exits; a loaded machine needs tens of
    // seconds to start the process and two worker threads through tsx.
    timeout: 90_000,
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  return JSON.parse(stdout) as SmokeReport;
}

function expectHealthyRun(report: SmokeReport): void {
  expect(report.factorial1000).toEqual({
    digits: 2568,
    leading: factorial(1000).toString().slice(0, 10),
  });
  expect(report.fibonacciMinus1000).toEqual({
    digits: 209,
    leading: fibonacci(-1000).toString().slice(0, 10), // F(−1000) is negative: "-434665576"
  });
  expect(report.timedOut).toBe(true);
  expect(report.stats).toMatchObject({ pooled: 2, inline: 0, timedOut: 1, pending: 0 });
}

describe('the compute worker loads', () => {
  it('in a process started by the tsx CLI, from TypeScript source', async () => {
    const tsxCli = createRequire(import.meta.url).resolve('tsx/cli');
    // Workspace packages from their TypeScript source, as the package scripts run the service.
    const report = await smoke([tsxCli, '--conditions=source', join(here, 'poolSmoke.ts')]);
    expect(report.worker.filename).toBe(join(here, 'worker.ts'));
    expect(report.worker.execArgv?.[0]).toBe('--import');
    expectHealthyRun(report);
  }, 120_000);

  describe('after a tsc build, as plain JavaScript', () => {
    // Inside subgraphs/math so the output is ESM (its package.json says "type": "module") and
    // finds piscina in node_modules, as a real dist/ build would. dist/ is git-ignored.
    let outDir = '';
    // The built shared package is what plain Node imports (packages/shared/dist), as in the
    // images: built the way they build it, only when its sources changed (tests/production.test.ts
    // shares the build and its lock).
    beforeAll(async () => {
      await buildIfChanged(serverBuild, { quiet: true, say: () => {} });
    }, 600_000);
    afterAll(async () => {
      if (outDir) await rm(outDir, { recursive: true, force: true });
      await rmdir(join(mathRoot, 'dist')).catch(() => undefined); // only if now empty
    });

    it('runs the same smoke test with node and no TypeScript loader', async () => {
      await mkdir(join(mathRoot, 'dist'), { recursive: true });
      outDir = await mkdtemp(join(mathRoot, 'dist', 'build-check-'));
      emit(
        [join(here, 'poolSmoke.ts'), join(here, 'worker.ts')], // worker.ts is loaded by file name, not imported
        join(mathRoot, 'src'),
        outDir,
      );
      const report = await smoke([join(outDir, 'compute', 'poolSmoke.js')]);
      expect(report.worker.filename).toBe(join(outDir, 'compute', 'worker.js'));
      expect(report.worker.execArgv).toBeUndefined();
      expectHealthyRun(report);
    }, 120_000);
  });
});

/** Compiles with the repository's compiler options, emitting JavaScript; fails on any error. */
function emit(rootNames: string[], rootDir: string, outDir: string): void {
  const configPath = join(repoRoot, 'tsconfig.base.json');
  const config = ts.readConfigFile(configPath, (path) => ts.sys.readFile(path));
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, repoRoot);
  const program = ts.createProgram(rootNames, {
    // The shared package's types from its build, as math's own build reads them.
    ...parsed.options,
    noEmit: false,
    rootDir,
    outDir,
  });
  const result = program.emit();
  const diagnostics = [...ts.getPreEmitDiagnostics(program), ...result.diagnostics];
  const message = ts.formatDiagnostics(diagnostics, {
    getCanonicalFileName: (name) => name,
    getCurrentDirectory: () => repoRoot,
    getNewLine: () => '\n',
  });
  expect(message).toBe('');
  expect(result.emitSkipped).toBe(false);
}
