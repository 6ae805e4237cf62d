/**
 * The worker must load wherever the pool does. pool.test.ts covers Vitest; this file covers a
 * process started by the tsx CLI (how `npm start` runs it) and plain Node running the build.
 * Each runs poolSmoke.ts in a child process and expects it to exit on its own. The worker's
 * file is found by the shared package's workerFile.ts: from its TypeScript source under tsx (the
 * `source` condition, as `npm start` runs), from its build (`dist/`) under plain Node, as in the
 * images.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverBuilt } from '../../../../scripts/freshBuild.js';
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

  describe('from the build, as plain JavaScript', () => {
    // The smoke script is left out of the build; compiled on its own beside the built pool and
    // worker (subgraphs/math/dist/compute, git-ignored), it loads them as the images do.
    let script = '';
    // The built shared package is what plain Node imports (packages/shared/dist), as in the
    // images: built the way they build it, only when its sources changed (tests/production.test.ts
    // shares the build and its lock).
    beforeAll(async () => {
      await serverBuilt({ quiet: true, say: () => {} });
    }, 600_000);
    afterAll(async () => {
      if (script) await rm(script, { force: true });
    });

    it('runs the same smoke test with node and no TypeScript loader', async () => {
      const builtCompute = join(mathRoot, 'dist', 'compute');
      script = join(builtCompute, `poolSmoke.check-${randomBytes(4).toString('hex')}.js`);
      await writeFile(script, transpile(join(here, 'poolSmoke.ts')));
      const report = await smoke([script]);
      expect(report.worker.filename).toBe(join(builtCompute, 'worker.js'));
      expect(report.worker.execArgv).toBeUndefined();
      expectHealthyRun(report);
    }, 120_000);
  });
});

/**
 * The script as JavaScript, with the repository's compiler options. Types are the typecheck's
 * job (`npm run typecheck` covers this file); this only strips them, as tsc's emit would.
 */
function transpile(file: string): string {
  const configPath = join(repoRoot, 'tsconfig.base.json');
  const config = ts.readConfigFile(configPath, (path) => ts.sys.readFile(path));
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, repoRoot);
  const { outputText, diagnostics } = ts.transpileModule(ts.sys.readFile(file) ?? '', {
    // ESM, as the build emits it under math's "type": "module" (which a lone file cannot see).
    compilerOptions: {
      ...options,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      noEmit: false,
      sourceMap: false,
      declaration: false,
    },
    fileName: file,
    reportDiagnostics: true,
  });
  expect(diagnostics ?? []).toEqual([]);
  return outputText;
}
