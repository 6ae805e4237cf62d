/**
 * `npm start` under a process manager: it stops `npm start` with SIGTERM to npm's own process.
 * npm runs the start script through `sh -c` and passes the signal to that shell alone, which
 * (dash, Debian's sh) ends without passing it on: the system's node process was left running,
 * holding every port, so the manager's restart failed. It now stops as on SIGTERM once its parent
 * has gone.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildIfChanged, startBuilds } from '../scripts/freshBuild.js';
import { freePort, startProcess, type ServiceProcess } from './support/processes.js';
import { waitFor } from './support/waitFor.js';

const root = resolve(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'mm-npm-start-'));
// npm start builds the web app and the playground when their sources changed, which would eat
// into startProcess's wait for it to be ready: built (or found built) first, with time to do it.
beforeAll(async () => {
  for (const target of startBuilds) await buildIfChanged(target, { quiet: true, say: () => {} });
}, 300_000);

let npm: ServiceProcess | undefined;
let system: number | undefined;
afterAll(async () => {
  await npm?.stop('SIGKILL');
  // Left running only if the test failed: not left behind.
  if (system !== undefined && running(system)) process.kill(system, 'SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** The processes `pid` started (Linux). */
function childrenOf(pid: number): number[] {
  const listed = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
  return listed === '' ? [] : listed.split(' ').map(Number);
}

/** Running: not yet ended (an ended process no one has reaped yet is a zombie, state Z). */
function running(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

it.skipIf(process.platform !== 'linux')(
  'SIGTERM to the npm process stops the whole system, not only npm',
  async () => {
    const clientPort = await freePort();
    npm = await startProcess(
      'npm start',
      ['npm', 'start'],
      {
        NODE_ENV: 'development',
        LOG_LEVEL: 'warn',
        AUTH_PORT: String(await freePort()),
        MATH_PORT: String(await freePort()),
        ROUTER_PORT: String(await freePort()),
        CLIENT_PORT: String(clientPort),
        DATABASE_URL: `file:${join(dir, 'system.db')}`,
        REDIS_URL: '',
      },
      `http://127.0.0.1:${clientPort}/`,
      root,
    );
    const npmPid = npm.child.pid as number;
    // npm → sh -c → node scripts/start.ts (or node at once, where the shell execs it).
    const [shell] = childrenOf(npmPid);
    expect(shell).toBeDefined();
    system = childrenOf(shell as number)[0] ?? (shell as number);
    expect(readFileSync(`/proc/${system}/cmdline`, 'utf8')).toContain('scripts/start.ts');

    process.kill(npmPid, 'SIGTERM');
    await npm.exited;
    await waitFor(() => expect(running(system as number)).toBe(false), 30_000);
  },
  120_000,
);
