import {
  databaseUrlSchema,
  DEFAULT_COMPUTATION_TIMEOUT_MS,
  env,
  loadStandaloneConfig,
  redisKeyPrefixSchema,
  redisUrlSchema,
} from '@microservice-math/shared/config';
import {
  tracingConfigFrom,
  tracingEnvShape,
  type TracingConfig,
} from '@microservice-math/shared/tracing';
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
  ...tracingEnvShape,
});

export type MathEnv = z.output<typeof mathEnvSchema>;

export interface MathConfig {
  production: boolean;
  metricsToken: string | undefined;
  logLevel: string;
  port: number;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  redisKeyPrefix: string | undefined;
  routerSecret: string;
  cacheEnabled: boolean;
  maxDigits: number;
  timeoutMs: number;
  cacheTtlSeconds: number;
  cacheMaxBytes: number;
  workers: number;
  dataDir: string;
  tracing: TracingConfig;
}

export function mathConfigFrom(e: MathEnv, routerSecret: string, dataDir = 'data'): MathConfig {
  return {
    production: e.NODE_ENV === 'production',
    metricsToken: e.METRICS_TOKEN,
    logLevel: e.LOG_LEVEL,
    port: e.MATH_PORT,
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    redisKeyPrefix: e.REDIS_KEY_PREFIX,
    routerSecret,
    cacheEnabled: e.CACHE_ENABLED,
    maxDigits: e.MATH_MAX_DIGITS,
    timeoutMs: e.MATH_TIMEOUT_MS,
    cacheTtlSeconds: e.MATH_CACHE_TTL_SECONDS,
    cacheMaxBytes: e.MATH_CACHE_MAX_BYTES,
    workers: e.MATH_WORKERS,
    dataDir,
    tracing: tracingConfigFrom(e, 'math'),
  };
}

export function loadMathConfig(source: Record<string, string | undefined>): MathConfig {
  const parsed = loadStandaloneConfig(
    mathEnvSchema,
    source,
    'math runs as its own process (the router sends the same value)',
  );
  return mathConfigFrom(parsed, parsed.ROUTER_SECRET);
}
