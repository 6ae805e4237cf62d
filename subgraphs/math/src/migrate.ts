/** Applies math's migrations to DATABASE_URL and exits. */
import { join } from 'node:path';
import { DEFAULT_DATABASE_FILE } from '@microservice-math/shared/database';
import { runMigrations } from '@microservice-math/shared/migrateCommand';
import { RequestLogSchema } from './logs/RequestLog.js';
import { mathMigrations } from './migrations/index.js';

await runMigrations(
  'math',
  { entities: [RequestLogSchema], migrations: mathMigrations, migrationsTable: 'math_migrations' },
  join('data', DEFAULT_DATABASE_FILE),
);
