import {
  DEFAULT_SUBGRAPH_TIMEOUT_MS,
  env,
  loadStandaloneConfig,
  redisKeyPrefixSchema,
  redisUrlSchema,
  type WithRouterSecret,
  shutdownDrainMs,
  shutdownEnvShape,
  listenEnvShape,
  listenHost,
} from '@microservice-math/shared/config';
import { tracingConfigFrom, tracingEnvShape } from '@microservice-math/shared/tracing';
import { z } from 'zod';
import { LOG_REPLAY_COST } from './subscriptions/logFeed.js';

const httpUrl = env.optionalUrl(['http:', 'https:'], 'http://auth:5001/graphql');

export const routerEnvSchema = z.object({
  NODE_ENV: env.nodeEnv(),
  /** Bearer token for /metrics; without one, production serves no /metrics at all. */
  METRICS_TOKEN: env.optionalString(),
  LOG_LEVEL: env.logLevel('info'),
  ROUTER_PORT: env.port(8000),
  /** One subgraph instance's URL, or several separated by commas. */
  AUTH_URL: env.optionalUrlList(['http:', 'https:'], 'http://auth:5001/graphql'),
  MATH_URL: env.optionalUrlList(['http:', 'https:'], 'http://math:5002/graphql'),
  ROUTER_SECRET: env.routerSecret(),
  REDIS_URL: redisUrlSchema,
  REDIS_KEY_PREFIX: redisKeyPrefixSchema,
  SUPERGRAPH_PATH: env.optionalString(),
  /** Keep it above math's MATH_TIMEOUT_MS, or a stopped computation reaches the caller as an internal error. */
  ROUTER_SUBGRAPH_TIMEOUT_MS: env.int(DEFAULT_SUBGRAPH_TIMEOUT_MS, { min: 100, max: 600_000 }),
  AUTH_JWKS_URL: httpUrl,
  PLAYGROUND: env.boolean(false),
  /** Requests (HTTP operations and WebSocket subscribe messages) per client address and minute. */
  ROUTER_RATE_LIMIT_PER_MINUTE: env.int(600, { min: 1, max: 1_000_000 }),
  /** Open graphql-ws sockets one user may hold at once; the next is closed with 1013. */
  ROUTER_WS_MAX_CONNECTIONS_PER_USER: env.int(20, { min: 1, max: 10_000 }),
  /**
   * graphql-ws sockets from one client address not yet signed in (connection_init not yet
   * answered; graphql-ws closes one after 3 s); the next upgrade is refused with HTTP 429.
   */
  ROUTER_WS_MAX_WAITING_PER_ADDRESS: env.int(50, { min: 1, max: 100_000 }),
  /** Operations open at once on one graphql-ws socket; the next is refused RATE_LIMITED. */
  ROUTER_WS_MAX_OPERATIONS_PER_CONNECTION: env.int(50, { min: 1, max: 10_000 }),
  /** Open graphql-sse streams one user may hold at once; the next is refused 429 RATE_LIMITED. */
  ROUTER_SSE_MAX_STREAMS_PER_USER: env.int(20, { min: 1, max: 10_000 }),
  /** Shared with the web app's server: its X-Forwarded-For is believed only with this secret. */
  CLIENT_PROXY_SECRET: z.string().min(16, 'at least 16 characters').optional(),
  /**
   * Largest demand (list sizes multiplied through nested fields) one operation may make. At
   * 5,000, an operation could ask for 4,900 logs with every field: a 1.1 MB answer (6 MB with
   * long inputs) that kept the router busy 50 ms (100 ms) in one stretch.
   */
  ROUTER_MAX_COST: env.int(1_000, { min: 1, max: 1_000_000 }),
  /**
   * An operation costing more than this is heavy: heavy ones take turns (see demandControl.ts).
   * Never below what a live feed's catch-up page costs, so catch-ups are never heavy.
   */
  ROUTER_HEAVY_OPERATION_COST: env.int(200, { min: LOG_REPLAY_COST, max: 1_000_000 }),
  /**
   * What one user's open subscriptions (graphql-ws and SSE, on this router) may cost together
   * per event (subscriptions/liveDemand.ts); the next one over is refused RATE_LIMITED. At 500,
   * the web app's feed (10) opens in fifty tabs, and a user's one request of 30 calculations
   * costs the router at most about 30 × 500 × 5 µs = 75 ms of delivering; with no budget, 500
   * subscriptions of cost 22 made it 3 s.
   */
  // At least the web app's feed (10): below it no live feed could ever open.
  ROUTER_MAX_LIVE_COST_PER_USER: env.int(500, { min: 10, max: 1_000_000 }),
  /** Heavy operations one router runs at once; up to 64 more wait, beyond that RATE_LIMITED. */
  ROUTER_HEAVY_OPERATIONS_AT_ONCE: env.int(1, { min: 1, max: 1_000 }),
  ...tracingEnvShape,
  ...shutdownEnvShape,
  ...listenEnvShape,
});

