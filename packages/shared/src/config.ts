/**
 * Environment parsing shared by every service. Each service declares its own zod schema from
 * these building blocks, parses `process.env` once at start-up and passes the typed result in;
 * nothing below the entry points reads `process.env`.
 */
import { isIP, isIPv6 } from 'node:net';
import { z } from 'zod';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * A service's configuration, or its refusal in one line (naming the variable) and exit 1. A main
 * calls it before it loads the service's modules: Apollo, the gateway and MikroORM take 1–2 s of
 * CPU to load, which a process that is only going to say its configuration is wrong need not
 * spend (a container restarting in a loop, a start with a typo).
 */
export function configOrExit<T>(load: () => T): T {
  try {
    return load();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}

/** Math's default `MATH_TIMEOUT_MS`: the longest computation before it is stopped. */
export const DEFAULT_COMPUTATION_TIMEOUT_MS = 10_000;

/**
 * The router's default `ROUTER_SUBGRAPH_TIMEOUT_MS`, deliberately later than math's deadline:
 * math's clock starts only when its computation does (after parsing, the cache look-up and any
 * queueing before that), and after a stopped computation math still commits the request's log
 * row (retried for up to 1.5 s) and answers. With both at 10 s the router gave up first and the
 * caller got INTERNAL_SERVER_ERROR ("the math subgraph did not answer") instead of math's own
 * COMPUTATION_TIMEOUT.
 */
export const DEFAULT_SUBGRAPH_TIMEOUT_MS = DEFAULT_COMPUTATION_TIMEOUT_MS + 5_000;

/** An unset variable and an empty one (`REDIS_URL=` in an .env file) both mean "use the default". */
const unsetIfEmpty = (value: unknown) => (value === '' ? undefined : value);

export const env = {
  port: (fallback: number) =>
    z.preprocess(
      unsetIfEmpty,
      z.coerce
        .number({ error: 'expected a TCP port number' })
        .int('expected a whole number')
        .min(0, 'expected a port between 0 and 65535')
        .max(65535, 'expected a port between 0 and 65535')
        .default(fallback),
    ),

  int: (fallback: number, { min, max }: { min: number; max: number }) =>
    z.preprocess(
      unsetIfEmpty,
      z.coerce
        .number({ error: 'expected a whole number' })
        .int('expected a whole number')
        .min(min, `expected at least ${min}`)
        .max(max, `expected at most ${max}`)
        .default(fallback),
    ),

  boolean: (fallback: boolean) =>
    z.preprocess(
      unsetIfEmpty,
      z
        .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'expected true or false' })
        .default(fallback ? 'true' : 'false')
        .transform((value) => value === 'true' || value === '1' || value === 'yes'),
    ),

  optionalString: () => z.preprocess(unsetIfEmpty, z.string().optional()),

  optionalUrl: (protocols: readonly string[], example: string) =>
    z.preprocess(
      unsetIfEmpty,
      z
        .string()
        .refine(
          (value) => {
            try {
              return protocols.includes(new URL(value).protocol);
            } catch {
              return false;
            }
          },
          { message: `expected a URL like ${example}` },
        )
        .optional(),
    ),

  /** One URL, or several separated by commas (instances of one service). */
  optionalUrlList: (protocols: readonly string[], example: string) =>
    z.preprocess(
      unsetIfEmpty,
      z
        .string()
        .transform((value) => value.split(',').map((url) => url.trim()))
        .refine(
          (urls) =>
            urls.every((value) => {
              try {
                return protocols.includes(new URL(value).protocol);
              } catch {
                return false;
              }
            }),
          { message: `expected a URL like ${example}, or several separated by commas` },
        )
        .optional(),
    ),

  nodeEnv: () =>
    z.preprocess(
      unsetIfEmpty,
      z
        .enum(['development', 'production', 'test'], {
          error: 'expected development, production or test',
        })
        .default('development'),
    ),

  logLevel: (fallback: string) =>
    z.preprocess(
      unsetIfEmpty,
      z
        .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
          error: 'expected fatal, error, warn, info, debug, trace or silent',
        })
        .default(fallback as 'info'),
    ),

  /** The secret the router presents to subgraphs; long enough that guessing it is hopeless. */
  routerSecret: () =>
    z.preprocess(
      unsetIfEmpty,
      z
        .string()
        .min(16, 'expected at least 16 characters (e.g. `openssl rand -hex 32`)')
        .optional(),
    ),
};

export const databaseUrlSchema = z.preprocess(
  unsetIfEmpty,
  z
    .string()
    .regex(/^(file:.+|postgres(ql)?:\/\/.+)$/, {
      message: 'expected file:PATH for SQLite or postgres://USER@HOST:PORT/DB for PostgreSQL',
    })
    .optional(),
);

export const redisUrlSchema = env.optionalUrl(['redis:', 'rediss:'], 'redis://127.0.0.1:6379');

/** Namespaces our keys when several deployments (or test runs) share one Redis. */
export const redisKeyPrefixSchema = z.preprocess(
  unsetIfEmpty,
  z
    .string()
    .regex(/^[A-Za-z0-9:_.-]{1,64}$/, {
      message: 'expected up to 64 letters, digits, ":", "_", "." or "-"',
    })
    .optional(),
);

