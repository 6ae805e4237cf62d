/** `npm run start:auth`: the auth subgraph as a process of its own, configured by env. */
import { createLogger } from '@microservice-math/shared/logger';
import { ConfigError } from '@microservice-math/shared/config';
import { stopOnSignals } from '@microservice-math/shared/serviceHost';
import { loadAuthConfig } from './config.js';
import { createAuthService } from './service.js';

try {
  const config = loadAuthConfig(process.env);
  const logger = createLogger('auth', { level: config.logLevel, pretty: !config.production });
  const host = await createAuthService(config, logger);
  const port = await host.listen(config.port);
  logger.info({ url: `http://localhost:${port}/graphql` }, 'auth subgraph ready');
  stopOnSignals(logger, () => host.close());
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
}
