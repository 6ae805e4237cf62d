/**
 * The production commands the images run (built JavaScript, separate processes,
 * NODE_ENV=production, Redis and a database server), scaled out: one auth, two math and two
 * router processes against one Redis and one database, on SQLite and on PostgreSQL.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { exportPKCS8, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  collect,
  connected,
  gql,
  signUp,
  subscriptionsOpen,
  wsClient,
} from './support/graphql.js';
import { serverBuilt } from '../scripts/freshBuild.js';
import { createScratchDatabase, type ScratchDatabase } from './support/postgres.js';
import { TEST_METRICS_TOKEN } from './support/metrics.js';
import { freePort, mainFiles, startProcess, type ServiceProcess } from './support/processes.js';
import { redisUrl, testDatabaseUrl } from './support/system.js';

const root = resolve(import.meta.dirname, '..');
const missing = !redisUrl ? 'skipped: needs REDIS_URL' : false;

beforeAll(async () => {
  if (missing) return;
  // The images build with `npm run build`; build the server workspaces the same way (again only
  // when their sources changed since the last build: minutes on a loaded machine).
  await serverBuilt({ quiet: true, say: () => {} });
}, 600_000);

const databases = [
  { name: 'SQLite', postgres: false, skip: missing },
  {
    name: 'PostgreSQL',
    postgres: true,
    skip: missing || (!testDatabaseUrl ? 'skipped: needs TEST_DATABASE_URL' : false),
  },
];

describe.each(databases)('production processes on $name', ({ postgres, skip }) => {
  const processes: ServiceProcess[] = [];
  let dir: string;
  let scratch: ScratchDatabase | undefined;
  let routerA: string;
  let routerB: string;

  beforeAll(async () => {
    if (skip) return;
    dir = mkdtempSync(join(tmpdir(), 'mm-prod-'));
    const { privateKey } = await generateKeyPair('EdDSA', { extractable: true });
    writeFileSync(join(dir, 'auth-key.pem'), await exportPKCS8(privateKey), { mode: 0o600 });
    if (postgres) scratch = await createScratchDatabase();
    const ports = {
      auth: await freePort(),
      mathA: await freePort(),
      mathB: await freePort(),
      routerA: await freePort(),
      routerB: await freePort(),
    };
    const common = {
      NODE_ENV: 'production',
      SHUTDOWN_DRAIN_MS: '0',
      // Production serves /metrics only to its bearer (scrapeMetrics sends it).
      METRICS_TOKEN: TEST_METRICS_TOKEN,
      LOG_LEVEL: 'warn',
      ROUTER_SECRET: randomBytes(24).toString('hex'),
      REDIS_URL: redisUrl as string,
      REDIS_KEY_PREFIX: `prod-${randomBytes(4).toString('hex')}:`,
      DATABASE_URL: scratch?.url ?? `file:${join(dir, 'microservice_math.db')}`,
    };
    const node = (script: string) => ['node', script];
    const start = (name: string, script: string, env: Record<string, string>, port: number) =>
      startProcess(
        name,
        node(script),
        { ...common, ...env },
        `http://127.0.0.1:${port}/ready`,
        root,
      ).then((p) => {
        processes.push(p);
        return p;
      });
    await start(
      'auth',
      mainFiles.auth,
      {
        AUTH_PORT: String(ports.auth),
        BCRYPT_ROUNDS: '10',
        AUTH_PRIVATE_KEY_FILE: join(dir, 'auth-key.pem'),
      },
      ports.auth,
    );
    await Promise.all([
      start('math A', mainFiles.math, { MATH_PORT: String(ports.mathA) }, ports.mathA),
      start('math B', mainFiles.math, { MATH_PORT: String(ports.mathB) }, ports.mathB),
    ]);
    const routerEnv = (math: number, port: number) => ({
      ROUTER_PORT: String(port),
      AUTH_URL: `http://127.0.0.1:${ports.auth}/graphql`,
      MATH_URL: `http://127.0.0.1:${math}/graphql`,
    });
    const [a, b] = await Promise.all([
      start('router A', mainFiles.router, routerEnv(ports.mathA, ports.routerA), ports.routerA),
      start('router B', mainFiles.router, routerEnv(ports.mathB, ports.routerB), ports.routerB),
    ]);
    routerA = a.url;
    routerB = b.url;
  }, 120_000);

  afterAll(async () => {
    const codes = await Promise.all(
      processes.map(async (p) => [p.name, await p.stop('SIGTERM')] as const),
    );
    await scratch?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (skip) return;
    // Shutdown is part of the design: every process drains and exits 0 on SIGTERM.
    expect(Object.fromEntries(codes)).toEqual(
      Object.fromEntries(processes.map((p) => [p.name, 0])),
    );
  }, 60_000);

  it.skipIf(skip)(
    'register on one router, log in and calculate on the other, read the logs on either',
    async () => {
      const username = `prod_${randomBytes(3).toString('hex')}`;
      const registered = await gql<{ register: { token: string } }>(
        routerA,
        'mutation($u: String!) { register(username: $u, password: "production-password") { token } }',
        { u: username },
      );
      expect(registered.errors).toBeUndefined();
      const login = await gql<{ login: { token: string } }>(
        routerB,
        'mutation($u: String!) { login(username: $u, password: "production-password") { token } }',
        { u: username },
      );
      const token = login.data!.login.token;
      const calculated = await gql<{ factorial: { digits: number } }>(
        routerB,
        '{ factorial(n: 1000) { digits } }',
        {},
        bearer(token),
      );
      expect(calculated.data?.factorial.digits).toBe(2568);
      const logs = await gql<{ me: { logs: Array<{ input: string }> } }>(
        routerA,
        '{ me { logs { input } } }',
        {},
        bearer(token),
      );
      expect(logs.data?.me.logs).toEqual([{ input: '{"n":1000}' }]);
    },
  );

  it.skipIf(skip)(
    'a subscriber on router A receives the log of a calculation math B served through router B',
    async () => {
      const registered = await gql<{ register: { token: string } }>(
        routerA,
        `mutation { register(username: "${`sub_${randomBytes(3).toString('hex')}`}", password: "production-password") { token } }`,
      );
      const token = registered.data!.register.token;
      const client = wsClient(routerA, token);
      const live = collect<{ logAdded: { input: string; user: { username: string } } }>(
        client,
        'subscription { logAdded { input user { username } } }',
        1,
      );
      await connected(client);
      await subscriptionsOpen(routerA, 1);
      await gql(routerB, '{ fibonacci(n: 4321) { digits } }', {}, bearer(token));
      const [event] = await live.done;
      expect(event?.data?.logAdded.input).toBe('{"n":4321}');
      await client.dispose();
    },
  );

  it.skipIf(skip)('a result cached by math A is a cache hit on math B', async () => {
    const registered = await gql<{ register: { token: string } }>(
      routerA,
      `mutation { register(username: "${`cache_${randomBytes(3).toString('hex')}`}", password: "production-password") { token } }`,
    );
    const token = registered.data!.register.token;
    const n = 3000 + Math.floor(Math.random() * 1000);
    const first = await gql<{ factorial: { cached: boolean } }>(
      routerA,
      `{ factorial(n: ${n}) { cached } }`,
      {},
      bearer(token),
    );
    const second = await gql<{ factorial: { cached: boolean } }>(
      routerB,
      `{ factorial(n: ${n}) { cached } }`,
      {},
      bearer(token),
    );
    expect([first.data?.factorial.cached, second.data?.factorial.cached]).toEqual([false, true]);
  });

  it.skipIf(skip)('production hides stack traces and refuses introspection', async () => {
    const introspection = await gql(routerA, '{ __schema { types { name } } }');
    expect(introspection.errors?.[0]?.message).toMatch(/introspection/i);
    const { token } = await signUp(routerA, `trace_${randomBytes(3).toString('hex')}`);
    // Errors from each layer: math's argument check, the router's validation and parser.
    const failures = [
      ['{ factorial(n: -1) { result } }', 'BAD_USER_INPUT'],
      ['{ factorial(n: 5) { nope } }', 'GRAPHQL_VALIDATION_FAILED'],
      ['{ factorial(n: 5) {', 'GRAPHQL_PARSE_FAILED'],
    ] as const;
    for (const [query, code] of failures) {
      const failed = await gql(routerA, query, {}, bearer(token));
      expect(failed.errors?.[0]?.extensions?.['code']).toBe(code);
      expect(JSON.stringify(failed.errors)).not.toMatch(/stacktrace|\bat \/|\.ts:\d|\.js:\d/);
    }
  });
});
