/**
 * MikroORM set-up shared by the subgraphs that own tables: SQLite by default (one file, as in
 * the system this replaces), PostgreSQL when `DATABASE_URL` says so. Each owner passes its own
 * entities and migrations, and keeps its own migrations table, so auth and math can share one
 * database without stepping on each other's history.
 */
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import {
  MikroORM as CoreOrm,
  type AnyEntity,
  type EntitySchema,
  type MigrationObject,
  type Options,
} from '@mikro-orm/core';
import { Migration, Migrator } from '@mikro-orm/migrations';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import {
  SqliteDriver,
  type AbstractSqlDriver,
  type Knex,
  type SqlEntityManager,
} from '@mikro-orm/sqlite';
import { ConfigError } from './config.js';
import { databaseUnreachable, fromTheDatabase } from './databaseErrors.js';
import type { Logger } from './logger.js';
import {
  checkpointWhileOpen,
  DEFAULT_CHECKPOINTS,
  type CheckpointSettings,
  type SqliteDatabase,
} from './walCheckpointer.js';

/** The database file both subgraphs share by default, under the data directory. */
export const DEFAULT_DATABASE_FILE = 'microservice_math.db';

export type Orm = CoreOrm<AbstractSqlDriver>;
export type EntityManager = SqlEntityManager;

export type DatabaseTarget = { kind: 'sqlite'; path: string } | { kind: 'postgresql'; url: string };

/** Reads `DATABASE_URL` (already validated by the config schema) into a target. */
export function databaseTarget(
  databaseUrl: string | undefined,
  defaultSqlitePath: string,
): DatabaseTarget {
  if (!databaseUrl) return { kind: 'sqlite', path: resolve(defaultSqlitePath) };
  if (databaseUrl.startsWith('file:'))
    return { kind: 'sqlite', path: resolve(databaseUrl.slice(5)) };
  return { kind: 'postgresql', url: databaseUrl };
}

export function describeTarget(target: DatabaseTarget): string {
  if (target.kind === 'sqlite') return `SQLite ${target.path}`;
  const url = new URL(target.url);
  return `PostgreSQL ${url.hostname}:${url.port || 5432}${url.pathname}`;
}

export interface DatabaseOptions {
  target: DatabaseTarget;
  entities: EntitySchema<AnyEntity>[] | EntitySchema[];
  /** This owner's migrations table, e.g. `auth_migrations`. */
  migrationsTable: string;
  migrations: MigrationObject[];
  logger: Logger;
  /** PostgreSQL pool size; SQLite always uses one connection per process. */
  poolMax?: number;
  /** SQLite's WAL checkpoints (walCheckpointer.ts); tests shorten them. */
  checkpoints?: CheckpointSettings;
}

/** SQLite waits this long for another process's write lock instead of failing with SQLITE_BUSY. */
const SQLITE_BUSY_TIMEOUT_MS = 10_000;

interface Sqlite3Connection extends SqliteDatabase {
  run(sql: string, callback: (error: Error | null) => void): void;
  prepare(sql: string, callback: (error: Error | null) => void): Sqlite3Statement;
}

/** node-sqlite3's prepared statement, as far as it is used here. */
interface Sqlite3Statement {
  all<Row>(params: unknown[], callback: (error: Error | null, rows: Row[]) => void): void;
  finalize(): void;
}

function runPragmas(
  connection: Sqlite3Connection,
  pragmas: string[],
  done: (error: Error | null) => void,
) {
  const [first, ...rest] = pragmas;
  if (first === undefined) return done(null);
  connection.run(first, (error) => (error ? done(error) : runPragmas(connection, rest, done)));
}

