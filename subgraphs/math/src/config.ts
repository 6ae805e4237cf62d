import {
  databaseUrlSchema,
  DEFAULT_COMPUTATION_TIMEOUT_MS,
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
import { availableParallelism } from 'node:os';
import { z } from 'zod';

export const mathEnvSchema = z.object({
  NODE_ENV: env.nodeEnv(),
  /** Bearer token for /metrics; without one, production serves no /metrics at all. */
  METRICS_TOKEN: env.optionalString(),
  LOG_LEVEL: env.logLevel('info'),
  MATH_PORT: env.port(5002),
  DATABASE_URL: databaseUrlSchema,
  REDIS_URL: redisUrlSchema,
  REDIS_KEY_PREFIX: redisKeyPrefixSchema,
  ROUTER_SECRET: env.routerSecret(),
  CACHE_ENABLED: env.boolean(true),
  MATH_MAX_DIGITS: env.int(1_000_000, { min: 1, max: 100_000_000 }),
  MATH_TIMEOUT_MS: env.int(DEFAULT_COMPUTATION_TIMEOUT_MS, { min: 10, max: 600_000 }),
  MATH_CACHE_TTL_SECONDS: env.int(7 * 24 * 3600, { min: 1, max: 365 * 24 * 3600 }),
  MATH_CACHE_MAX_BYTES: env.int(8 * 1024 * 1024, { min: 0, max: 512 * 1024 * 1024 }),
  MATH_WORKERS: env.int(availableParallelism(), { min: 1, max: 64 }),
  /**
   * After SIGTERM (and the drain), how long computations still running may finish before they
   * are stopped and answered with an error (and logged). Keep the container's stop grace above
   * SHUTDOWN_DRAIN_MS plus this.
   */
  MATH_SHUTDOWN_GRACE_MS: env.int(5_000, { min: 0, max: 600_000 }),
  ...tracingEnvShape,
  ...shutdownEnvShape,
  ...listenEnvShape,
});

export type MathEnv = z.output<typeof mathEnvSchema>;

/** Math's typed config, made from its variables in one step; its type is what this makes. */
export const mathConfigSchema = mathEnvSchema.transform((e) => ({
  production: e.NODE_ENV === 'production',
  metricsToken: e.METRICS_TOKEN,
  logLevel: e.LOG_LEVEL,
  port: e.MATH_PORT,
  /** Where it listens: `HOST`; unset, every interface in production, loopback otherwise. */
  listenHost: listenHost(e, e.NODE_ENV === 'production'),
  databaseUrl: e.DATABASE_URL,
  redisUrl: e.REDIS_URL,
  redisKeyPrefix: e.REDIS_KEY_PREFIX,
  routerSecret: e.ROUTER_SECRET,
  cacheEnabled: e.CACHE_ENABLED,
  maxDigits: e.MATH_MAX_DIGITS,
  timeoutMs: e.MATH_TIMEOUT_MS,
  cacheTtlSeconds: e.MATH_CACHE_TTL_SECONDS,
  cacheMaxBytes: e.MATH_CACHE_MAX_BYTES,
  workers: e.MATH_WORKERS,
  shutdownGraceMs: e.MATH_SHUTDOWN_GRACE_MS,
  /** Where the default SQLite file lives. */
  dataDir: 'data',
  tracing: tracingConfigFrom(e, 'math'),
  /** How long SIGTERM keeps answering before it stops listening (see shutdownEnvShape). */
  drainMs: shutdownDrainMs(e, e.NODE_ENV === 'production'),
}));

export type MathConfig = WithRouterSecret<z.output<typeof mathConfigSchema>>;

export function loadMathConfig(source: Record<string, string | undefined>): MathConfig {
  return loadStandaloneConfig(
    mathConfigSchema,
    source,
    'math runs as its own process (the router sends the same value)',
  );
}
