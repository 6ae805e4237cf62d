/** `npm run start:math`: the math subgraph as a process of its own, configured by env. */
import { configOrExit } from '@microservice-math/shared/config';
import { createEventBus } from '@microservice-math/shared/events';
import { createLogger } from '@microservice-math/shared/logger';
import { startTracing } from '@microservice-math/shared/tracing';
import { loadMathConfig } from './config.js';

const config = configOrExit(() => loadMathConfig(process.env));
// The service's own modules load once its configuration is known to be good (configOrExit).
const [{ runStandalone }, { createMathService }] = await Promise.all([
  import('@microservice-math/shared/serviceHost'),
  import('./service.js'),
]);

await runStandalone(async () => {
  const logger = createLogger('math', { level: config.logLevel, pretty: !config.production });
  const tracing = await startTracing(config.tracing, logger);
  if (!config.redisUrl) {
    logger.warn(
      'REDIS_URL is not set: log events stay in this process, so no separate router will see them',
    );
  }
  const events = createEventBus(config.redisUrl, logger);
  const host = await createMathService(config, { logger, events });
  return {
    logger,
    tracing,
    host,
    port: config.port,
    listenHost: config.listenHost,
    drainMs: config.drainMs,
    description: 'math subgraph',
    release: () => events.close(),
  };
});