function driverOptions(options: DatabaseOptions): Options<AbstractSqlDriver> {
  const { target } = options;
  if (target.kind === 'sqlite') {
    mkdirSync(dirname(target.path), { recursive: true });
    return {
      driver: SqliteDriver,
      dbName: target.path,
      pool: {
        min: 1,
        max: 1,
        // WAL lets readers run beside the writer, and busy_timeout makes a second process (auth and
        // math share the file) wait for the lock; both are per connection, so set them on each.
        // Checkpoints run beside the connection, not in its commits (walCheckpointer.ts).
        afterCreate: (
          connection: Sqlite3Connection,
          done: (error: Error | null, c: unknown) => void,
        ) =>
          runPragmas(
            connection,
            [
              'PRAGMA journal_mode = WAL',
              `PRAGMA busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`,
              'PRAGMA synchronous = NORMAL',
              'PRAGMA wal_autocheckpoint = 0',
            ],
            (error) => {
              if (!error)
                checkpointWhileOpen(
                  connection,
                  target.path,
                  options.checkpoints ?? DEFAULT_CHECKPOINTS,
                  options.logger,
                );
              done(error, connection);
            },
          ),
      },
    };
  }
  return {
    driver: PostgreSqlDriver as unknown as Options<AbstractSqlDriver>['driver'],
    clientUrl: target.url,
    pool: { min: 0, max: options.poolMax ?? 10 },
    // Knex says a pooled connection's loss ("Connection Error: Connection ended unexpectedly")
    // with console.warn, plain text among the JSON lines: through the service's logger instead.
    driverOptions: {
      log: knexLog(options.logger),
      connection: { connectionTimeoutMillis: CONNECTION_ATTEMPT_TIMEOUT_MS },
    },
  };
}

/**
 * How long one attempt to open a PostgreSQL connection may take. A database that accepts the TCP
 * connection and answers nothing (paused, a black-holed route) fails it after this, not after
 * the OS's minutes, so a start still waits for it within its 30 s (DATABASE_CONNECT_WITHIN_MS).
 * Not shorter: a pool grows under a burst, ten handshakes at once, each needing several turns of
 * an event loop that the burst keeps busy; on a loaded 2-core machine 5 s was seen to fail them
 * (1,000 concurrent requests at a load average of 10: 9 of them INTERNAL_SERVER_ERROR).
 */
const CONNECTION_ATTEMPT_TIMEOUT_MS = 10_000;

function knexLog(logger: Logger) {
  const say = (level: 'warn' | 'debug') => (message: unknown) =>
    logger[level]({ component: 'knex' }, String(message));
  return { warn: say('warn'), error: say('warn'), deprecate: say('debug'), debug: say('debug') };
}

/**
 * Statements prepared once on SQLite's connection and run again with new parameters, for a hot
 * path that cannot afford the ORM: the query builder, knex and a fresh statement per call cost
 * more CPU than the statement itself, and a fresh statement takes two trips through sqlite3's
 * thread pool (prepare, then run) where a prepared one takes one, each trip waiting for a turn of
 * the event loop. A statement runs on the ORM's own connection (lent by its pool, so it takes
 * its turn with the ORM's queries) and is finalized when that connection is closed, or by
 * `close()`. Undefined for PostgreSQL, which has `pgPreparedStatements`.
 */
export interface PreparedStatements {
  /**
   * Runs `sql` with `params` and answers with the rows it returned. The statement is prepared on
   * first use and kept, unless `keep` is false (a statement seldom run again is not worth its
   * memory): then it is finalized after this run.
   */
  all<Row>(sql: string, params: unknown[], keep?: boolean): Promise<Row[]>;
  /** Finalizes this set's statements; later calls prepare them again. */
  close(): void;
}

/**
 * The statements of every set, by connection: a pool about to close a connection finalizes
 * them, since SQLite refuses to close a connection that has statements left (SQLITE_BUSY).
 */
const statementsByConnection = new WeakMap<Sqlite3Connection, Set<Map<string, Sqlite3Statement>>>();
/** Pools already told to finalize a connection's statements before closing it. */
const watchedPools = new WeakSet<object>();

interface ConnectionPool {
  on(event: 'destroyRequest', handler: (eventId: number, resource: unknown) => void): void;
  on(event: 'createFail', handler: (eventId: number, error: unknown) => void): void;
}

interface ConnectionLender<Connection = Sqlite3Connection> {
  acquireConnection(): Promise<Connection>;
  releaseConnection(connection: Connection): Promise<void>;
  pool?: ConnectionPool;
}

function finalizeAll(statements: Map<string, Sqlite3Statement>): void {
  for (const statement of statements.values()) statement.finalize();
  statements.clear();
}

function prepare(connection: Sqlite3Connection, sql: string): Promise<Sqlite3Statement> {
  return new Promise((resolve, reject) => {
    const statement = connection.prepare(sql, (error) =>
      error ? reject(error) : resolve(statement),
    );
  });
}

