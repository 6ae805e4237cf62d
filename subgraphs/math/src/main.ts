/** `npm run start:math`: the math subgraph as a process of its own, configured by env. */
import { ConfigError } from '@microservice-math/shared/config';
import { createEventBus } from '@microservice-math/shared/events';
import { createLogger } from '@microservice-math/shared/logger';
import { stopOnSignals } from '@microservice-math/shared/serviceHost';
import { loadMathConfig } from './config.js';
import { createMathService } from './service.js';

try {
  const config = loadMathConfig(process.env);
  const logger = createLogger('math', { level: config.logLevel, pretty: !config.production });
  if (!config.redisUrl) {
    logger.warn(
      'REDIS_URL is not set: log events stay in this process, so no separate router will see them',
    );
  }
  const events = createEventBus(config.redisUrl, logger);
  const host = await createMathService(config, { logger, events });
  const port = await host.listen(config.port);
  logger.info({ url: `http://localhost:${port}/graphql` }, 'math subgraph ready');
  stopOnSignals(logger, async () => {
    await host.close();
    await events.close();
  });
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
}
