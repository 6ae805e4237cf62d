/**
 * The system as the benchmarks run it: each service its own OS process, as deployed
 * (NODE_ENV=production, explicit secret and signing key, a SQLite file in a scratch directory,
 * Redis when asked), on free ports. Services run their built JavaScript (`npm run build`, redone
 * only when their sources changed), as the container images run it: started from TypeScript
 * source through tsx, every closure a request creates would also pay for tsx's `__name` helper,
 * which the images never run. Every process is a plain `node`, so its pid is the service's own
 * and its memory can be read from /proc.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportPKCS8, generateKeyPair } from 'jose';
import { UNBUNDLED_MAIN } from '../../scripts/bundleServices.js';
import { serverBuilt } from '../../scripts/freshBuild.js';
import { bearer, gql } from '../../tests/support/graphql.js';
import { freePort, startProcess, type ServiceProcess } from '../../tests/support/processes.js';
import { repoRoot } from './cli.js';

/** The `METRICS_TOKEN` bench services run with. */
export const BENCH_METRICS_TOKEN = 'bench-metrics-token-0123456789';

/** A bench service's `/metrics` text. */
export async function benchMetrics(serviceUrl: string | URL): Promise<string> {
  const response = await fetch(new URL('/metrics', serviceUrl), {
    headers: { authorization: `Bearer ${BENCH_METRICS_TOKEN}` },
  });
  if (!response.ok) throw new Error(`${serviceUrl} /metrics answered ${response.status}`);
  return response.text();
}

export const redisUrl = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';

export interface SystemOptions {
  /** Redis for cache, pub/sub and limits, under a key prefix of its own. */
  redis?: boolean;
  /** Variables for every service, e.g. CACHE_ENABLED=false. */
  env?: Record<string, string>;
  /** Arguments to `node` for every service, e.g. --cpu-prof (not allowed in NODE_OPTIONS). */
  nodeArgs?: string[];
}

export interface Account {
  token: string;
  userId: string;
  username: string;
  headers: Record<string, string>;
}

export interface Service extends ServiceProcess {
  port: number;
}

export class BenchSystem {
  private readonly processes: Service[] = [];
  private authService: Service | undefined;

  private constructor(
    private readonly dir: string,
    private readonly commonEnv: Record<string, string>,
    readonly routerSecret: string,
    private readonly nodeArgs: string[],
  ) {}

  /** Starts auth; math and gateways are started by the benchmark, as many as it needs. */
  static async start(options: SystemOptions = {}): Promise<BenchSystem> {
    // Says on the console when it builds, and why: the benchmark waits minutes for it.
    await serverBuilt();
    const dir = mkdtempSync(join(tmpdir(), 'mm-bench-'));
    const { privateKey } = await generateKeyPair('EdDSA', { extractable: true });
    const keyFile = join(dir, 'auth-key.pem');
    writeFileSync(keyFile, await exportPKCS8(privateKey), { mode: 0o600 });
    const commonEnv = {
      NODE_ENV: 'production',
      SHUTDOWN_DRAIN_MS: '0',
      // Production serves /metrics only to its bearer (see benchMetrics).
      METRICS_TOKEN: BENCH_METRICS_TOKEN,
      LOG_LEVEL: 'warn',
      DATABASE_URL: `file:${join(dir, 'microservice_math.db')}`,
      ...(options.redis
        ? { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: `bench-${randomBytes(4).toString('hex')}:` }
        : {}),
      ...options.env,
    };
    const system = new BenchSystem(
      dir,
      commonEnv,
      randomBytes(24).toString('hex'),
      options.nodeArgs ?? [],
    );
    try {
      system.authService = system.track(
        await system.startService('auth', 'subgraphs/auth/src/main.ts', 'AUTH_PORT', {
          BCRYPT_ROUNDS: '10',
          AUTH_PRIVATE_KEY_FILE: keyFile,
          // Every benchmark account comes from one address (this machine).
          REGISTER_MAX_PER_CLIENT: '100000',
        }),
      );
    } catch (error) {
      await system.stop();
      throw error;
    }
    return system;
  }

  get auth(): Service {
    if (!this.authService) throw new Error('auth has not started');
    return this.authService;
  }

  /**
   * A math subgraph; `imports` are modules preloaded with --import (bench-only wiring, which swaps
   * modules by path and so needs `entry` 'modules').
   */
  async startMath(
    name = 'math',
    env: Record<string, string> = {},
    imports: string[] = [],
    entry: BuiltEntry = 'bundle',
  ) {
    return this.track(
      await this.startService(
        name,
        'subgraphs/math/src/main.ts',
        'MATH_PORT',
        env,
        imports,
        [],
        entry,
      ),
    );
  }