export function preparedStatements(orm: Orm): PreparedStatements | undefined {
  if (!(orm.em.getDriver() instanceof SqliteDriver)) return undefined;
  const client = orm.em.getConnection().getKnex().client as ConnectionLender;
  // tarn emits `destroyRequest` synchronously, before it closes the connection.
  if (client.pool && !watchedPools.has(client.pool)) {
    watchedPools.add(client.pool);
    client.pool.on('destroyRequest', (_eventId, connection) => {
      for (const statements of statementsByConnection.get(connection as Sqlite3Connection) ?? [])
        finalizeAll(statements);
    });
  }
  /** This set's statements on each connection it has run on (one, unless the pool replaced it). */
  const mine = new Map<Sqlite3Connection, Map<string, Sqlite3Statement>>();

  function statementsOn(connection: Sqlite3Connection): Map<string, Sqlite3Statement> {
    let statements = mine.get(connection);
    if (!statements) {
      mine.set(connection, (statements = new Map()));
      let all = statementsByConnection.get(connection);
      if (!all) statementsByConnection.set(connection, (all = new Set()));
      all.add(statements);
    }
    return statements;
  }

  return {
    async all<Row>(sql: string, params: unknown[], keep = true): Promise<Row[]> {
      const connection = await client.acquireConnection();
      try {
        const statements = statementsOn(connection);
        let statement = statements.get(sql);
        if (!statement) {
          statement = await prepare(connection, sql);
          if (keep) statements.set(sql, statement);
        }
        const prepared = statement;
        return await new Promise<Row[]>((resolve, reject) =>
          prepared.all<Row>(params, (error, rows) => {
            if (error || !keep) {
              // A statement that failed (e.g. SQLITE_BUSY) may hold its read snapshot until it
              // is reset; finalizing it lets go, and the next call prepares it again.
              if (statements.get(sql) === prepared) statements.delete(sql);
              prepared.finalize();
            }
            return error ? reject(error) : resolve(rows);
          }),
        );
      } finally {
        await client.releaseConnection(connection);
      }
    },
    close() {
      for (const [connection, statements] of mine) {
        finalizeAll(statements);
        statementsByConnection.get(connection)?.delete(statements);
      }
      mine.clear();
    },
  };
}

/** pg's client, as far as `pgPreparedStatements` uses it. */
interface PgClient {
  query<Row>(query: { name?: string; text: string; values: unknown[] }): Promise<{ rows: Row[] }>;
}

/** The name of a kept statement: one per text (pg refuses a name given to another text). */
const pgStatementNames = new Map<string, string>();

function pgStatementName(sql: string): string {
  let name = pgStatementNames.get(sql);
  if (!name) {
    name = `mm_${createHash('sha256').update(sql).digest('hex').slice(0, 32)}`;
    pgStatementNames.set(sql, name);
  }
  return name;
}

/**
 * PostgreSQL's counterpart of `preparedStatements`, with `$1`, `$2`… for parameters: a statement
 * run with `keep` is a named prepared statement of pg, parsed and planned once per connection
 * (pg remembers which it prepared on each) and then run with only its values, on a connection
 * lent by the ORM's pool; one run without `keep` is sent unnamed. Like the SQLite ones, it spares
 * the query builder's and knex's CPU: the log writer's 4-row insert took 156 against 420 µs of
 * CPU through the query builder, side by side in one process (docs/BENCHMARKS.md, "Logging").
 * Errors are pg's and the pool's own, which `databaseUnreachable` reads as it reads those the
 * ORM passes on. Named statements need each connection to be one session of PostgreSQL's, as a
 * direct connection is (a proxy pooling by transaction, such as PgBouncer before 1.21, would
 * break them). Undefined for SQLite.
 */
export function pgPreparedStatements(orm: Orm): PreparedStatements | undefined {
  if (!(orm.em.getDriver() instanceof PostgreSqlDriver)) return undefined;
  const client = orm.em.getConnection().getKnex().client as ConnectionLender<PgClient>;
  return {
    async all<Row>(sql: string, values: unknown[], keep = true): Promise<Row[]> {
      const connection = await client.acquireConnection();
      try {
        const query = keep
          ? { name: pgStatementName(sql), text: sql, values }
          : { text: sql, values };
        return (await connection.query<Row>(query)).rows;
      } finally {
        await client.releaseConnection(connection);
      }
    },
    // A named statement lives as long as its connection.
    close: () => {},
  };
}

/**
 * Marks what the ORM's connection attempts and queries fail with as the database's
 * (databaseErrors.ts): pg passes a refused or unresolved connection on as Node's socket error,
 * through knex and MikroORM, shaped like any other client's, and knex writes a failed query's SQL
 * before pg's words ("select … - Connection terminated unexpectedly"). The pool (tarn) emits
 * `createFail`, and knex `query-error`, with that very error before it is rejected with.
 */
