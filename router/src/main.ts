/** `npm run start:router`: the router as a process of its own, configured by env. */
import { configOrExit } from '@microservice-math/shared/config';
import { createEventBus } from '@microservice-math/shared/events';
import { createLogger } from '@microservice-math/shared/logger';
import { startTracing } from '@microservice-math/shared/tracing';
import { loadRouterConfig } from './config.js';

const config = configOrExit(() => loadRouterConfig(process.env));
// The service's own modules load once its configuration is known to be good (configOrExit).
const [{ runStandalone }, { createRouterService }] = await Promise.all([
  import('@microservice-math/shared/serviceHost'),
  import('./service.js'),
]);

await runStandalone(async () => {
  const logger = createLogger('router', { level: config.logLevel, pretty: !config.production });
  const tracing = await startTracing(config.tracing, logger);
  if (!config.redisUrl) {
    logger.warn(
      'REDIS_URL is not set: logAdded subscriptions only see events from math in this process, i.e. none',
    );
  }
  const events = createEventBus(config.redisUrl, logger);
  const { host } = await createRouterService(config, { logger, events });
  return {
    logger,
    tracing,
    host,
    port: config.port,
    listenHost: config.listenHost,
    drainMs: config.drainMs,
    description: 'router',
    release: () => events.close(),
  };
});
