/** Configuration is validated once at start-up: a bad value stops the process and names the variable. */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@microservice-math/shared/config';
import { serverBuilt } from '../scripts/freshBuild.js';
import { systemEnvSchema } from '../scripts/systemEnv.js';
import { mainFiles } from './support/processes.js';

const root = resolve(import.meta.dirname, '..');
const run = promisify(execFile);

/**
 * A service's entry point as its image runs it (built JavaScript, rebuilt first when a source
 * changed; see processes.ts): from source through tsx, each of these starts spent about twice
 * the CPU compiling, a dozen at once. Other scripts (`npm start`'s) run from source, as npm does.
 */
const builtMain: Record<string, string> = {
  'subgraphs/auth/src/main.ts': mainFiles.auth,
  'subgraphs/math/src/main.ts': mainFiles.math,
  'router/src/main.ts': mainFiles.router,
};

async function start(script: string, env: Record<string, string>, nodeOptions: string[] = []) {
  const built = builtMain[script];
  const args = [
    ...nodeOptions,
    ...(built ? [built] : ['--import', 'tsx', '--conditions=source', script]),
  ];
  try {
    await run(process.execPath, args, {
      cwd: root,
      env: { ...process.env, ...env },
      timeout: 60_000,
    });
    return { code: 0, stderr: '' };
  } catch (error) {
    const failure = error as { code: number; stderr: string };
    return { code: failure.code, stderr: failure.stderr };
  }
}

