/**
 * The one launcher of services inside the test's own process: auth, math and the router started
 * one by one on free ports, so a test can start a single subgraph (and call it as the router
 * would), stop and restart one service (a subgraph going down and coming back), or start the
 * router on its own. Services as OS processes: ./processes.ts; the whole system as `npm start`
 * runs it: ./system.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { authConfigSchema } from '@microservice-math/auth/config';
import { createAuthService } from '@microservice-math/auth/service';
import { mathConfigSchema } from '@microservice-math/math/config';
import { createMathService } from '@microservice-math/math/service';
import { routerConfigSchema } from '@microservice-math/router/config';
import { createRouterService, type RouterService } from '@microservice-math/router/service';
import { loadConfig } from '@microservice-math/shared/config';
import { createEventBus, type EventBus } from '@microservice-math/shared/events';
import { createLogger, type Logger } from '@microservice-math/shared/logger';
import type { ServiceHost } from '@microservice-math/shared/serviceHost';

export interface Running {
  host: ServiceHost;
  url: string;
}

export interface RunningRouter extends Running {
  service: RouterService;
}

export interface StartOptions {
  /** Listen on this port (0: any free one). */
  port?: number;
  /** Listen on this address only (all addresses by default). */
  address?: string;
  logger?: Logger;
}

export interface ServiceSet {
  /** The set's scratch directory (SQLite files, keys) */
  dataDir: string;
  databaseUrl: string;
  routerSecret: string;
  startAuth(port?: number, options?: StartOptions): Promise<Running>;
  /** `options.events`: where math publishes log events instead of the set's bus. */
  startMath(port?: number, options?: StartOptions & { events?: EventBus }): Promise<Running>;
  /**
   * `options.env` overrides the set's variables for this router only (NODE_ENV, limits…);
   * `securityLogEveryMs` shortens the security log's window (see RouterDeps).
   */
  startRouter(
    urls: { auth: string; math: string },
    options?: { logger?: Logger; env?: Record<string, string>; securityLogEveryMs?: number },
  ): Promise<RunningRouter>;
  /**
   * The bus math publishes to and the router listens on (in memory unless REDIS_URL is set): a
   * test publishes an event as math would.
   */
  events(): EventBus;
  /** Closes everything started through this set that is still running. */
  close(): Promise<void>;
}

export interface ServiceSetOptions {
  /** A fresh random one unless given (a test that calls a subgraph as the router would). */
  routerSecret?: string;
  /** An existing directory to share (a second instance on the same SQLite files); kept on close. */
  dataDir?: string;
}

export function testLogger(service: string): Logger {
  return createLogger(service, {
    level: process.env['TEST_LOG_LEVEL'] ?? 'silent',
    pretty: false,
  });
}

/** `env` is read like the process environment of `npm start` (validated by the same schema). */
export function serviceSet(
  env: Record<string, string | undefined> = {},
  options: ServiceSetOptions = {},
): ServiceSet {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'mm-services-'));
  const source = {
    NODE_ENV: 'test',
    BCRYPT_ROUNDS: '4',
    // Every test account comes from one address (this machine).
    REGISTER_MAX_PER_CLIENT: '100000',
    DATABASE_URL: `file:${join(dataDir, 'test.db')}`,
    ...env,
  };
  const routerSecret = options.routerSecret ?? randomBytes(32).toString('hex');
  // Made when math or the router first needs it: auth alone publishes no events.
  let events: EventBus | undefined;
  const bus = () =>
    (events ??= createEventBus(
      loadConfig(mathConfigSchema, source).redisUrl,
      testLogger('events'),
    ));
  const started: ServiceHost[] = [];
  const listen = async (host: ServiceHost, start: StartOptions): Promise<Running> => {
    started.push(host);
    const port = await host.listen(start.port ?? 0, start.address);
    return { host, url: `http://${start.address ?? 'localhost'}:${port}/graphql` };
  };
  return {
    dataDir,
    databaseUrl: source.DATABASE_URL as string,
    routerSecret,
    async startAuth(port = 0, start = {}) {
      // Each service's own schema validates the variables, as `npm start` does for all of them.
      const config = { ...loadConfig(authConfigSchema, source), routerSecret, dataDir };
      const host = await createAuthService(config, start.logger ?? testLogger('auth'));
      return listen(host, { port, ...start });
    },
    async startMath(port = 0, start = {}) {
      const config = { ...loadConfig(mathConfigSchema, source), routerSecret, dataDir };
      const host = await createMathService(config, {
        logger: start.logger ?? testLogger('math'),
        events: start.events ?? bus(),
      });
      return listen(host, { port, ...start });
    },
    async startRouter(urls, start = {}) {
      const routerConfig = loadConfig(routerConfigSchema, { ...source, ...start.env });
      const config = { ...routerConfig, routerSecret, subgraphUrls: urls };
      const logger = start.logger ?? testLogger('router');
      const service = await createRouterService(config, {
        logger,
        events: bus(),
        securityLogEveryMs: start.securityLogEveryMs,
      });
      return { ...(await listen(service.host, {})), service };
    },
    events: bus,
    async close() {
      for (const host of started.splice(0).reverse()) await host.close();
      await events?.close();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
