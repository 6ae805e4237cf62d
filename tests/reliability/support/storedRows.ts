/**
 * What the services committed, read through a connection of the test's own (as an operator's
 * query would see it), on SQLite or PostgreSQL alike: request-log ids and usernames.
 */
import { UserSchema } from '@microservice-math/auth/entities/User';
import { authMigrations } from '@microservice-math/auth/migrations/index';
import { RequestLogSchema } from '@microservice-math/math/logs/RequestLog';
import { mathMigrations } from '@microservice-math/math/migrations/index';
import { databaseTarget, openDatabase, type Orm } from '@microservice-math/shared/database';
import { createLogger } from '@microservice-math/shared/logger';

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
