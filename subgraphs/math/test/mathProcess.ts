/**
 * The math subgraph as a process of its own, started the way `npm run start:math` starts it
 * (main.ts from source through tsx's loader), on a free port with a SQLite file of its own.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Caller } from '@microservice-math/shared/routerContext';
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
  const output: string[] = [];
  // `--conditions=source` as `npm run start:math` passes it to tsx; harmless where unused.
  const child: ChildProcess = spawn(
    process.execPath,
    ['--conditions=source', '--import', tsxLoader, mainFile],
    {
      cwd: repoRoot,
      env: {
        PATH: process.env['PATH'],
        NODE_ENV: 'production', // JSON log lines, no pretty-printing thread
        LOG_LEVEL: 'info',
        ROUTER_SECRET,
        DATABASE_URL: databaseUrl,
        MATH_PORT: String(port),
        MATH_WORKERS: '2',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  let gone = false;
  const exited = once(child, 'exit').then(([code, signal]) => {
    gone = true;
    return { code: code as number | null, signal: signal as NodeJS.Signals | null };
  });
  const base = `http://127.0.0.1:${port}`;

  const running: MathProcess = {
    base,
    exited,
    get gone() {
      return gone;
    },
    errorLines: () =>
      output
        .join('')
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
      if (!gone) child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    },
  };

  for (let attempt = 0; attempt < 300; attempt++) {
    if (gone) throw new Error(`the math process exited during start-up:\n${output.join('')}`);
    const status = await fetch(`${base}/ready`).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) return running;
    await sleep(100);
  }
  running.dispose();
  throw new Error('the math process did not become ready in 30 s');
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}
