/**
 * `npm start`: the whole system in one Node process on the contract's ports: auth, math, the
 * router and the built client. Ctrl-C or SIGTERM drains everything and exits 0.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createClientServer, defaultDistDir } from '@microservice-math/client';
import { ConfigError } from '@microservice-math/shared/config';
import { createLogger } from '@microservice-math/shared/logger';
import { stopOnSignals } from '@microservice-math/shared/serviceHost';
import { startSystem } from './system.js';

const production = process.env['NODE_ENV'] === 'production';
const logger = createLogger('start', {
  level: process.env['LOG_LEVEL'] || 'info',
  pretty: !production,
});

try {
  // Checked before anything starts, so that nothing is left to stop when it fails.
  if (!existsSync(join(defaultDistDir, 'index.html'))) {
    throw new Error(
      'The client is not built: run `npm run build -w client` (npm start does it for you)',
    );
  }
  const system = await startSystem({ env: process.env });
  const client = createClientServer({
    routerUrl: system.urls.router.replace(/\/graphql$/, ''),
    logger: logger.child({ service: 'client' }),
    proxySecret: system.clientProxySecret,
  });
  const clientPort = await client.listen(system.env.CLIENT_PORT);
  logger.info({ url: system.urls.auth }, 'auth subgraph');
  logger.info({ url: system.urls.math }, 'math subgraph');
  logger.info({ url: system.urls.router }, 'router (GraphQL over HTTP and graphql-ws)');
  logger.info({ url: `http://localhost:${clientPort}` }, 'web app ready: open this in a browser');
  stopOnSignals(logger, async () => {
    await client.close();
    await system.close();
  });
} catch (error) {
  logger.fatal(error instanceof ConfigError ? error.message : { err: error }, 'could not start');
  process.exit(1);
}