/** Parses `source` with `schema`, or throws one error naming every bad variable and its rule. */
export function loadConfig<S extends z.ZodType>(
  schema: S,
  source: Record<string, string | undefined>,
): z.output<S> {
  const parsed = schema.safeParse(source);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => {
    const variable = issue.path.join('.') || '(environment)';
    const value = source[variable];
    const shown = value === undefined ? '' : ` (got ${JSON.stringify(redact(variable, value))})`;
    return `  ${variable}: ${issue.message}${shown}`;
  });
  throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
}

/**
 * A service's config once its router secret is known: set in the environment, or generated by
 * the one-process start (scripts/system.ts), which also picks the data directory.
 */
export type WithRouterSecret<C extends { routerSecret: string | undefined }> = C & {
  routerSecret: string;
};

/**
 * Parses the environment of a service running as a process of its own, where the router secret
 * cannot be generated (the other processes must know it) and so must be set; `why` completes the
 * message "required when …".
 */
export function loadStandaloneConfig<C extends { routerSecret: string | undefined }>(
  schema: z.ZodType<C, unknown>,
  source: Record<string, string | undefined>,
  why: string,
): WithRouterSecret<C> {
  const parsed = loadConfig(
    schema.refine((config) => config.routerSecret !== undefined, {
      path: ['ROUTER_SECRET'],
      message: `required when ${why}`,
    }),
    source,
  );
  return parsed as WithRouterSecret<C>;
}

/**
 * A refused value as the start-up message shows it: whole, unless it is a secret that is set. A variable
 * holds one when its name ends in SECRET, TOKEN, PASSWORD or KEY (`ROUTER_SECRET`,
 * `METRICS_TOKEN`), not when the word is only part of it (`TOKEN_TTL_SECONDS`, `REDIS_KEY_PREFIX`,
 * `AUTH_PRIVATE_KEY_FILE`, a path); a URL's user and password are hidden wherever it is.
 */
function redact(variable: string, value: string): string {
  // An empty value hides nothing, and shown as such it tells the user the variable is set, blank.
  if (value !== '' && /(SECRET|TOKEN|PASSWORD|KEY)$/i.test(variable)) return '<redacted>';
  // Everything between the scheme and the last '@': a URL is often refused because its password
  // holds a character URLs reserve ('#', '/', '?'), so the password's end cannot be told.
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/).*@/i, '$1<redacted>@');
}

/**
 * `SHUTDOWN_DRAIN_MS`: how long a signalled service keeps answering while `/ready` says 503, so
 * that load balancers and routers stop sending it work before it stops listening. Unset: 5 s in
 * production, none otherwise (a developer's Ctrl-C should not wait). Keep each container's stop
 * grace above it plus the longest request (docker-compose.yml).
 */
export const shutdownEnvShape = {
  SHUTDOWN_DRAIN_MS: z.preprocess(
    unsetIfEmpty,
    z.coerce
      .number({ error: 'expected a whole number of milliseconds' })
      .int('expected a whole number of milliseconds')
      .min(0, 'expected at least 0')
      .max(120_000, 'expected at most 120000')
      .optional(),
  ),
};

export const DEFAULT_PRODUCTION_DRAIN_MS = 5_000;

export function shutdownDrainMs(
  e: { SHUTDOWN_DRAIN_MS?: number | undefined },
  production: boolean,
): number {
  return e.SHUTDOWN_DRAIN_MS ?? (production ? DEFAULT_PRODUCTION_DRAIN_MS : 0);
}

/** Where a development or test process listens unless `HOST` says otherwise: this machine only. */
export const LOOPBACK_HOST = '127.0.0.1';

/**
 * `HOST`: the address a service listens on. Unset: every interface in production (containers,
 * whose port mapping decides who reaches them), loopback otherwise: development answers with
 * stack traces, introspection and the playground, for this machine only (as Vite's dev server
 * does). IPv4 loopback, because `localhost` reaches it in browsers, curl and Node's fetch, which
 * try each address `localhost` has.
 */
export const listenEnvShape = {
  HOST: z.preprocess(
    unsetIfEmpty,
    z
      .string()
      // No IPv6 zone (fe80::1%eth0): Node listens there, but no URL can name it.
      .refine((value) => isIP(value) !== 0 && !value.includes('%'), {
        message:
          'expected an IP address to listen on: 127.0.0.1 (this machine only), 0.0.0.0 or :: (every interface)',
      })
      .optional(),
  ),
};

/** The address to listen on: `HOST`, or undefined (every interface) in production, or loopback. */
export function listenHost(
  e: { HOST?: string | undefined },
  production: boolean,
): string | undefined {
  return e.HOST ?? (production ? undefined : LOOPBACK_HOST);
}

/**
 * The host of a URL that reaches, from this machine, a server listening on `host`: `localhost`
 * for every interface and for loopback, the address itself otherwise (in brackets when IPv6).
 */
export function localUrlHost(host: string | undefined): string {
  if (host === undefined || host === '0.0.0.0' || host === '::' || host === LOOPBACK_HOST)
    return 'localhost';
  return isIPv6(host) ? `[${host}]` : host;
}
