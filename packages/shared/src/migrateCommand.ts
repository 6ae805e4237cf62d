/**
 * The body of each subgraph's `migrate` entry point: bring its own tables up to date and exit.
 * Run before rolling out a new version (`npm run migrate`, or the built `dist/migrate.js` in a
 * container); services also migrate at start-up, so this only makes the step explicit.
 */
import { ConfigError, databaseUrlSchema, env, loadConfig } from './config.js';
import { databaseTarget, describeTarget, openDatabase, type DatabaseOptions } from './database.js';
import { createLogger } from './logger.js';
import { z } from 'zod';

export async function runMigrations(
  owner: string,
  schema: Pick<DatabaseOptions, 'entities' | 'migrations' | 'migrationsTable'>,
  defaultSqlitePath: string,
): Promise<void> {
  try {
    const config = loadConfig(
      z.object({
        DATABASE_URL: databaseUrlSchema,
        NODE_ENV: env.nodeEnv(),
        LOG_LEVEL: env.logLevel('info'),
      }),
      process.env,
    );
    const logger = createLogger(`${owner}-migrate`, {
      level: config.LOG_LEVEL,
      pretty: config.NODE_ENV !== 'production',
    });
    const target = databaseTarget(config.DATABASE_URL, defaultSqlitePath);
    const orm = await openDatabase({ ...schema, target, logger });
    logger.info({ database: describeTarget(target) }, `${owner} tables are up to date`);
    await orm.close();
  } catch (error) {
    console.error(error instanceof ConfigError ? error.message : error);
    process.exitCode = 1;
  }
}
