/**
 * The one launcher of services as separate OS processes: `startProcess` runs any command and
 * resolves once its health URL answers; `processSet` starts auth, math and the router the way
 * their container images do (`node dist/main.js`, built first when the sources changed), on free
 * ports, in production mode: JSON log lines a test can read, an explicit router secret and
 * signing key.
 */
import { randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { serverBuilt } from '../../scripts/freshBuild.js';
import { TEST_METRICS_TOKEN } from './metrics.js';
import { exportPKCS8, generateKeyPair } from 'jose';

/**
 * Ports for child processes, which must be told theirs before they start. Taken below the range
 * the OS hands out for `listen(0)` and outgoing connections (32768–60999 on Linux), so no other
 * socket on the machine is given one between this check and the child's own bind; each Vitest
 * worker has a slice of its own, so two tests in parallel never pick the same one. An OS-chosen
 * port, closed and passed on, was taken by another worker's socket in that gap (seen in CI).
 */
const PORT_RANGE = { first: 20_000, end: 32_768 };
const PORT_SLICES = 16;
const sliceSize = Math.floor((PORT_RANGE.end - PORT_RANGE.first) / PORT_SLICES);
const slice = Number(process.env.VITEST_POOL_ID ?? process.pid) % PORT_SLICES;
let nextInSlice = Math.floor(Math.random() * sliceSize);

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

export async function freePort(): Promise<number> {
  for (let tried = 0; tried < sliceSize; tried++) {
    const port = PORT_RANGE.first + slice * sliceSize + (nextInSlice++ % sliceSize);
    if (await bindable(port)) return port;
  }
  throw new Error(`No free port in this worker's slice of ${PORT_RANGE.first}–${PORT_RANGE.end}`);
}

export interface ServiceProcess {
  name: string;
  url: string;
  child: ChildProcess;
  output: () => string;
  /** Resolves with how the process ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** True once the process has ended. */
  readonly gone: boolean;
  /** Sends `signal` and resolves with the exit code (null if killed by a signal). */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
}

export async function startProcess(
  name: string,
  command: string[],
  env: Record<string, string>,
  healthUrl: string,
  cwd: string,
): Promise<ServiceProcess> {
  const [file, ...args] = command as [string, ...string[]];
  const child = spawn(file, args, {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let gone = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      gone = true;
      resolve({ code, signal });
    }),
  );

  // Polled by hand, not with vi.waitFor: the benchmarks start services through this file too,
  // outside Vitest. Start-up is slow on a loaded machine.
  const readyWithinMs = 60_000;
  const deadline = Date.now() + readyWithinMs;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`${name} exited with ${child.exitCode}:\n${output}`);
    try {
      const response = await fetch(healthUrl, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(
        `${name} not ready at ${healthUrl} after ${readyWithinMs / 1000} s:\n${output}`,
      );
    }
    await sleep(100);
  }
  return {
    name,
    url: healthUrl.replace(/\/(health|ready)$/, '/graphql'),
    child,
    output: () => output,
    exited,
    get gone() {
      return gone;
    },
    async stop(signal = 'SIGTERM', timeoutMs = 10_000) {
      if (child.exitCode !== null) return child.exitCode;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const { code } = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

export type ServiceName = 'auth' | 'math' | 'router';

const root = resolve(import.meta.dirname, '..', '..');
/** Each service's built entry point, relative to the root: what its image runs. */
export const mainFiles: Record<ServiceName, string> = {
  auth: 'subgraphs/auth/dist/main.js',
  math: 'subgraphs/math/dist/main.js',
  router: 'router/dist/main.js',
};

/**
 * The built services, checked (and rebuilt when a source changed) once per test worker. Built
 * JavaScript, not main.ts through tsx: the suite starts about 60 service processes, and
 * each start from source spends about a second more CPU compiling (the router: 3.0 s against
 * 1.7 s), on two cores shared by three test files at once. `npm start`'s own path from source is
 * tested in quickStart.test.ts.
 */
async function serviceCommand(name: ServiceName): Promise<string[]> {
  await serverBuilt({ quiet: true, say: () => {} });
  return [process.execPath, mainFiles[name]];
}

export interface ProcessSetOptions {
  /** SQLite file in the set's own directory unless given (e.g. a scratch PostgreSQL database). */
  databaseUrl?: string;
  /** Without it the services use in-process counters, cache and events. */
  redisUrl?: string;
  /** A fresh random one unless given (a test that calls a subgraph as the router would). */
  routerSecret?: string;
  /** How many math instances the router is given (MATH_URL lists them all); 1 unless set. */
  mathInstances?: number;
  /** How many routers may run (each on its own port, over the same subgraphs); 1 unless set. */
  routerInstances?: number;
}

export interface ProcessSet {
  databaseUrl: string;
  routerSecret: string;
  /** Each service's /graphql URL, known before it starts (the router needs the subgraphs'). */
  urls: Record<ServiceName, string>;
  /** Every math instance's /graphql URL; the first is `urls.math`. */
  mathUrls: string[];
  /** Starts (or restarts) math instance `index` (0 is the one `start('math')` starts). */
  startMath(index: number, env?: Record<string, string>): Promise<ServiceProcess>;
  /** Every router's /graphql URL; the first is `urls.router`. */
  routerUrls: string[];
  /** Starts router `index` (0 is the one `start('router')` starts). */
  startRouter(index: number, env?: Record<string, string>): Promise<ServiceProcess>;
  /** Starts a service and resolves once its /ready answers 200. */
  start(name: ServiceName, env?: Record<string, string>): Promise<ServiceProcess>;
  /** SIGTERM (or `signal`); resolves with the exit code, null if it had to be killed after 10 s. */
  stop(name: ServiceName, signal?: NodeJS.Signals): Promise<number | null>;
  /** The service's log lines at error level or above, as `message: error` (empty if none). */
  errorLines(name: ServiceName): string[];
  /** Everything the service printed. */
  output(name: ServiceName): string;
  /** Whether the service's output has Node's warning about an emitter leaking listeners. */
  leakedListeners(name: ServiceName): boolean;
  /** SIGTERM to whatever still runs, then removes the set's files. */
  close(): Promise<void>;
}

export async function processSet(options: ProcessSetOptions = {}): Promise<ProcessSet> {
  const dir = mkdtempSync(join(tmpdir(), 'mm-reliability-'));
  const keyFile = join(dir, 'auth-key.pem');
  const { privateKey } = await generateKeyPair('EdDSA', { extractable: true });
  writeFileSync(keyFile, await exportPKCS8(privateKey), { mode: 0o600 });
  const ports: Record<ServiceName, number> = {
    auth: await freePort(),
    math: await freePort(),
    router: await freePort(),
  };
  const urls = {
    auth: `http://127.0.0.1:${ports.auth}/graphql`,
    math: `http://127.0.0.1:${ports.math}/graphql`,
    router: `http://127.0.0.1:${ports.router}/graphql`,
  };
  const mathPorts = [ports.math];
  for (let i = 1; i < (options.mathInstances ?? 1); i++) mathPorts.push(await freePort());
  const mathUrls = mathPorts.map((port) => `http://127.0.0.1:${port}/graphql`);
  const routerPorts = [ports.router];
  for (let i = 1; i < (options.routerInstances ?? 1); i++) routerPorts.push(await freePort());
  const routerUrls = routerPorts.map((port) => `http://127.0.0.1:${port}/graphql`);
  const databaseUrl = options.databaseUrl ?? `file:${join(dir, 'microservice_math.db')}`;
  const routerSecret = options.routerSecret ?? randomBytes(24).toString('hex');
  const common: Record<string, string> = {
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    // No drain unless a test asks (drain.test.ts): stopping each set would take 5 s more.
    SHUTDOWN_DRAIN_MS: '0',
    // Production serves /metrics only to its bearer (scrapeMetrics sends it).
    METRICS_TOKEN: TEST_METRICS_TOKEN,
    ROUTER_SECRET: routerSecret,
    DATABASE_URL: databaseUrl,
    // Explicitly empty when not wanted: the test runner's own REDIS_URL must not leak in.
    REDIS_URL: options.redisUrl ?? '',
    REDIS_KEY_PREFIX: `reliability-${randomBytes(4).toString('hex')}:`,
  };
  const own: Record<ServiceName, Record<string, string>> = {
    auth: {
      AUTH_PORT: String(ports.auth),
      // Production's least (PRODUCTION_MIN_BCRYPT_ROUNDS): these processes run as the images do.
      BCRYPT_ROUNDS: '10',
      AUTH_PRIVATE_KEY_FILE: keyFile,
      // Every test account comes from one address (this machine).
      REGISTER_MAX_PER_CLIENT: '100000',
    },
    math: { MATH_PORT: String(ports.math), MATH_WORKERS: '2' },
    router: {
      ROUTER_PORT: String(ports.router),
      AUTH_URL: urls.auth,
      MATH_URL: mathUrls.join(','),
    },
  };
  const running: Partial<Record<ServiceName, ServiceProcess>> = {};
  /** Instances beyond the first of math and of the router. */
  const others: ServiceProcess[] = [];
  const outputOf = (name: ServiceName) => running[name]?.output() ?? '';
  const instances = {
    math: { urls: mathUrls, portVariable: 'MATH_PORT' },
    router: { urls: routerUrls, portVariable: 'ROUTER_PORT' },
  } as const;

  /** Instance `index` of math or the router: 0 is the one `start(name)` starts. */
  async function startInstance(
    name: 'math' | 'router',
    index: number,
    env: Record<string, string>,
  ): Promise<ServiceProcess> {
    if (index === 0) return set.start(name, env);
    const { urls: instanceUrls, portVariable } = instances[name];
    const url = instanceUrls[index] as string;
    const started = await startProcess(
      `${name}#${index}`,
      await serviceCommand(name),
      { ...common, ...own[name], [portVariable]: new URL(url).port, ...env },
      url.replace(/\/graphql$/, '/ready'),
      root,
    );
    others.push(started);
    return started;
  }

  const set: ProcessSet = {
    databaseUrl,
    routerSecret,
    urls,
    mathUrls,
    routerUrls,
    startMath: (index, env = {}) => startInstance('math', index, env),
    startRouter: (index, env = {}) => startInstance('router', index, env),
    async start(name, env = {}) {
      const started = await startProcess(
        name,
        await serviceCommand(name),
        { ...common, ...own[name], ...env },
        urls[name].replace(/\/graphql$/, '/ready'),
        root,
      );
      running[name] = started;
      return started;
    },
    async stop(name, signal = 'SIGTERM') {
      const service = running[name];
      if (!service) throw new Error(`${name} was never started`);
      return service.stop(signal);
    },
    errorLines: (name) =>
      outputOf(name)
        .split('\n')
        .filter((line) => /^\{.*"level":(50|60)[,}]/.test(line))
        .map((line) => {
          const { msg, err } = JSON.parse(line) as { msg?: string; err?: { message?: string } };
          return `${msg}: ${err?.message ?? ''}`;
        }),
    output: outputOf,
    leakedListeners: (name) => outputOf(name).includes('MaxListenersExceededWarning'),
    async close() {
      await Promise.all(
        [...Object.values(running), ...others].map((service) => service.stop('SIGTERM')),
      );
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return set;
}
