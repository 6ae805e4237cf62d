/**
 * Where services listen (HOST, listenEnvShape): development and test answer with stack traces,
 * introspection and the playground, so they listen on loopback only unless HOST says otherwise;
 * production (containers) listens on every interface.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { authConfigSchema } from '@microservice-math/auth/config';
import { mathConfigSchema } from '@microservice-math/math/config';
import { routerConfigSchema } from '@microservice-math/router/config';
import { ConfigError, loadConfig } from '@microservice-math/shared/config';
import type { AddressInfo } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { clientConfigFrom } from '../client/server.js';
import { buildIfChanged, clientBuild, serverBuilt } from '../scripts/freshBuild.js';
import { freePort, mainFiles, startProcess } from './support/processes.js';
import { startTestSystem } from './support/system.js';
import { waitFor } from './support/waitFor.js';

const root = resolve(import.meta.dirname, '..');
const run = promisify(execFile);

describe('each service config', () => {
  const schemas = { auth: authConfigSchema, math: mathConfigSchema, router: routerConfigSchema };

  it.each(Object.entries(schemas))('%s: loopback unless in production or HOST', (_, schema) => {
    expect(schema.parse({}).listenHost).toBe('127.0.0.1');
    expect(schema.parse({ NODE_ENV: 'development' }).listenHost).toBe('127.0.0.1');
    expect(schema.parse({ NODE_ENV: 'test' }).listenHost).toBe('127.0.0.1');
    expect(schema.parse({ NODE_ENV: 'production' }).listenHost).toBeUndefined();
    expect(schema.parse({ NODE_ENV: 'development', HOST: '0.0.0.0' }).listenHost).toBe('0.0.0.0');
    expect(schema.parse({ NODE_ENV: 'production', HOST: '::1' }).listenHost).toBe('::1');
  });

  it.each(Object.entries(schemas))('%s: refuses a HOST that is not an address', (_, schema) => {
    for (const HOST of ['localhost', 'everywhere', '127.0.0.1:8000', '*']) {
      expect(() => loadConfig(schema, { HOST })).toThrow(ConfigError);
      expect(() => loadConfig(schema, { HOST })).toThrow(
        `HOST: expected an IP address to listen on: 127.0.0.1 (this machine only), 0.0.0.0 or :: (every interface) (got ${JSON.stringify(HOST)})`,
      );
    }
  });

  it('the web app server reads HOST the same way', () => {
    expect(clientConfigFrom({}).host).toBe('127.0.0.1');
    expect(clientConfigFrom({ NODE_ENV: 'production' }).host).toBeUndefined();
    expect(clientConfigFrom({ NODE_ENV: 'production', HOST: '127.0.0.1' }).host).toBe('127.0.0.1');
    expect(() => clientConfigFrom({ HOST: 'everywhere' })).toThrow(
      /HOST: expected an IP address to listen on/,
    );
  });

  it.each(['', '::1', '0.0.0.0', 'fe80::1', 'fe80::1%eth0', 'localhost', '127.0.0.1:8000'])(
    'the web app server takes or refuses HOST %j as the router does, in the same words',
    (HOST) => {
      for (const NODE_ENV of ['development', 'production']) {
        let routerLine: string | undefined;
        let routerHost: string | undefined;
        try {
          routerHost = loadConfig(routerConfigSchema, { NODE_ENV, HOST }).listenHost;
        } catch (error) {
          routerLine = (error as Error).message.split('\n').find((line) => line.includes('HOST'));
        }
        if (routerLine === undefined) {
          expect(clientConfigFrom({ NODE_ENV, HOST }).host).toBe(routerHost);
        } else {
          expect(() => clientConfigFrom({ NODE_ENV, HOST })).toThrow(routerLine);
        }
      }
    },
  );
});

describe('the one-process system (npm start)', () => {
  const addresses = (system: Awaited<ReturnType<typeof startTestSystem>>) =>
    Object.values(system.hosts).map((host) => (host.server.address() as AddressInfo).address);

  it('listens on loopback in development, reached as localhost', async () => {
    const system = await startTestSystem({ env: { NODE_ENV: 'development' } });
    try {
      expect(system.listenHost).toBe('127.0.0.1');
      expect(addresses(system)).toEqual(['127.0.0.1', '127.0.0.1', '127.0.0.1']);
      expect(system.urls.router).toMatch(/^http:\/\/localhost:\d+\/graphql$/);
      const response = await fetch(system.urls.router.replace(/graphql$/, 'health'));
      expect(response.status).toBe(200);
    } finally {
      await system.stop();
    }
  });

  it('listens where HOST says', async () => {
    const system = await startTestSystem({ env: { NODE_ENV: 'development', HOST: '0.0.0.0' } });
    try {
      expect(addresses(system)).toEqual(['0.0.0.0', '0.0.0.0', '0.0.0.0']);
    } finally {
      await system.stop();
    }
  });
});

describe.concurrent('a service as its own process (as its image runs it)', () => {
  beforeAll(() => serverBuilt({ quiet: true, say: () => {} }), 300_000);

  /** The address the router's "router ready" line says it listens on. */
  async function routerAddress(env: Record<string, string>): Promise<string> {
    const port = await freePort();
    const router = await startProcess(
      'router',
      [process.execPath, mainFiles.router],
      {
        ROUTER_SECRET: randomBytes(16).toString('hex'),
        ROUTER_PORT: String(port),
        LOG_LEVEL: 'info',
        HOST: '',
        // Production drains 5 s on SIGTERM by default; nothing here is in flight to drain.
        SHUTDOWN_DRAIN_MS: '0',
        ...env,
      },
      `http://localhost:${port}/health`,
      root,
    );
    try {
      // JSON in production, pretty-printed (one field a line) in development; the line may come
      // a moment after /health answers (the logger writes asynchronously).
      // eslint-disable-next-line no-control-regex -- pino-pretty's colours
      const text = () => router.output().replace(/\x1b\[[0-9;]*m/g, '');
      await waitFor(() => expect(text()).toMatch(/router ready/));
      const output = text();
      return /"?address"?:\s*"([^"]+)"/.exec(output)?.[1] ?? `no address in ${output}`;
    } finally {
      await router.stop();
    }
  }

  // Each start takes 10–30 s on a loaded machine (four at once here).
  it.each([
    ['development: loopback only', { NODE_ENV: 'development' }, ['127.0.0.1']],
    ['production: every interface', { NODE_ENV: 'production' }, ['::', '0.0.0.0']],
    ['development with HOST', { NODE_ENV: 'development', HOST: '0.0.0.0' }, ['0.0.0.0']],
    ['production with HOST', { NODE_ENV: 'production', HOST: '127.0.0.1' }, ['127.0.0.1']],
  ])('%s', { timeout: 120_000 }, async (_, env, expected) => {
    expect(expected).toContain(await routerAddress(env));
  });
});