describe.concurrent(
  'a bad configuration stops the process with a message naming the variable',
  () => {
    // Built once, before the cases start them (a build after a source change takes a while).
    beforeAll(() => serverBuilt({ quiet: true, say: () => {} }), 300_000);

    const cases: Array<[string, string, Record<string, string>, RegExp]> = [
      [
        'auth',
        'subgraphs/auth/src/main.ts',
        { ROUTER_SECRET: 'x'.repeat(20), AUTH_PORT: 'eighty' },
        /AUTH_PORT: expected a TCP port number/,
      ],
      [
        'auth',
        'subgraphs/auth/src/main.ts',
        { NODE_ENV: 'production', ROUTER_SECRET: 'x'.repeat(20), BCRYPT_ROUNDS: '9' },
        /BCRYPT_ROUNDS: expected at least 10 in production/,
      ],
      [
        'math',
        'subgraphs/math/src/main.ts',
        { ROUTER_SECRET: 'x'.repeat(20), DATABASE_URL: 'mysql://db' },
        /DATABASE_URL: expected file:PATH/,
      ],
      [
        'math',
        'subgraphs/math/src/main.ts',
        { ROUTER_SECRET: 'x'.repeat(20), REDIS_URL: 'localhost:6379' },
        /REDIS_URL: expected a URL like redis:/,
      ],
      [
        'router',
        'router/src/main.ts',
        { ROUTER_SECRET: 'short' },
        /ROUTER_SECRET: expected at least 16 characters/,
      ],
      [
        'router',
        'router/src/main.ts',
        {},
        /ROUTER_SECRET: required when the router runs as its own process/,
      ],
      [
        'router',
        'router/src/main.ts',
        { ROUTER_SECRET: 'x'.repeat(20), OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' },
        /OTEL_EXPORTER_OTLP_ENDPOINT: expected a URL like http:\/\/otel-collector:4318/,
      ],
      [
        'math',
        'subgraphs/math/src/main.ts',
        { ROUTER_SECRET: 'x'.repeat(20), OTEL_SERVICE_NAME: 'math service' },
        /OTEL_SERVICE_NAME: expected up to 64 letters/,
      ],
      [
        'router',
        'router/src/main.ts',
        { ROUTER_SECRET: 'x'.repeat(20), HOST: 'everywhere' },
        /^Invalid configuration:\n {2}HOST: expected an IP address to listen on: 127\.0\.0\.1 \(this machine only\), 0\.0\.0\.0 or :: \(every interface\) \(got "everywhere"\)\n$/,
      ],
      [
        'router',
        'router/src/main.ts',
        { ROUTER_SECRET: 'x'.repeat(20), HOST: 'fe80::1%eth0' },
        /HOST: expected an IP address to listen on: .*\(got "fe80::1%eth0"\)\n$/,
      ],
      [
        'router',
        'router/src/main.ts',
        // TEST-NET-2: an address, and none of this machine's.
        { ROUTER_SECRET: 'x'.repeat(20), HOST: '198.51.100.7' },
        /^router: HOST is not an address of this machine; set it to one of its addresses, 127\.0\.0\.1, 0\.0\.0\.0 or ::\n$/,
      ],
      [
        'npm start',
        'scripts/start.ts',
        { HOST: 'localhost' },
        /^Invalid configuration:\n {2}HOST: expected an IP address to listen on: .*\(got "localhost"\)\n$/,
      ],
      [
        'npm start',
        'scripts/start.ts',
        { NODE_ENV: 'production' },
        /^Invalid configuration:\n {2}ROUTER_SECRET: required in production \(at least 16 characters, the secret the router sends the subgraphs\) \(got ""\)\n$/,
      ],
      [
        'npm start',
        'scripts/start.ts',
        { NODE_ENV: 'production', ROUTER_SECRET: 'x'.repeat(20), BCRYPT_ROUNDS: '4' },
        /^Invalid configuration:\n {2}BCRYPT_ROUNDS: expected at least 10 in production \(got "4"\)\n$/,
      ],
      [
        'npm start',
        'scripts/start.ts',
        { LOG_LEVEL: 'loud' },
        /LOG_LEVEL: expected fatal, error, warn, info, debug, trace or silent/,
      ],
    ];

    it.each(cases)('%s: %s %j', async (_service, script, env, message) => {
      const result = await start(script, { NODE_ENV: 'development', ROUTER_SECRET: '', ...env });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toMatch(/xxxxxxxxxxxxxxxx/); // secrets are never echoed
    });

    // The router's WebSocket server hears the same listen error: it must not print it too.
    it.each([
      ['math', 'subgraphs/math/src/main.ts', 'MATH_PORT'],
      ['router', 'router/src/main.ts', 'ROUTER_PORT'],
    ])(
      'a port another process holds stops %s with one line naming the variable',
      async (service, script, variable) => {
        const holder = createServer();
        await new Promise<void>((listening) => holder.listen(0, listening));
        const { port } = holder.address() as AddressInfo;
        // Math opens its database before it listens: a directory of its own, removed after.
        const dataDir = mkdtempSync(join(tmpdir(), 'mm-port-test-'));
        try {
          const result = await start(script, {
            NODE_ENV: 'development',
            ROUTER_SECRET: 'z'.repeat(20),
            DATABASE_URL: `file:${join(dataDir, 'math.db')}`,
            [variable]: String(port),
          });
          expect(result.code).toBe(1);
          expect(result.stderr).toMatch(
            new RegExp(
              `${service}: port ${port} is already in use by another process; set ${variable}`,
            ),
          );
          expect(result.stderr).not.toMatch(/\n\s+at /); // no stack
          expect(result.stderr).not.toMatch(/Internal error/);
        } finally {
          holder.close();
          rmSync(dataDir, { recursive: true, force: true });
        }
      },
    );

    // Said before the service's own modules load (configOrExit): Express (which every service's
    // host loads), the gateway and MikroORM are CommonJS, so Node's require cache lists them once
    // loaded, whoever imported them.
    it.each([
      ['auth', 'subgraphs/auth/src/main.ts'],
      ['math', 'subgraphs/math/src/main.ts'],
      ['router', 'router/src/main.ts'],
    ])('%s refuses a bad variable before it loads its service', async (_service, script) => {
      const report = [
        "import { createRequire } from 'node:module';",
        "const cache = createRequire(process.cwd() + '/').cache;",
        "process.on('exit', () => process.stderr.write('loaded: ' + JSON.stringify([...new Set(",
        '  Object.keys(cache).flatMap((file) =>',
        '    /node_modules\\/(express|@apollo\\/gateway|@mikro-orm\\/core)\\//.exec(file)?.[1] ?? []),',
        ")]) + '\\n'));",
      ].join('\n');
      const result = await start(script, { NODE_ENV: 'development', ROUTER_SECRET: 'short' }, [
        '--import',
        `data:text/javascript,${encodeURIComponent(report)}`,
      ]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/ROUTER_SECRET: expected at least 16 characters/);
      expect(result.stderr).toMatch(/^loaded: \[\]$/m);
    });

    it('auth in production refuses to start without a signing key', async () => {
      const result = await start('subgraphs/auth/src/main.ts', {
        NODE_ENV: 'production',
        ROUTER_SECRET: 'y'.repeat(32),
        DATABASE_URL: 'file:/tmp/mm-config-test.db',
        AUTH_PRIVATE_KEY_FILE: '',
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/AUTH_PRIVATE_KEY_FILE: required in production/);
    });
  },
);

describe('npm start', () => {
  // Checked with the other variables, before the client and playground builds (which took 35 s
  // in a fresh clone before the refusal was printed) and before any service loads.
  it('refuses a production start without a router secret when it checks its variables', () => {
    expect(() => loadConfig(systemEnvSchema, { NODE_ENV: 'production' })).toThrow(
      /^Invalid configuration:\n {2}ROUTER_SECRET: required in production \([^)]*\)$/,
    );
    // Set but blank: said so, not shown as a hidden secret.
    expect(() =>
      loadConfig(systemEnvSchema, { NODE_ENV: 'production', ROUTER_SECRET: '' }),
    ).toThrow(/ROUTER_SECRET: required in production \([^)]*\) \(got ""\)$/);
    expect(
      loadConfig(systemEnvSchema, { NODE_ENV: 'production', ROUTER_SECRET: 'x'.repeat(16) })
        .ROUTER_SECRET,
    ).toBe('x'.repeat(16));
    expect(loadConfig(systemEnvSchema, { NODE_ENV: 'development' }).ROUTER_SECRET).toBeUndefined();
  });
});

