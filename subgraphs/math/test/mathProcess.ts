/**
 * The math subgraph as a process of its own, started the way `npm run start:math` starts it
 * (main.ts from source through tsx's loader), on a free port with a SQLite file of its own.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Caller } from '@microservice-math/shared/routerContext';
import { freePort, startProcess, type ServiceProcess } from '../../../tests/support/processes.js';
import { RequestLogSchema, type RequestLogEntity } from '../src/logs/RequestLog.js';
import { openLogReader, ROUTER_SECRET, routerHeaders, silentLogger } from './mathService.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = join(here, '..', '..', '..');
const mainFile = join(here, '..', 'src', 'main.ts');
/** tsx's loader, as an absolute URL (`--import` resolves bare names from the working directory). */
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

export interface MathProcess {
  base: string;
  /** Resolves with how the process ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** True once the process has ended. */
  readonly gone: boolean;
  /** Its log lines (JSON), error level and above. */
  errorLines(): string[];
  /** POSTs a GraphQL query as the router would, for `caller`. */
  post(query: string, caller: Caller): Promise<Response>;
  signal(signal: NodeJS.Signals): void;
  /** The committed request logs of `userId` (open after the process has ended). */
  logRows(userId: string): Promise<RequestLogEntity[]>;
  /** Kills the process if it is still running and removes its files. */
  dispose(): void;
}

export async function startMathProcess(env: Record<string, string> = {}): Promise<MathProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mm-math-process-'));
  const databaseUrl = `file:${join(dataDir, 'math.db')}`;
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let service: ServiceProcess;
  try {
    // `--conditions=source` as `npm run start:math` passes it to tsx; harmless where unused.
    service = await startProcess(
      'math',
      [process.execPath, '--conditions=source', '--import', tsxLoader, mainFile],
      {
        NODE_ENV: 'production', // JSON log lines, no pretty-printing thread
        SHUTDOWN_DRAIN_MS: '0', // its SIGTERM tests measure what follows the drain
        LOG_LEVEL: 'info',
        ROUTER_SECRET,
        DATABASE_URL: databaseUrl,
        MATH_PORT: String(port),
        MATH_WORKERS: '2',
        // In-process cache and events, whatever the test runner's environment says.
        REDIS_URL: '',
        ...env,
      },
      `${base}/ready`,
      repoRoot,
    );
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const { child, exited, output } = service;
  return {
    base,
    exited,
    get gone() {
      return service.gone;
    },
    errorLines: () =>
      output()
        .split('\n')
        .filter((line) => /"level":(50|60)/.test(line)),
    post: (query, caller) =>
      fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...routerHeaders(caller) },
        body: JSON.stringify({ query }),
      }),
    signal: (signal) => child.kill(signal),
    async logRows(userId) {
      const reader = await openLogReader(databaseUrl, silentLogger());
      try {
        return await reader.em
          .fork()
          .find(RequestLogSchema, { userId }, { orderBy: { id: 'asc' } });
      } finally {
        await reader.close();
      }
    },
    dispose() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
