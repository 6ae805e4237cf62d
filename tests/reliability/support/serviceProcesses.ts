/**
 * Auth, math and the router as separate OS processes, started the way `npm run start:auth|math|
 * router` starts them (main.ts through tsx's loader, with the `source` condition), on free ports,
 * in production mode: JSON log lines a test can read, an explicit router secret and signing key.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { exportPKCS8, generateKeyPair } from 'jose';
import { freePort, startProcess, type ServiceProcess } from '../../support/processes.js';

export type ServiceName = 'auth' | 'math' | 'router';

const root = resolve(import.meta.dirname, '..', '..', '..');
const mainFiles: Record<ServiceName, string> = {
  auth: 'subgraphs/auth/src/main.ts',
  math: 'subgraphs/math/src/main.ts',
  router: 'router/src/main.ts',
};
/** tsx's loader as an absolute URL: `--import` resolves bare names from the working directory. */
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

export interface ProcessSetOptions {
  /** SQLite file in the set's own directory unless given (e.g. a scratch PostgreSQL database). */
  databaseUrl?: string;
  /** Without it the services use in-process counters, cache and events. */
  redisUrl?: string;
  /** How many math instances the router is given (MATH_URL lists them all); 1 unless set. */
  mathInstances?: number;
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
  const databaseUrl = options.databaseUrl ?? `file:${join(dir, 'microservice_math.db')}`;
  const routerSecret = randomBytes(24).toString('hex');
  const common: Record<string, string> = {
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    // No drain unless a test asks (drain.test.ts): stopping each set would take 5 s more.
    SHUTDOWN_DRAIN_MS: '0',
    ROUTER_SECRET: routerSecret,
    DATABASE_URL: databaseUrl,
    // Explicitly empty when not wanted: the test runner's own REDIS_URL must not leak in.
    REDIS_URL: options.redisUrl ?? '',
    REDIS_KEY_PREFIX: `reliability-${randomBytes(4).toString('hex')}:`,
  };
  const own: Record<ServiceName, Record<string, string>> = {
    auth: { AUTH_PORT: String(ports.auth), BCRYPT_ROUNDS: '10', AUTH_PRIVATE_KEY_FILE: keyFile },
    math: { MATH_PORT: String(ports.math), MATH_WORKERS: '2' },
    router: {
      ROUTER_PORT: String(ports.router),
      AUTH_URL: urls.auth,
      MATH_URL: mathUrls.join(','),
    },
  };
  const running: Partial<Record<ServiceName, ServiceProcess>> = {};
  const otherMath: ServiceProcess[] = [];
  const outputOf = (name: ServiceName) => running[name]?.output() ?? '';

  const set: ProcessSet = {
    databaseUrl,
    routerSecret,
    urls,
    async start(name, env = {}) {
      const started = await startProcess(
        name,
        [process.execPath, '--conditions=source', '--import', tsxLoader, mainFiles[name]],
        { ...common, ...own[name], ...env },
        urls[name].replace(/\/graphql$/, '/ready'),
        root,
      );
      running[name] = started;
      return started;
    },
    mathUrls,
    async startMath(index, env = {}) {
      if (index === 0) return set.start('math', env);
      const started = await startProcess(
        `math#${index}`,
        [process.execPath, '--conditions=source', '--import', tsxLoader, mainFiles.math],
        { ...common, ...own.math, MATH_PORT: String(mathPorts[index]), ...env },
        (mathUrls[index] as string).replace(/\/graphql$/, '/ready'),
        root,
      );
      otherMath.push(started);
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
        [...Object.values(running), ...otherMath].map((service) => service.stop('SIGTERM')),
      );
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return set;
}