describe('deadlines', () => {
  it('the router waits for math longer than math lets a computation run (defaults)', async () => {
    const { routerEnvSchema } = await import('@microservice-math/router/config');
    const { mathEnvSchema } = await import('@microservice-math/math/config');
    const router = routerEnvSchema.parse({});
    const math = mathEnvSchema.parse({});
    // Past math's deadline, math still commits the log row (retried for up to 1.5 s) and
    // answers COMPUTATION_TIMEOUT; a router that gave up first would answer an internal error.
    expect(router.ROUTER_SUBGRAPH_TIMEOUT_MS).toBeGreaterThanOrEqual(math.MATH_TIMEOUT_MS + 2_000);
  });
});

describe('bcrypt cost', () => {
  it('is 10 to 15 in production, and may go down to bcrypt’s least, 4, elsewhere', async () => {
    const { authConfigSchema } = await import('@microservice-math/auth/config');
    const rounds = (env: Record<string, string>) =>
      authConfigSchema.safeParse({ ROUTER_SECRET: 'x'.repeat(20), ...env });
    expect(rounds({ NODE_ENV: 'test', BCRYPT_ROUNDS: '4' }).data?.passwordPool.rounds).toBe(4);
    expect(rounds({ NODE_ENV: 'development', BCRYPT_ROUNDS: '3' }).error?.issues).toMatchObject([
      { path: ['BCRYPT_ROUNDS'], message: 'expected at least 4' },
    ]);
    expect(rounds({ NODE_ENV: 'production', BCRYPT_ROUNDS: '10' }).success).toBe(true);
    expect(rounds({ NODE_ENV: 'production', BCRYPT_ROUNDS: '9' }).error?.issues).toMatchObject([
      { path: ['BCRYPT_ROUNDS'], message: 'expected at least 10 in production' },
    ]);
    // Unset, production gets the default, 12.
    expect(rounds({ NODE_ENV: 'production' }).data?.passwordPool.rounds).toBe(12);
  });
});
