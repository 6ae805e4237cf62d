/** The math subgraph as one running service: compute pool, cache, request logs, GraphQL, HTTP. */
import { join } from 'node:path';
import { ApolloServer } from '@apollo/server';
import {
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import {
  databaseTarget,
  DEFAULT_DATABASE_FILE,
  openDatabase,
} from '@microservice-math/shared/database';
import type { EventBus } from '@microservice-math/shared/events';
import type { Logger } from '@microservice-math/shared/logger';
import { closeRedis, createRedis } from '@microservice-math/shared/redis';
import { callerFromRouter } from '@microservice-math/shared/routerContext';
import { ServiceHost } from '@microservice-math/shared/serviceHost';
import { readSubgraphSdl } from '@microservice-math/shared/supergraph';
import { parse } from 'graphql';
import {
  createMemoryCache,
  createRedisCache,
  disabledCache,
  type ResultCache,
} from './cache/resultCache.js';
import { DigitBudget } from './calculations/budget.js';
import { createCalculator } from './calculations/calculator.js';
import { createComputePool } from './compute/pool.js';
import type { MathConfig } from './config.js';
import type { MathContext } from './context.js';
import { createLogWriter } from './logs/logWriter.js';
import { RequestLogSchema } from './logs/RequestLog.js';
import { mathMigrations } from './migrations/index.js';
import { createResolvers } from './resolvers/index.js';

export interface MathDeps {
  logger: Logger;
  /** Where log events go; the one-process start shares one bus with the router. */
  events: EventBus;
}

export async function createMathService(
  config: MathConfig,
  { logger, events }: MathDeps,
): Promise<ServiceHost> {
  const orm = await openDatabase({
    target: databaseTarget(config.databaseUrl, join(config.dataDir, DEFAULT_DATABASE_FILE)),
    entities: [RequestLogSchema],
    migrationsTable: 'math_migrations',
    migrations: mathMigrations,
    logger,
  });
  const redis =
    config.redisUrl && config.cacheEnabled
      ? createRedis(config.redisUrl, logger.child({ redis: 'cache' }), {
          keyPrefix: config.redisKeyPrefix,
        })
      : undefined;
  const cacheOptions = {
    ttlSeconds: config.cacheTtlSeconds,
    maxValueBytes: config.cacheMaxBytes,
    logger,
  };
  const cache: ResultCache = !config.cacheEnabled
    ? disabledCache
    : redis
      ? createRedisCache(redis, cacheOptions)
      : createMemoryCache(cacheOptions);
  const pool = createComputePool({
    maxThreads: config.workers,
    timeoutMs: config.timeoutMs,
    onWorkerError: (error) => logger.error({ err: error }, 'compute worker failed'),
  });
  const logWriter = createLogWriter({ orm, events, logger });
  const calculate = createCalculator({ pool, cache, logWriter });

  const host = new ServiceHost({
    name: 'math',
    logger,
    production: config.production,
    readiness: {
      database: async () => {
        await orm.em.getConnection().execute('select 1');
      },
    },
  });
  // Closed in reverse: stop HTTP first, then the pool, then flush logs, then Redis and the database.
  host.onClose('database', () => orm.close());
  if (redis) host.onClose('redis', () => closeRedis(redis));
  host.onClose('request logs', () => logWriter.close());
  host.onClose('compute pool', () => pool.close());

  const apollo = new ApolloServer<MathContext>({
    schema: buildSubgraphSchema({
      typeDefs: parse(readSubgraphSdl('math')),
      resolvers: createResolvers(calculate) as GraphQLResolverMap<unknown>,
    }),
    plugins: [
      ...host.apolloPlugins<MathContext>(),
      ApolloServerPluginLandingPageDisabled(),
      // Inline traces are for Apollo Studio, which this system does not report to.
      ApolloServerPluginInlineTraceDisabled(),
    ],
    introspection: !config.production,
    includeStacktraceInErrorResponses: !config.production,
    allowBatchedHttpRequests: false,
    // Shutdown is ours (stopOnSignals): Apollo's own signal handler would race it and re-raise the signal.
    stopOnTerminationSignals: false,
  });
  await apollo.start();
  host.onClose('graphql', () => apollo.stop());
  host.mountGraphQL<MathContext>(apollo, (req, base) => ({
    ...base,
    caller: callerFromRouter(req.headers, config.routerSecret),
    em: orm.em.fork(),
    budget: new DigitBudget(config.maxDigits),
  }));
  return host;
}
