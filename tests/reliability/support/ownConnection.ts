/**
 * A connection of the test's own to the services' database, as an operator's would be: reads
 * what they committed (request-log ids, usernames) and can hold their tables' locks for a while.
 * SQLite and PostgreSQL alike.
 */
import { UserSchema } from '@microservice-math/auth/entities/User';
import { authMigrations } from '@microservice-math/auth/migrations/index';
import { RequestLogSchema } from '@microservice-math/math/logs/RequestLog';
import { mathMigrations } from '@microservice-math/math/migrations/index';
import { databaseTarget, openDatabase, type Orm } from '@microservice-math/shared/database';
import { createLogger } from '@microservice-math/shared/logger';
import pg from 'pg';

const silent = createLogger('reader', { level: 'silent', pretty: false });

/** Opened as the table's owner would open it, so its migrations are already applied: no writes. */
function openAs(owner: 'auth' | 'math', databaseUrl: string): Promise<Orm> {
  return openDatabase({
    target: databaseTarget(databaseUrl, 'unused.db'),
    ...(owner === 'auth'
      ? { entities: [UserSchema], migrationsTable: 'auth_migrations', migrations: authMigrations }
      : {
          entities: [RequestLogSchema],
          migrationsTable: 'math_migrations',
          migrations: mathMigrations,
        }),
    logger: silent,
  });
}

async function column(
  owner: 'auth' | 'math',
  databaseUrl: string,
  sql: string,
  name: string,
): Promise<Set<string>> {
  const orm = await openAs(owner, databaseUrl);
  try {
    const rows = await orm.em.getConnection().execute<Array<Record<string, string>>>(sql);
    return new Set(rows.map((row) => row[name] as string));
  } finally {
    await orm.close();
  }
}

/** Ids of every committed request log. */
export const storedLogIds = (databaseUrl: string) =>
  column('math', databaseUrl, 'select id from request_log', 'id');

/** Usernames of every committed account. */
export const storedUsernames = (databaseUrl: string) =>
  column('auth', databaseUrl, 'select username from users', 'username');

export interface HeldLocks {
  /** Commits the holding transaction: the services' writes (and, on PostgreSQL, reads) go on. */
  release(): Promise<void>;
  /**
   * PostgreSQL: how many connections wait for the lock now, by application_name (which the
   * services set through their DATABASE_URL); nothing on SQLite.
   */
  waiting(): Promise<Record<string, number>>;
}

/**
 * Takes the locks a busy writer would hold. SQLite: the write lock of the file (BEGIN
 * IMMEDIATE), so auth's and math's writes wait while reads go on (WAL). PostgreSQL: both
 * services' tables in ACCESS EXCLUSIVE mode, so every query waits and each service's connection
 * pool fills with waiting connections.
 */
export async function holdLocks(databaseUrl: string): Promise<HeldLocks> {
  const target = databaseTarget(databaseUrl, 'unused.db');
  if (target.kind === 'sqlite') {
    // One connection per SQLite ORM, so the transaction and its commit share it.
    const orm = await openAs('math', databaseUrl);
    await orm.em.getConnection().execute('begin immediate');
    return {
      async release() {
        await orm.em.getConnection().execute('commit');
        await orm.close();
      },
      waiting: async () => ({}),
    };
  }
  const holder = new pg.Client({ connectionString: target.url });
  // pg_stat_activity is a snapshot per transaction: the holder itself would see it frozen.
  const observer = new pg.Client({ connectionString: target.url });
  await Promise.all([holder.connect(), observer.connect()]);
  await holder.query('begin');
  await holder.query('lock table users, request_log in access exclusive mode');
  return {
    async release() {
      await holder.query('commit');
      await Promise.all([holder.end(), observer.end()]);
    },
    async waiting() {
      const { rows } = await observer.query<{ application_name: string; count: string }>(
        `select application_name, count(*) from pg_stat_activity
          where datname = current_database() and wait_event_type = 'Lock'
          group by application_name`,
      );
      return Object.fromEntries(rows.map((row) => [row.application_name, Number(row.count)]));
    },
  };
}

/** `status` of every committed request log, as "STATUS" per row (e.g. "ok", "CANCELLED"). */
export async function storedLogStatuses(databaseUrl: string): Promise<string[]> {
  const orm = await openAs('math', databaseUrl);
  try {
    const rows = await orm.em
      .getConnection()
      .execute<Array<{ status: string }>>('select status from request_log');
    return rows.map((row) => row.status);
  } finally {
    await orm.close();
  }
}

export interface StoredLog {
  id: string;
  user_id: string;
  input: string;
  status: string;
  request_id: string | null;
}

/** Every committed request log of one user, oldest first. */
export async function storedLogsOf(databaseUrl: string, userId: string): Promise<StoredLog[]> {
  const orm = await openAs('math', databaseUrl);
  try {
    return await orm.em
      .getConnection()
      .execute<StoredLog[]>(
        'select id, user_id, input, status, request_id from request_log where user_id = ? order by id',
        [userId],
      );
  } finally {
    await orm.close();
  }
}
