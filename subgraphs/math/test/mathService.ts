/**
 * Starts a real math subgraph on a free port for one test file, and talks to it the way the
 * router does: over HTTP, with the router secret and the caller in headers. Also reads the
 * request_log table directly, through its own connection, to check what was committed.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { databaseTarget, openDatabase, type Orm } from '@microservice-math/shared/database';
import { createEventBus, type EventBus } from '@microservice-math/shared/events';
import { createLogger, type Logger } from '@microservice-math/shared/logger';
import {
  ROUTER_SECRET_HEADER,
  USER_ID_HEADER,
  USERNAME_HEADER,
  type Caller,
} from '@microservice-math/shared/routerContext';
import type { ServiceHost } from '@microservice-math/shared/serviceHost';
import { afterAll, beforeAll } from 'vitest';
import { createScratchDatabase, type TestDatabase } from '../../../tests/support/postgres.js';
import { serviceSet } from '../../../tests/support/services.js';
import { RequestLogSchema, type RequestLogEntity } from '../src/logs/RequestLog.js';
import { mathMigrations } from '../src/migrations/index.js';

export const ROUTER_SECRET = 'test-router-secret-0123456789';
export const testDatabaseUrl = process.env['TEST_DATABASE_URL'];
export const redisUrl = process.env['REDIS_URL'];

export interface GraphQLBody {
  data?: Record<string, any> | null; // eslint-disable-line @typescript-eslint/no-explicit-any -- test responses are checked field by field
  errors?: Array<{ message: string; path?: unknown[]; extensions?: Record<string, unknown> }>;
}

export interface StartOptions {
  env?: Record<string, string>;
  database?: 'sqlite' | 'postgres';
  /** Where log events go; an in-process bus by default. */
  events?: EventBus;
  logger?: Logger;
}

export interface RunningMath {
  url: string;
  host: ServiceHost;
  databaseUrl: string;
  /** The bus its log events go out on (`options.events`, or its own in-process one). */
  events: EventBus;
  /** Sends a GraphQL request as the router would, for `caller` (anonymous when null). */
  call(
    query: string,
    variables?: Record<string, unknown>,
    caller?: Caller | null,
    /** More headers, e.g. the router's `x-request-id`. */
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: GraphQLBody }>;
  /** The HTTP status of `/ready`. */
  ready(): Promise<number>;
  /** The Prometheus text of `/metrics`. */
  metrics(): Promise<string>;
  /** Committed request logs matching `where`, oldest first. */
  logRows(where?: Partial<RequestLogEntity>): Promise<RequestLogEntity[]>;
  stop(): Promise<void>;
}

/** A caller the router would vouch for: a fresh id and name, so tests never share logs. */
export function newCaller(prefix = 'user'): Caller {
  return { id: randomUUID(), username: `${prefix}_${randomBytes(3).toString('hex')}` };
}

export function silentLogger(): Logger {
  return createLogger('math', { level: process.env['TEST_LOG_LEVEL'] ?? 'silent', pretty: false });
}

export async function startMath(options: StartOptions = {}): Promise<RunningMath> {
  const scratch = options.database === 'postgres' ? await createScratchDatabase() : undefined;
  const services = serviceSet(
    { MATH_WORKERS: '2', ...(scratch ? { DATABASE_URL: scratch.url } : {}), ...options.env },
    { routerSecret: ROUTER_SECRET },
  );
  const logger = options.logger ?? silentLogger();
  // In-process events, even when REDIS_URL is set for the cache, unless the test passes a bus.
  const events = options.events ?? createEventBus(undefined, logger);
  const { url, host } = await services.startMath(0, { address: '127.0.0.1', logger, events });
  const base = url.replace(/\/graphql$/, '');
  const databaseUrl = services.databaseUrl;
  let reader: Orm | undefined;

  return {
    url: `${base}/graphql`,
    host,
    databaseUrl,
    events,
    async call(query, variables = {}, caller = null, headers = {}) {
      const response = await fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...routerHeaders(caller), ...headers },
        body: JSON.stringify({ query, variables }),
      });
      return { status: response.status, body: (await response.json()) as GraphQLBody };
    },
    async ready() {
      return (await fetch(`${base}/ready`)).status;
    },
    async metrics() {
      return (await fetch(`${base}/metrics`)).text();
    },
    async logRows(where = {}) {
      reader ??= await openLogReader(databaseUrl, logger);
      return reader.em.fork().find(RequestLogSchema, where, { orderBy: { id: 'asc' } });
    },
    async stop() {
      await services.close();
      if (!options.events) await events.close();
      await reader?.close();
      await scratch?.drop();
    },
  };
}

/**
 * The math of a describeOnDatabases block (tests/support/postgres.ts): started on `on.database`
 * before the block's tests and stopped after them, never started in a skipped block. The
 * function returned gives that math in the block's tests and hooks; it throws while the block is
 * being declared, when none is running yet.
 */
export function mathOn(
  on: TestDatabase,
  options: Omit<StartOptions, 'database'> = {},
): () => RunningMath {
  let running: RunningMath | undefined;
  beforeAll(async () => {
    if (!on.skip) running = await startMath({ ...options, database: on.database });
  });
  afterAll(async () => {
    await running?.stop();
  });
  return () => {
    if (!running) throw new Error(`no math is running on ${on.name} here: see mathOn`);
    return running;
  };
}

export function routerHeaders(caller: Caller | null): Record<string, string> {
  return {
    [ROUTER_SECRET_HEADER]: ROUTER_SECRET,
    ...(caller
      ? { [USER_ID_HEADER]: caller.id, [USERNAME_HEADER]: encodeURIComponent(caller.username) }
      : {}),
  };
}

/**
 * A second connection to the math database, as an operator's query would see the table;
 * `poolMax` bounds its PostgreSQL pool (1: every query on one connection).
 */
export function openLogReader(databaseUrl: string, logger: Logger, poolMax?: number): Promise<Orm> {
  return openDatabase({
    target: databaseTarget(databaseUrl, 'unused.db'),
    entities: [RequestLogSchema],
    migrationsTable: 'math_migrations',
    migrations: mathMigrations,
    logger,
    ...(poolMax === undefined ? {} : { poolMax }),
  });
}

/** One Prometheus text parser for every test (tests/support/metrics.ts). */
export { metricValue } from '../../../tests/support/metrics.js';