describe.concurrent('the web app server as its image runs it (node client/server.js)', () => {
  // Plain node, no `source` condition: the shared package's built JavaScript, as in the image.
  beforeAll(async () => {
    await serverBuilt({ quiet: true, say: () => {} });
    await buildIfChanged(clientBuild, { quiet: true, say: () => {} });
  }, 300_000);

  it('says in one line, as the services do, that HOST is not an address of this machine', async () => {
    // TEST-NET-2: an address, and none of this machine's.
    const failure = await run(process.execPath, ['client/server.js'], {
      cwd: root,
      env: { ...process.env, NODE_ENV: 'production', CLIENT_PORT: '0', HOST: '198.51.100.7' },
      timeout: 30_000,
    }).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure.code).toBe(1);
    expect(failure.stderr).toBe(
      'client: HOST is not an address of this machine; set it to one of its addresses, 127.0.0.1, 0.0.0.0 or ::\n',
    );
  });

  it(
    'starts with HOST, and names the URL the way the services do',
    { timeout: 60_000 },
    async () => {
      const port = await freePort();
      const client = await startProcess(
        'client',
        [process.execPath, 'client/server.js'],
        { NODE_ENV: 'production', CLIENT_PORT: String(port), HOST: '127.0.0.1' },
        `http://localhost:${port}/`,
        root,
      );
      try {
        // The line may come a moment after the page answers (another pipe).
        await waitFor(() =>
          expect(client.output()).toMatch(
            new RegExp(`^client: http://localhost:${port} \\(proxying /graphql to `, 'm'),
          ),
        );
      } finally {
        await client.stop();
      }
    },
  );
});
