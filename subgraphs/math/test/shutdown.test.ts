/**
 * SIGTERM under load, to the math subgraph running as its own process the way
 * `npm run start:math` runs it (tsx, from source): every request that was answered with data
 * has its committed log row, and the process exits 0 within 10 s.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import { afterAll, describe, expect, it } from 'vitest';
import { RequestLogSchema } from '../src/logs/RequestLog.js';
import {
  newCaller,
  openLogReader,
  routerHeaders,
  ROUTER_SECRET,
  silentLogger,
} from './mathService.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = join(here, '..', '..', '..');
const mainFile = join(here, '..', 'src', 'main.ts');
/** tsx's loader, as an absolute URL (`--import` resolves bare names from the working directory). */
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

interface Outcome {
  /** Sent after SIGTERM. */
  late: boolean;
  status?: number;
  logId?: string;
  /** The GraphQL error code, or the network error, of a request not answered with data. */
  failure?: string;
}

describe('SIGTERM during load', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'mm-math-sigterm-'));
  let child: ChildProcess | undefined;
  afterAll(() => {
    if (child?.exitCode === null) child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('loses no answered request’s log and exits 0 within 10 s', async ({ annotate }) => {
    const port = await freePort();
    const databaseUrl = `file:${join(dataDir, 'math.db')}`;
    const output: string[] = [];
    child = spawn(process.execPath, ['--conditions=source', '--import', tsxLoader, mainFile], {
      cwd: repoRoot,
      env: {
        PATH: process.env['PATH'],
        NODE_ENV: 'production', // JSON log lines, no pretty-printing thread
        LOG_LEVEL: 'info',
        ROUTER_SECRET,
        DATABASE_URL: databaseUrl,
        MATH_PORT: String(port),
        MATH_WORKERS: '2',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    const base = `http://127.0.0.1:${port}`;
    await waitUntilReady(base, exited);

    const caller = newCaller('sigterm');
    const outcomes: Outcome[] = [];
    let signalledAt: number | undefined;
    let stopped = false;
    void exited.then(() => (stopped = true));

    const send = async (i: number): Promise<void> => {
      const outcome: Outcome = { late: signalledAt !== undefined };
      outcomes.push(outcome);
      try {
        // Mixed sizes: inline results, pooled ones, cache hits.
        const n = (i * 7919) % 4000;
        const response = await fetch(`${base}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...routerHeaders(caller) },
          body: JSON.stringify({ query: `{ factorial(n: ${n}) { digits log { id } } }` }),
        });
        outcome.status = response.status;
        const body = (await response.json()) as {
          data?: { factorial: { log: { id: string } } } | null;
          errors?: Array<{ extensions?: { code?: string } }>;
        };
        outcome.logId = body.data?.factorial.log.id;
        if (!outcome.logId) outcome.failure = body.errors?.[0]?.extensions?.code ?? 'no data';
      } catch (error) {
        outcome.failure =
          (error as Error).cause instanceof Error
            ? (((error as Error).cause as NodeJS.ErrnoException).code ?? 'network')
            : 'network';
      }
    };

    // 64 requests in flight at all times, until the process is gone (or 4000 were sent).
    let next = 0;
    const lanes = Array.from({ length: 64 }, async () => {
      while (!stopped && next < 4000) {
        const i = next++;
        if (i === 600) {
          signalledAt = performance.now();
          child?.kill('SIGTERM');
        }
        await send(i);
      }
    });
    const [code, signal] = await exited;
    const exitMs = performance.now() - (signalledAt as number);
    await Promise.all(lanes);

    expect(signalledAt).toBeDefined();
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(exitMs).toBeLessThan(10_000);

    const answered = outcomes.filter((o) => o.status === 200 && o.logId);
    const reader = await openLogReader(databaseUrl, silentLogger());
    try {
      const rows = await reader.em.fork().find(RequestLogSchema, { userId: caller.id });
      const stored = new Set(rows.map((r) => r.id));
      const missing = answered.filter((o) => !stored.has(o.logId as string));
      expect(missing).toEqual([]);
      expect(answered.length).toBeGreaterThanOrEqual(600 - 64);

      const failures: Record<string, number> = {};
      for (const o of outcomes) if (o.failure) failures[o.failure] = (failures[o.failure] ?? 0) + 1;
      const errorLines = output
        .join('')
        .split('\n')
        .filter((l) => /"level":(50|60)/.test(l));
      await annotate(
        `measured: ${outcomes.length} sent, ${answered.length} answered with data ` +
          `(${answered.filter((o) => o.late).length} of them sent after SIGTERM), every one ` +
          `logged; ${stored.size} rows in all; exit 0 ${exitMs.toFixed(0)} ms after SIGTERM; ` +
          `not answered: ${JSON.stringify(failures)}; error log lines: ${errorLines.length}`,
      );
      expect(errorLines).toEqual([]);
    } finally {
      await reader.close();
    }
  });
});

async function waitUntilReady(base: string, exited: Promise<unknown>): Promise<void> {
  let gone = false;
  void exited.then(() => (gone = true));
  for (let attempt = 0; attempt < 300; attempt++) {
    if (gone) throw new Error('the math process exited during start-up');
    const status = await fetch(`${base}/ready`).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) return;
    await sleep(100);
  }
  throw new Error('the math process did not become ready in 30 s');
}

function freePort(): Promise<number> {
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