  /** Our router in front of auth and the given math subgraph; `nodeArgs` go to `node` (e.g. --cpu-prof). */
  async startRouter(
    math: Service,
    name = 'router',
    env: Record<string, string> = {},
    nodeArgs: string[] = [],
    entry: BuiltEntry = 'bundle',
  ) {
    return this.track(
      await this.startService(
        name,
        'router/src/main.ts',
        'ROUTER_PORT',
        {
          AUTH_URL: this.auth.url,
          MATH_URL: math.url,
          // The router's per-client rate limit would count the load generator as one abusive
          // client; a benchmark measures capacity, so the limit is raised out of the way.
          ROUTER_RATE_LIMIT_PER_MINUTE: '1000000',
          // Likewise the per-user socket cap: the fan-out benchmark subscribes 5,000 sockets as one account.
          ROUTER_WS_MAX_CONNECTIONS_PER_USER: '10000',
          // And the sockets one address may have waiting to sign in (the benchmark opens 200 at once).
          ROUTER_WS_MAX_WAITING_PER_ADDRESS: '10000',
          // And the live demand budget those subscriptions share (about 10 each per event).
          ROUTER_MAX_LIVE_COST_PER_USER: '1000000',
          ...env,
        },
        [],
        nodeArgs,
        entry,
      ),
    );
  }

  /**
   * Hive Gateway over the same supergraph and subgraphs (see bench/gateways/hiveGateway.ts);
   * `deduplicate` keeps its default of merging identical in-flight subgraph queries.
   */
  async startHiveGateway(math: Service, name = 'Hive Gateway', deduplicate = false) {
    const port = await freePort();
    const service = await startProcess(
      name,
      sourceCommand('bench/gateways/hiveGateway.ts'),
      {
        ...this.commonEnv,
        HIVE_PORT: String(port),
        AUTH_URL: this.auth.url,
        MATH_URL: math.url,
        ROUTER_SECRET: this.routerSecret,
        HIVE_DEDUPLICATE_INFLIGHT: String(deduplicate),
      },
      `http://127.0.0.1:${port}/readiness`,
      repoRoot,
    );
    return this.track({ ...service, url: `http://127.0.0.1:${port}/graphql`, port });
  }

  /** Registers a fresh account through a gateway and returns its token. */
  async signUp(routerUrl: string): Promise<Account> {
    const username = `bench_${randomBytes(4).toString('hex')}`;
    const response = await gql<{ register: { token: string; user: { id: string } } }>(
      routerUrl,
      'mutation ($u: String!, $p: String!) { register(username: $u, password: $p) { token user { id } } }',
      { u: username, p: randomBytes(12).toString('hex') },
    );
    const payload = response.data?.register;
    if (!payload) throw new Error(`could not register: ${JSON.stringify(response.errors)}`);
    return {
      token: payload.token,
      userId: payload.user.id,
      username,
      headers: bearer(payload.token),
    };
  }

  /** Headers that let a client call a subgraph directly, as the router would for `account`. */
  subgraphHeaders(account: Account): Record<string, string> {
    return {
      'x-router-secret': this.routerSecret,
      'x-user-id': account.userId,
      'x-user-name': encodeURIComponent(account.username),
    };
  }

  async stop(): Promise<void> {
    // Gateways first, then subgraphs, as a deployment drains.
    for (const service of [...this.processes].reverse()) await service.stop('SIGTERM');
    rmSync(this.dir, { recursive: true, force: true });
  }

  private track(service: Service): Service {
    this.processes.push(service);
    return service;
  }

  private async startService(
    name: string,
    script: string,
    portVariable: string,
    env: Record<string, string>,
    imports: string[] = [],
    nodeArgs: string[] = [],
    entry: BuiltEntry = 'bundle',
  ): Promise<Service> {
    const port = await freePort();
    const service = await startProcess(
      name,
      builtCommand(script, imports, [...this.nodeArgs, ...nodeArgs], entry),
      {
        ...this.commonEnv,
        ROUTER_SECRET: this.routerSecret,
        [portVariable]: String(port),
        ...env,
      },
      `http://127.0.0.1:${port}/ready`,
      repoRoot,
    );
    return { ...service, url: `http://127.0.0.1:${port}/graphql`, port };
  }
}

/** `node` with tsx's loader and the workspaces' TypeScript sources, as one process. */
function sourceCommand(script: string): string[] {
  return [process.execPath, '--conditions=source', '--import', 'tsx', script];
}

/**
 * Which built entry point a service runs: its bundle (`dist/main.js`, as the images run it), or
 * tsc's module-by-module entry beside it (`dist/main.unbundled.js`), for wiring that swaps a
 * module by its path and for CPU profiles that attribute time to packages by file.
 */
export type BuiltEntry = 'bundle' | 'modules';

/**
 * `node` running the built entry point of a service given by its source path
 * (`router/src/main.ts` runs `router/dist/main.js`). Bench-only `imports` are TypeScript, so they
 * bring tsx's loader, which leaves the built JavaScript as it is.
 */
function builtCommand(
  script: string,
  imports: string[],
  nodeArgs: string[],
  entry: BuiltEntry,
): string[] {
  const dist = script.replace(/\/src\/main\.ts$/, '/dist/');
  const built = dist + (entry === 'bundle' ? 'main.js' : UNBUNDLED_MAIN);
  return [
    process.execPath,
    ...nodeArgs,
    ...(imports.length > 0 ? ['--import', 'tsx'] : []),
    ...imports.flatMap((module) => ['--import', module]),
    built,
  ];
}

/** Resident memory of a process in bytes (Linux), as the kernel accounts it. */
export function residentBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (!match) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]) * 1024;
}
