import {
  databaseUrlSchema,
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

export const authEnvSchema = z.object({
  NODE_ENV: env.nodeEnv(),
  /** Bearer token for /metrics; without one, production serves no /metrics at all. */
  METRICS_TOKEN: env.optionalString(),
  LOG_LEVEL: env.logLevel('info'),
  AUTH_PORT: env.port(5001),
  DATABASE_URL: databaseUrlSchema,
  REDIS_URL: redisUrlSchema,
  REDIS_KEY_PREFIX: redisKeyPrefixSchema,
  ROUTER_SECRET: env.routerSecret(),
  /**
   * bcrypt's cost: at least PRODUCTION_MIN_BCRYPT_ROUNDS in production (checked below, with the
   * rest of the configuration). Elsewhere bcrypt's own least, 4, is allowed, as Rails allows it
   * in its test environment: every registration and sign-in hashes once, and the test suite's
   * ~640 hashes at cost 10 took about 46 s of CPU.
   */
  BCRYPT_ROUNDS: env.int(12, { min: 4, max: 15 }),
  /** Worker threads that hash and compare passwords (off the event loop); one per core. */
  AUTH_HASH_WORKERS: env.int(availableParallelism(), { min: 1, max: 64 }),
  /** Password jobs that may wait for a worker; one more is refused with RATE_LIMITED. */
  AUTH_HASH_QUEUE: env.int(64, { min: 0, max: 10_000 }),
  TOKEN_TTL_SECONDS: env.int(3600, { min: 60, max: 30 * 24 * 3600 }),
  /** How long after sign-in renewToken keeps issuing tokens; then the user signs in again. */
  AUTH_MAX_SESSION_SECONDS: env.int(7 * 24 * 3600, { min: 60, max: 365 * 24 * 3600 }),
  AUTH_PRIVATE_KEY_FILE: env.optionalString(),
  AUTH_PREVIOUS_PUBLIC_KEY_FILE: env.optionalString(),
  LOGIN_MAX_FAILURES: env.int(5, { min: 1, max: 1000 }),
  LOGIN_CLIENT_MAX_FAILURES: env.int(50, { min: 1, max: 100_000 }),
  LOGIN_WINDOW_SECONDS: env.int(15 * 60, { min: 1, max: 24 * 3600 }),
  /** Failures per account from addresses it does not know before they are refused (see loginAttempts.ts). */
  LOGIN_ACCOUNT_MAX_FAILURES: env.int(20, { min: 1, max: 100_000 }),
  /** How long a successful sign-in makes its address known to the account. */
  LOGIN_KNOWN_ADDRESS_DAYS: env.int(30, { min: 1, max: 365 }),
  /** Registrations from one client address per window (see registrationLimit.ts). */
  REGISTER_MAX_PER_CLIENT: env.int(20, { min: 1, max: 1_000_000 }),
  REGISTER_WINDOW_SECONDS: env.int(3600, { min: 1, max: 7 * 24 * 3600 }),
  ...tracingEnvShape,
  ...shutdownEnvShape,
  ...listenEnvShape,
});

export type AuthEnv = z.output<typeof authEnvSchema>;

/** The least bcrypt cost a production auth accepts (OWASP's floor for bcrypt). */
export const PRODUCTION_MIN_BCRYPT_ROUNDS = 10;

/**
 * Production's floor for BCRYPT_ROUNDS, as a refinement: of auth's schema, and of the
 * one-process start's (scripts/systemEnv.ts), which extends auth's variables and checks them
 * before it starts anything.
 */
export const productionBcryptFloor = {
  check: (e: { NODE_ENV: string; BCRYPT_ROUNDS: number }) =>
    e.NODE_ENV !== 'production' || e.BCRYPT_ROUNDS >= PRODUCTION_MIN_BCRYPT_ROUNDS,
  issue: {
    path: ['BCRYPT_ROUNDS'],
    message: `expected at least ${PRODUCTION_MIN_BCRYPT_ROUNDS} in production`,
  },
};

/** Auth's typed config, made from its variables in one step; its type is what this makes. */
export const authConfigSchema = authEnvSchema
  .refine(productionBcryptFloor.check, productionBcryptFloor.issue)
  .transform((e) => ({
    production: e.NODE_ENV === 'production',
    metricsToken: e.METRICS_TOKEN,
    logLevel: e.LOG_LEVEL,
    port: e.AUTH_PORT,
    /** Where it listens: `HOST`; unset, every interface in production, loopback otherwise. */
    listenHost: listenHost(e, e.NODE_ENV === 'production'),
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    redisKeyPrefix: e.REDIS_KEY_PREFIX,
    routerSecret: e.ROUTER_SECRET,
    passwordPool: {
      rounds: e.BCRYPT_ROUNDS,
      workers: e.AUTH_HASH_WORKERS,
      queue: e.AUTH_HASH_QUEUE,
    },
    tokenTtlSeconds: e.TOKEN_TTL_SECONDS,
    maxSessionSeconds: e.AUTH_MAX_SESSION_SECONDS,
    privateKeyFile: e.AUTH_PRIVATE_KEY_FILE,
    previousPublicKeyFile: e.AUTH_PREVIOUS_PUBLIC_KEY_FILE,
    /** Where development keys and the default SQLite file live. */
    dataDir: 'data',
    loginLimits: {
      perUsername: e.LOGIN_MAX_FAILURES,
      perClient: e.LOGIN_CLIENT_MAX_FAILURES,
      perAccount: e.LOGIN_ACCOUNT_MAX_FAILURES,
      windowSeconds: e.LOGIN_WINDOW_SECONDS,
      knownAddressSeconds: e.LOGIN_KNOWN_ADDRESS_DAYS * 24 * 3600,
    },
    registrationLimits: {
      perClient: e.REGISTER_MAX_PER_CLIENT,
      windowSeconds: e.REGISTER_WINDOW_SECONDS,
    },
    tracing: tracingConfigFrom(e, 'auth'),
    /** How long SIGTERM keeps answering before it stops listening (see shutdownEnvShape). */
    drainMs: shutdownDrainMs(e, e.NODE_ENV === 'production'),
  }));

export type AuthConfig = WithRouterSecret<z.output<typeof authConfigSchema>>;

/** For a process of its own: every value from the environment, the router secret required. */
export function loadAuthConfig(source: Record<string, string | undefined>): AuthConfig {
  return loadStandaloneConfig(
    authConfigSchema,
    source,
    'auth runs as its own process (the router sends the same value)',
  );
}