/** Heavy operations that may wait for their turn on one router; the next is refused at once. */
export const HEAVY_OPERATIONS_WAITING = 64;
/**
 * How long a closing router lets its graphql-ws sockets and SSE streams answer the queries and
 * mutations they already admitted, as the HTTP server drains its requests, before they close
 * (sockets with 1001, which clients reconnect after). Well inside compose's 25 s stop grace.
 */
export const SHUTDOWN_ANSWER_MS = 5_000;

export type RouterEnv = z.output<typeof routerEnvSchema>;

/** The router's typed config, made from its variables in one step; its type is what this makes. */
export const routerConfigSchema = routerEnvSchema.transform((e) => ({
  production: e.NODE_ENV === 'production',
  metricsToken: e.METRICS_TOKEN,
  logLevel: e.LOG_LEVEL,
  port: e.ROUTER_PORT,
  /** Where it listens: `HOST`; unset, every interface in production, loopback otherwise. */
  listenHost: listenHost(e, e.NODE_ENV === 'production'),
  /** Subgraph instance URLs by subgraph name; unset ones come from the supergraph. */
  subgraphUrls: subgraphUrlsOf(e),
  routerSecret: e.ROUTER_SECRET,
  redisUrl: e.REDIS_URL,
  redisKeyPrefix: e.REDIS_KEY_PREFIX,
  supergraphPath: e.SUPERGRAPH_PATH,
  subgraphTimeoutMs: e.ROUTER_SUBGRAPH_TIMEOUT_MS,
  /** Where auth publishes its public keys; derived from the auth URL unless set. */
  jwksUrl: e.AUTH_JWKS_URL,
  /** GraphiQL on a browser GET of /graphql, with introspection (which it needs). */
  playground: e.NODE_ENV !== 'production' || e.PLAYGROUND,
  rateLimitPerMinute: e.ROUTER_RATE_LIMIT_PER_MINUTE,
  maxCost: e.ROUTER_MAX_COST,
  heavyOperations: {
    cost: e.ROUTER_HEAVY_OPERATION_COST,
    concurrency: e.ROUTER_HEAVY_OPERATIONS_AT_ONCE,
    waiting: HEAVY_OPERATIONS_WAITING,
  },
  clientProxySecret: e.CLIENT_PROXY_SECRET,
  socketLimits: {
    connectionsPerUser: e.ROUTER_WS_MAX_CONNECTIONS_PER_USER,
    operationsPerConnection: e.ROUTER_WS_MAX_OPERATIONS_PER_CONNECTION,
    waitingPerAddress: e.ROUTER_WS_MAX_WAITING_PER_ADDRESS,
  },
  streamsPerUser: e.ROUTER_SSE_MAX_STREAMS_PER_USER,
  maxLiveCostPerUser: e.ROUTER_MAX_LIVE_COST_PER_USER,
  tracing: tracingConfigFrom(e, 'router'),
  /** How long SIGTERM keeps answering before it stops listening (see shutdownEnvShape). */
  drainMs: shutdownDrainMs(e, e.NODE_ENV === 'production'),
  shutdownAnswerMs: SHUTDOWN_ANSWER_MS,
}));

export type RouterConfig = WithRouterSecret<z.output<typeof routerConfigSchema>>;

function subgraphUrlsOf(e: Pick<RouterEnv, 'AUTH_URL' | 'MATH_URL'>) {
  const urls: Partial<Record<'auth' | 'math', string | string[]>> = {};
  if (e.AUTH_URL) urls.auth = e.AUTH_URL;
  if (e.MATH_URL) urls.math = e.MATH_URL;
  return urls;
}

export function loadRouterConfig(source: Record<string, string | undefined>): RouterConfig {
  return loadStandaloneConfig(
    routerConfigSchema,
    source,
    'the router runs as its own process (subgraphs refuse requests without it)',
  );
}
