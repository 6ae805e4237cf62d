/** `npm run start:router`: the router as a process of its own, configured by env. */
import { ConfigError } from '@microservice-math/shared/config';
import { createEventBus } from '@microservice-math/shared/events';
import { createLogger } from '@microservice-math/shared/logger';
import { stopOnSignals } from '@microservice-math/shared/serviceHost';
import { loadRouterConfig } from './config.js';
import { createRouterService } from './service.js';

try {
  const config = loadRouterConfig(process.env);
  const logger = createLogger('router', { level: config.logLevel, pretty: !config.production });
  if (!config.redisUrl) {
    logger.warn(
      'REDIS_URL is not set: logAdded subscriptions only see events from math in this process, i.e. none',
    );
  }
  const events = createEventBus(config.redisUrl, logger);
  const { host } = await createRouterService(config, { logger, events });
  const port = await host.listen(config.port);
  logger.info({ url: `http://localhost:${port}/graphql` }, 'router ready');
  stopOnSignals(logger, async () => {
    await host.close();
    await events.close();
  });
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
}
