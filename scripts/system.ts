/**
 * The whole system in one Node process: auth, math and the router on their ports, sharing one
 * event bus (in-process, or Redis when `REDIS_URL` is set). `npm start` adds the client; the
 * integration tests start it on free ports.
 */
import { randomBytes } from 'node:crypto';
import { createAuthService } from '@microservice-math/auth/service';
import { authConfigSchema } from '@microservice-math/auth/config';
import { mathConfigSchema } from '@microservice-math/math/config';
import { createMathService } from '@microservice-math/math/service';
import { routerConfigSchema } from '@microservice-math/router/config';
import { createRouterService, type RouterService } from '@microservice-math/router/service';
import { listenHost, loadConfig, localUrlHost } from '@microservice-math/shared/config';
import { systemEnvSchema, type SystemEnv } from './systemEnv.js';
import { createEventBus } from '@microservice-math/shared/events';
import { createLogger, type Logger } from '@microservice-math/shared/logger';
import type { ServiceHost } from '@microservice-math/shared/serviceHost';
import { startTracing, tracingConfigFrom } from '@microservice-math/shared/tracing';

export { systemEnvSchema, type SystemEnv } from './systemEnv.js';

export interface SystemOptions {
  /** Variables as in the environment; validated here, once. */
  env: Record<string, string | undefined>;
  /** Listen on port 0 (any free port) instead of the configured ones: for tests. */
  freePorts?: boolean;
  dataDir?: string;
  /** A logger factory per service; pretty or JSON by NODE_ENV when absent. */
  logger?: (service: string) => Logger;
}

export interface RunningSystem {
  env: SystemEnv;
  urls: { auth: string; math: string; router: string };
  /** Where the services listen (`HOST`; see listenEnvShape), and where the web app should. */
  listenHost: string | undefined;
  /** Each service's HTTP host, e.g. to ask where it listens. */
  hosts: { auth: ServiceHost; math: ServiceHost; router: ServiceHost };
  router: RouterService;
  /** What the web app's server sends so the router believes its X-Forwarded-For. */
  clientProxySecret: string;
  close(): Promise<void>;
}

export async function startSystem(options: SystemOptions): Promise<RunningSystem> {
  const parsed = loadConfig(systemEnvSchema, options.env);
  const production = parsed.NODE_ENV === 'production';
  // One process: nobody else needs the secret, so a fresh random one is as good as any.
  const routerSecret = parsed.ROUTER_SECRET ?? randomBytes(32).toString('hex');
  const dataDir = options.dataDir ?? 'data';
  // One root logger (one pretty-printing thread), a child per service.
  const rootLogger = options.logger
    ? undefined
    : createLogger('', { level: parsed.LOG_LEVEL, pretty: !production });
  const loggerFor =
    options.logger ?? ((service: string) => (rootLogger as Logger).child({ name: service }));
  const port = (configured: number) => (options.freePorts ? 0 : configured);
  const host = listenHost(parsed, production);
  const url = (listening: number) => `http://${localUrlHost(host)}:${listening}/graphql`;

  // One tracer provider for the process; each service's spans still name it as their scope.
  const tracing = await startTracing(
    tracingConfigFrom(parsed, 'microservice-math'),
    loggerFor('tracing'),
  );
  const events = createEventBus(parsed.REDIS_URL, loggerFor('events'));
  const started: ServiceHost[] = [];
  try {
    // Each service's config from the same, already validated, variables.
    const own = { routerSecret, dataDir };
    const auth = await createAuthService(
      { ...authConfigSchema.parse(options.env), ...own },
      loggerFor('auth'),
    );
    started.push(auth);
    const authUrl = url(await auth.listen(port(parsed.AUTH_PORT), host));

    const math = await createMathService(
      { ...mathConfigSchema.parse(options.env), ...own },
      {
        logger: loggerFor('math'),
        events,
      },
    );
    started.push(math);
    const mathUrl = url(await math.listen(port(parsed.MATH_PORT), host));

    const routerOwn = routerConfigSchema.parse(options.env);
    // The web app's server runs in this process too (scripts/start.ts): a fresh secret will do.
    const clientProxySecret = routerOwn.clientProxySecret ?? randomBytes(32).toString('hex');
    const routerConfig = {
      ...routerOwn,
      routerSecret,
      clientProxySecret,
      subgraphUrls: { auth: parsed.AUTH_URL ?? authUrl, math: parsed.MATH_URL ?? mathUrl },
    };
    const router = await createRouterService(routerConfig, { logger: loggerFor('router'), events });
    started.push(router.host);
    const routerUrl = url(await router.host.listen(port(parsed.ROUTER_PORT), host));

    return {
      env: parsed,
      urls: { auth: authUrl, math: mathUrl, router: routerUrl },
      listenHost: host,
      hosts: { auth, math, router: router.host },
      router,
      clientProxySecret,
      // Front to back: the router stops taking requests before the subgraphs it calls.
      close: async () => {
        await router.host.close();
        await Promise.all([math.close(), auth.close()]);
        await events.close();
        await tracing.shutdown();
      },
    };
  } catch (error) {
    for (const host of started.reverse()) await host.close();
    await events.close();
    await tracing.shutdown();
    throw error;
  }
}
