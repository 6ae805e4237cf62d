/** The auth subgraph as one running service: database, keys, counters, GraphQL and HTTP. */
import {
  databaseTarget,
  DEFAULT_DATABASE_FILE,
  openDatabase,
} from '@microservice-math/shared/database';
import { directGraphQL } from '@microservice-math/shared/directGraphQL';
import type { Logger } from '@microservice-math/shared/logger';
import { closeRedis, createRedis } from '@microservice-math/shared/redis';
import { callerFromRouter, clientAddressFrom } from '@microservice-math/shared/routerContext';
import { ServiceHost } from '@microservice-math/shared/serviceHost';
import { createTokenRevocations } from '@microservice-math/shared/tokenRevocations';
import { startSubgraphServer } from '@microservice-math/shared/subgraphServer';
import { JWKS_PATH } from '@microservice-math/shared/tokenClaims';
import { join } from 'node:path';
import { createAccounts } from './accounts/accounts.js';
import { createCounterStore } from './accounts/failureCounters.js';
import { createLoginAttempts } from './accounts/loginAttempts.js';
import { createRegistrationLimit } from './accounts/registrationLimit.js';
import { createPasswordHasher } from './accounts/passwords.js';
import { reserveLoginAttempts } from './accounts/reserveLoginAttempts.js';
import type { AuthConfig } from './config.js';
import type { AuthContext } from './context.js';
import { UserSchema } from './entities/User.js';
import { authMigrations } from './migrations/index.js';
import { createResolvers } from './resolvers/index.js';
import { loadSigningKeys } from './tokens/signingKeys.js';
import { pendingRevocationsIn } from './tokens/pendingRevocations.js';
import { createTokenIssuer } from './tokens/tokenIssuer.js';
import { createUserReads } from './userReads.js';

export async function createAuthService(config: AuthConfig, logger: Logger): Promise<ServiceHost> {
  const keys = await loadSigningKeys({ ...config, logger });
  const orm = await openDatabase({
    target: databaseTarget(config.databaseUrl, join(config.dataDir, DEFAULT_DATABASE_FILE)),
    entities: [UserSchema],
    migrationsTable: 'auth_migrations',
    migrations: authMigrations,
    logger,
  });
  const redis = config.redisUrl
    ? createRedis(config.redisUrl, logger.child({ redis: 'login-attempts' }), {
        keyPrefix: config.redisKeyPrefix,
      })
    : undefined;
  // One store for every counter of the login and registration limits: in Redis, with one
  // in-memory stand-in for its outages, merged back once when it returns.
  const counters = createCounterStore(redis);
  const loginAttempts = createLoginAttempts(config.loginLimits, counters);
  const passwords = await createPasswordHasher(config.passwordPool);
  const userReads = createUserReads(orm);
  const accounts = createAccounts(
    passwords,
    loginAttempts,
    createRegistrationLimit(config.registrationLimits, counters),
    userReads,
    logger,
  );
  // Those Redis does not take wait in the database, for this instance or the next to deliver.
  const revocations = createTokenRevocations(redis, {
    pending: pendingRevocationsIn(orm),
    logger: logger.child({ revocations: 'pending' }),
  });
  const resolvers = createResolvers(
    accounts,
    createTokenIssuer(keys, {
      ttlSeconds: config.tokenTtlSeconds,
      maxSessionSeconds: config.maxSessionSeconds,
    }),
    config.maxSessionSeconds,
    revocations,
  );

  const host = new ServiceHost({
    name: 'auth',
    logger,
    production: config.production,
    metricsToken: config.metricsToken,
    tracing: config.tracing.endpoint ? { continueCallerTrace: true } : undefined,
    readiness: {
      database: async () => {
        await orm.em.getConnection().execute('select 1');
      },
    },
  });
  host.onClose('database', () => orm.close());
  host.onClose('user reads', () => userReads.close());
  host.onClose('password workers', () => passwords.close());
  if (redis) host.onClose('redis', () => closeRedis(redis));
  // Closed before Redis and the database (last registered, first closed).
  host.onClose('token revocations', async () => {
    const left = await revocations.close();
    if (left > 0)
      logger.warn(
        { pending: left },
        'revocations still pending for Redis at shutdown; kept in the database for the next auth instance',
      );
  });

  host.app.get(JWKS_PATH, (_req, res) => {
    res.setHeader('cache-control', 'public, max-age=300');
    res.json(keys.jwks);
  });

  const apollo = await startSubgraphServer<AuthContext>(host, {
    subgraph: 'auth',
    resolvers: resolvers,
    production: config.production,
    plugins: [reserveLoginAttempts(loginAttempts)],
  });
  host.onClose('graphql', () => apollo.stop());
  const graphql = host.mountGraphQL<AuthContext>(apollo, (req, base) => {
    const em = orm.em.fork();
    return {
      ...base,
      caller: callerFromRouter(req.headers, config.routerSecret),
      clientAddress: clientAddressFrom(req.headers, req.socket.remoteAddress ?? 'unknown'),
      em,
      usersById: userReads.usersById(em),
      loginReservations: new Map(),
    };
  });
  // POST /graphql answered without Express's per-request cost (see directGraphQL.ts).
  host.answerFirst(directGraphQL(apollo, graphql));
  return host;
}
