/**
 * A redis-server of the test's own, on a free port, that the test may stop and start again
 * (the shared one on 6379 is never touched). Restarting keeps the port, as a Redis that comes
 * back after an outage would. `freeze` stops the process without closing anything (SIGSTOP): its
 * connections stay open and accept commands that are never answered, until `thaw` (SIGCONT).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { freePort } from './processes.js';

export interface OwnRedis {
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** SIGSTOP: connected clients' commands wait unanswered (`stop` thaws it first). */
  freeze(): void;
  /** SIGCONT: it answers again, the commands sent meanwhile included. */
  thaw(): void;
}

export async function startOwnRedis(): Promise<OwnRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;

  async function start(): Promise<void> {
    const started = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    child = started;
    let output = ''; // the 'data' listener keeps draining its log, so the pipe never fills
    await new Promise<void>((resolve, reject) => {
      started.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) resolve();
      });
      started.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${output}`)));
    });
  }

  async function stop(): Promise<void> {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = once(running, 'exit');
    running.kill('SIGCONT'); // a frozen process would not act on SIGTERM
    running.kill('SIGTERM');
    await exited;
  }

  /** Signals the running server, if any. */
  function signal(name: NodeJS.Signals): void {
    if (child && child.exitCode === null) child.kill(name);
  }

  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    start,
    stop,
    freeze: () => signal('SIGSTOP'),
    thaw: () => signal('SIGCONT'),
  };
}
