/** The math subgraph as one running service: compute pool, cache, request logs, GraphQL, HTTP. */
import { join } from 'node:path';
import {
  databaseTarget,
  DEFAULT_DATABASE_FILE,
  openDatabase,
} from '@microservice-math/shared/database';
import { directGraphQL } from '@microservice-math/shared/directGraphQL';
import type { EventBus } from '@microservice-math/shared/events';
import type { Logger } from '@microservice-math/shared/logger';
import { closeRedis, createRedis, waitForRedis } from '@microservice-math/shared/redis';
import { callerFromRouter, idempotencyKeyFrom } from '@microservice-math/shared/routerContext';
import { ServiceHost } from '@microservice-math/shared/serviceHost';
import { startSubgraphServer } from '@microservice-math/shared/subgraphServer';
import {
  createMemoryCache,
  createRedisCache,
  createTieredCache,
  disabledCache,
  type ResultCache,
} from './cache/resultCache.js';
import { DigitBudget } from './calculations/budget.js';
import { digitBudgetPlugin } from './calculations/budgetPlugin.js';
import { createCalculator } from './calculations/calculator.js';
import { createSharedComputations } from './calculations/sharedComputation.js';
import { shutdownRefusalPlugin } from './calculations/shutdownRefusalPlugin.js';
import { createComputePool } from './compute/pool.js';
import type { MathConfig } from './config.js';
import type { MathContext } from './context.js';
import { createLogQueries } from './logs/logQueries.js';
import { logReadsFirstPlugin } from './logs/logReadsFirst.js';
import { RequestReads } from './logs/requestReads.js';
import { createLogWriter } from './logs/logWriter.js';
import { RequestLogSchema } from './logs/RequestLog.js';
import { createMathMetrics } from './metrics.js';
import { mathMigrations } from './migrations/index.js';
import { createResolvers } from './resolvers/index.js';

const REDIS_STARTUP_WAIT_MS = 2_000;
/**
 * Each instance's own copy of the results it served, in front of Redis (see createTieredCache):
 * a quarter of what the in-memory cache holds when there is no Redis.
 */
const NEAR_CACHE_BYTES = 64 * 1024 * 1024;

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
  // Commands fail fast while the connection is not ready (no offline queue): give it a moment,
  // so the first requests are not answered uncached. A Redis that is down does not stop math.
  if (redis) {
    await waitForRedis(redis, REDIS_STARTUP_WAIT_MS).catch(() =>
      logger.warn('the result cache is not reachable yet; computing uncached until it is'),
    );
  }
  const cacheOptions = {
    ttlSeconds: config.cacheTtlSeconds,
    maxValueBytes: config.cacheMaxBytes,
    logger,
  };
  const cache: ResultCache = !config.cacheEnabled
    ? disabledCache
    : redis
      ? createTieredCache(
          createMemoryCache(cacheOptions, NEAR_CACHE_BYTES),
          createRedisCache(redis, cacheOptions),
          // Only called on lookups, by which time the metrics below exist.
          (tier) => metrics.cacheFound(tier),
        )
      : createMemoryCache(cacheOptions);
  const host = new ServiceHost({
    name: 'math',
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
  const pool = createComputePool({
    maxThreads: config.workers,
    timeoutMs: config.timeoutMs,
    onWorkerError: (error) => logger.error({ err: error }, 'compute worker failed'),
  });
  // Read only when /metrics is scraped, by which time the log writer below exists.
  const metrics = createMathMetrics(host.metrics, {
    poolStats: () => pool.stats(),
    logQueueDepth: () => logWriter.queueDepth,
    unpublishedEvents: () => events.unpublished(),
  });
  const logWriter = createLogWriter({ orm, events, logger, observer: metrics });
  const logQueries = createLogQueries(orm);
  const calculate = createCalculator({
    pool,
    cache,
    logWriter,
    observer: metrics,
    // Across instances only through the shared cache: a waiter reads the owner's answer there.
    shared: createSharedComputations({ redis }),
  });

  // Closed in reverse: stop HTTP first (answering what is in flight), then the pool, then flush
  // logs, then Redis and the database.
  host.onClose('database', () => orm.close());
  host.onClose('log queries', () => logQueries.close());
  if (redis) host.onClose('redis', () => closeRedis(redis));
  host.onClose('request logs', () => logWriter.close());
  host.onClose('compute pool', () => pool.close());

  const apollo = await startSubgraphServer<MathContext>(host, {
    subgraph: 'math',
    resolvers: createResolvers(calculate, logQueries),
    production: config.production,
    plugins: [digitBudgetPlugin(), logReadsFirstPlugin(logQueries), shutdownRefusalPlugin()],
  });
  host.onClose('graphql', async () => {
    // Draining waits for requests in flight, and so for their computations: bound that wait
    // (MATH_SHUTDOWN_GRACE_MS). A computation may run for MATH_TIMEOUT_MS (10 s by default);
    // past the grace it is stopped and its request answered with an error (and logged), so by
    // default the process exits within 10 s of SIGTERM.
    const stopComputations = setTimeout(
      () => void pool.close({ force: true }),
      config.shutdownGraceMs,
    );
    try {
      await apollo.stop();
    } finally {
      clearTimeout(stopComputations);
    }
  });
  const graphql = host.mountGraphQL<MathContext>(apollo, (req, base) => {
    // Read only once the router's secret is accepted (callerFromRouter throws otherwise).
    const caller = callerFromRouter(req.headers, config.routerSecret);
    const idempotencyKey = idempotencyKeyFrom(req.headers);
    return {
      ...base,
      caller,
      ...(idempotencyKey ? { idempotencyKey } : {}),
      reads: new RequestReads(orm, logQueries),
      budget: new DigitBudget(config.maxDigits),
      plan: new Map(),
      logReads: new Map(),
    };
  });
  // POST /graphql answered without Express's per-request cost (see directGraphQL.ts).
  host.answerFirst(directGraphQL(apollo, graphql));
  return host;
}