export function markConnectionFailures(orm: Orm): void {
  const knex = orm.em.getConnection().getKnex();
  const { pool } = knex.client as ConnectionLender;
  pool?.on('createFail', (_eventId, error) => fromTheDatabase(error));
  knex.on('query-error', (error: unknown) => fromTheDatabase(error));
}

/** How long a starting service keeps trying a database it cannot reach yet. */
export const DATABASE_CONNECT_WITHIN_MS = 30_000;

/**
 * Opens the database and brings its schema up to date, waiting (up to `connectWithinMs`, with
 * growing pauses, a warning each time) for a PostgreSQL that is not reachable yet: replicas
 * restarted while the database restarts, or started beside it, come up once it does instead of
 * exiting. Past that, one line naming `DATABASE_URL` (no credentials) ends the start.
 */
export async function openDatabase(
  options: DatabaseOptions & { connectWithinMs?: number },
): Promise<Orm> {
  const deadline = Date.now() + (options.connectWithinMs ?? DATABASE_CONNECT_WITHIN_MS);
  for (let attempt = 1; ; attempt++) {
    try {
      return await openOnce(options);
    } catch (error) {
      // Whatever opening the database throws is the database's to say (databaseErrors.ts).
      if (options.target.kind === 'postgresql') fromTheDatabase(error);
      const why = options.target.kind === 'postgresql' ? databaseUnreachable(error) : undefined;
      if (!why) throw error;
      const pauseMs = Math.min(4_000, 250 * 2 ** attempt);
      if (Date.now() + pauseMs > deadline)
        throw new ConfigError(
          `DATABASE_URL: cannot reach ${describeTarget(options.target)} (${why}); is it running?`,
        );
      options.logger.warn(
        { database: describeTarget(options.target), reason: why, attempt, retryInMs: pauseMs },
        'database not reachable yet; trying again',
      );
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  }
}

/** Connects, brings the schema up to date with this owner's migrations, and returns the ORM. */
async function openOnce(options: DatabaseOptions): Promise<Orm> {
  const orm = await CoreOrm.init<AbstractSqlDriver>({
    ...driverOptions(options),
    entities: options.entities,
    extensions: [Migrator],
    discovery: { warnWhenNoEntities: false },
    allowGlobalContext: false,
    debug: false,
    logger: (message) => options.logger.debug({ orm: true }, message),
    migrations: {
      tableName: options.migrationsTable,
      migrationsList: options.migrations,
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      silent: true,
    },
  });
  if (options.target.kind === 'postgresql') markConnectionFailures(orm);
  try {
    const applied = await migrateWithRetry(orm, options.logger);
    if (applied.length > 0) {
      options.logger.info({ migrations: applied }, 'database migrated');
    }
  } catch (error) {
    await orm.close();
    throw error;
  }
  return orm;
}

/**
 * Replicas starting together race to create the same tables. The loser's statement fails
 * ("already exists", a duplicate migration row); by then the winner has committed, so running
 * the migrator again finds nothing pending. Any other error (a bad URL, no permission) fails at once.
 */
/** What a replica sees when another one created the same table or migration row first. */
const MIGRATION_COLLISION =
  /already exists|duplicate key|UNIQUE constraint|SQLITE_BUSY|database is locked|could not serialize/i;

async function migrateWithRetry(orm: Orm, logger: Logger, attempts = 5): Promise<string[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return (await orm.getMigrator().up()).map((migration) => migration.name);
    } catch (error) {
      if (attempt >= attempts || !MIGRATION_COLLISION.test((error as Error).message)) throw error;
      logger.warn(
        { err: (error as Error).message, attempt },
        'migration collided with another process; retrying',
      );
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt + Math.random() * 200));
    }
  }
}

/**
 * A migration written with Knex's schema builder, so one migration serves SQLite and PostgreSQL.
 * Statements run inside the migration's transaction when there is one.
 */
export abstract class PortableMigration extends Migration {
  protected schema(): Knex.SchemaBuilder {
    return this.knex().schema;
  }

  /** Knex itself, for data changes a migration makes between its schema changes. */
  protected knex(): Knex {
    return (this.ctx as Knex.Transaction | undefined) ?? this.getKnex();
  }
}
