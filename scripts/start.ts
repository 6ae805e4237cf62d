/**
 * `npm start`: the whole system in one Node process on the contract's ports: auth, math, the
 * router and the built client. The client and the playground are rebuilt first when their sources
 * changed since their last build (see freshBuild.ts). Ctrl-C or SIGTERM drains everything and
 * exits 0.
 */
import { ConfigError, loadConfig, localUrlHost } from '@microservice-math/shared/config';
import { listenError } from '@microservice-math/shared/listenError';
import { createLogger } from '@microservice-math/shared/logger';
import { systemEnvSchema } from './systemEnv.js';

const production = process.env['NODE_ENV'] === 'production';
const startLogger = (level: string) => createLogger('start', { level, pretty: !production });
// At `info` until LOG_LEVEL is known to be a level (pino throws on any other name).
let logger = startLogger('info');
// From the start: a stop sent while it builds or starts (tens of seconds in a fresh clone) counts.
stopWithParent();

try {
  // The configuration is checked before anything is built: a bad value is named at once.
  logger = startLogger(loadConfig(systemEnvSchema, process.env).LOG_LEVEL);
  // Loaded once the configuration is known to be good: the services take seconds to load.
  const [
    { createClientServer },
    { stopOnSignals },
    { buildIfChanged, startBuilds },
    { startSystem },
  ] = await Promise.all([
    import('@microservice-math/client'),
    import('@microservice-math/shared/serviceHost'),
    import('./freshBuild.js'),
    import('./system.js'),
  ]);
  for (const target of startBuilds) {
    await buildIfChanged(target, { say: (line) => logger.info(line) });
  }
  const system = await startSystem({ env: process.env });
  const client = createClientServer({
    routerUrl: system.urls.router.replace(/\/graphql$/, ''),
    logger: logger.child({ service: 'client' }),
    proxySecret: system.clientProxySecret,
  });
  const clientPort = await client
    .listen(system.env.CLIENT_PORT, system.listenHost)
    .catch((error: unknown) => {
      throw listenError('client', system.env.CLIENT_PORT, error as NodeJS.ErrnoException);
    });
  logger.info({ url: system.urls.auth }, 'auth subgraph');
  logger.info({ url: system.urls.math }, 'math subgraph');
  logger.info({ url: system.urls.router }, 'router (GraphQL over HTTP and graphql-ws)');
  logger.info(
    { url: `http://${localUrlHost(system.listenHost)}:${clientPort}` },
    'web app ready: open this in a browser',
  );
  stopOnSignals(logger, async () => {
    await client.close();
    await system.close();
  });
} catch (error) {
  // A bad configuration prints only its message (it names the variable), as each service does.
  if (error instanceof ConfigError) console.error(error.message);
  else logger.fatal({ err: error }, 'could not start');
  process.exit(1);
}

/**
 * A process manager stops `npm start` with SIGTERM to npm, which runs this script through
 * `sh -c` and passes the signal to that shell alone; Debian's sh (dash) then ends without passing
 * it on, and this process was left running, holding every port. Its parent going (it is then
 * someone else's child) is taken as that SIGTERM: a drain once the system runs (stopOnSignals),
 * Node's default, an exit, before. A start without npm, under a parent that stays, is unaffected.
 */
function stopWithParent(): void {
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) process.kill(process.pid, 'SIGTERM');
  }, 500).unref();
}
