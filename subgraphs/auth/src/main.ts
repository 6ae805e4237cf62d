/** `npm run start:auth`: the auth subgraph as a process of its own, configured by env. */
import { configOrExit } from '@microservice-math/shared/config';
import { createLogger } from '@microservice-math/shared/logger';
import { startTracing } from '@microservice-math/shared/tracing';
import { loadAuthConfig } from './config.js';

const config = configOrExit(() => loadAuthConfig(process.env));
// The service's own modules load once its configuration is known to be good (configOrExit).
const [{ runStandalone }, { createAuthService }] = await Promise.all([
  import('@microservice-math/shared/serviceHost'),
  import('./service.js'),
]);

await runStandalone(async () => {
  const logger = createLogger('auth', { level: config.logLevel, pretty: !config.production });
  const tracing = await startTracing(config.tracing, logger);
  const host = await createAuthService(config, logger);
  return {
    logger,
    tracing,
    host,
    port: config.port,
    listenHost: config.listenHost,
    drainMs: config.drainMs,
    description: 'auth subgraph',
  };
});
