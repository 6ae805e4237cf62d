/** Applies auth's migrations to DATABASE_URL and exits. */
import { join } from 'node:path';
import { DEFAULT_DATABASE_FILE } from '@microservice-math/shared/database';
import { runMigrations } from '@microservice-math/shared/migrateCommand';
import { UserSchema } from './entities/User.js';
import { authMigrations } from './migrations/index.js';

await runMigrations(
  'auth',
  { entities: [UserSchema], migrations: authMigrations, migrationsTable: 'auth_migrations' },
  join('data', DEFAULT_DATABASE_FILE),
);
