/**
 * MikroORM set-up shared by the subgraphs that own tables: SQLite by default (one file, as in
 * the system this replaces), PostgreSQL when `DATABASE_URL` says so. Each owner passes its own
 * entities and migrations, and keeps its own migrations table, so auth and math can share one
 * database without stepping on each other's history.
 */
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
import type { Logger } from './logger.js';

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
}

/** SQLite waits this long for another process's write lock instead of failing with SQLITE_BUSY. */
const SQLITE_BUSY_TIMEOUT_MS = 10_000;

interface Sqlite3Connection {
  run(sql: string, callback: (error: Error | null) => void): void;
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
            ],
            (error) => done(error, connection),
          ),
      },
    };
  }
  return {
    driver: PostgreSqlDriver as unknown as Options<AbstractSqlDriver>['driver'],
    clientUrl: target.url,
    pool: { min: 0, max: options.poolMax ?? 10 },
  };
}

/** Connects, brings the schema up to date with this owner's migrations, and returns the ORM. */
export async function openDatabase(options: DatabaseOptions): Promise<Orm> {
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
    const knex = (this.ctx as Knex.Transaction | undefined) ?? this.getKnex();
    return knex.schema;
  }
}
