/** `npm run start:auth`: the auth subgraph as a process of its own, configured by env. */
import { createLogger } from '@microservice-math/shared/logger';
import { runStandalone } from '@microservice-math/shared/serviceHost';
import { startTracing } from '@microservice-math/shared/tracing';
import { loadAuthConfig } from './config.js';
import { createAuthService } from './service.js';

await runStandalone(async () => {
  const config = loadAuthConfig(process.env);
  const logger = createLogger('auth', { level: config.logLevel, pretty: !config.production });
  const tracing = await startTracing(config.tracing, logger);
  const host = await createAuthService(config, logger);
  return {
    logger,
    tracing,
    host,
    port: config.port,
    drainMs: config.drainMs,
    description: 'auth subgraph',
  };
});
