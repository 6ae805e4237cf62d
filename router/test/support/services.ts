/**
 * Auth, math and the router started one by one on free ports, so a test can stop and restart a
 * single service (a subgraph going down and coming back) or start the router on its own.
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
import { createEventBus } from '@microservice-math/shared/events';
import { createLogger, type Logger } from '@microservice-math/shared/logger';
import type { ServiceHost } from '@microservice-math/shared/serviceHost';

export interface Running {
  host: ServiceHost;
  url: string;
}

export interface RunningRouter extends Running {
  service: RouterService;
}

export interface ServiceSet {
  startAuth(port?: number): Promise<Running>;
  startMath(port?: number): Promise<Running>;
  /** `options.env` overrides the set's variables for this router only (NODE_ENV, limits…). */
  startRouter(
    urls: { auth: string; math: string },
    options?: { logger?: Logger; env?: Record<string, string> },
  ): Promise<RunningRouter>;
  /** Closes everything started through this set that is still running. */
  close(): Promise<void>;
}

function testLogger(service: string): Logger {
  return createLogger(service, {
    level: process.env['TEST_LOG_LEVEL'] ?? 'silent',
    pretty: false,
  });
}

/** `env` is read like the process environment of `npm start` (validated by the same schema). */
export function serviceSet(env: Record<string, string> = {}): ServiceSet {
  const dataDir = mkdtempSync(join(tmpdir(), 'mm-router-test-'));
  const source = {
    NODE_ENV: 'test',
    BCRYPT_ROUNDS: '10',
    DATABASE_URL: `file:${join(dataDir, 'test.db')}`,
    ...env,
  };
  // Each service's own schema validates the variables, as `npm start` does for all of them.
  const authConfig = loadConfig(authConfigSchema, source);
  const mathConfig = loadConfig(mathConfigSchema, source);
  const routerSecret = randomBytes(32).toString('hex');
  const events = createEventBus(mathConfig.redisUrl, testLogger('events'));
  const started: ServiceHost[] = [];
  const listen = async (host: ServiceHost, port: number): Promise<Running> => {
    started.push(host);
    return { host, url: `http://localhost:${await host.listen(port)}/graphql` };
  };
  return {
    async startAuth(port = 0) {
      const config = { ...authConfig, routerSecret, dataDir };
      return listen(await createAuthService(config, testLogger('auth')), port);
    },
    async startMath(port = 0) {
      const config = { ...mathConfig, routerSecret, dataDir };
      return listen(await createMathService(config, { logger: testLogger('math'), events }), port);
    },
    async startRouter(urls, options = {}) {
      const routerConfig = loadConfig(routerConfigSchema, { ...source, ...options.env });
      const config = { ...routerConfig, routerSecret, subgraphUrls: urls };
      const logger = options.logger ?? testLogger('router');
      const service = await createRouterService(config, { logger, events });
      return { ...(await listen(service.host, 0)), service };
    },
    async close() {
      for (const host of started.reverse()) await host.close();
      await events.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
