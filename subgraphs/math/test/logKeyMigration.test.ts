/**
 * The migration that moves the log's idempotency key to its own `log_key` column, applied to a
 * table that already holds keyed rows (a deployment upgraded while requests were retried): each
 * row keeps its key, so a retry of a request logged before the upgrade still answers with its
 * row. SQLite and PostgreSQL.
 */
import { databaseTarget, openDatabase, type Orm } from '@microservice-math/shared/database';
import { createEventBus } from '@microservice-math/shared/events';
import { afterAll, expect, it } from 'vitest';
import {
  describeOnDatabases,
  scratchDatabaseOn,
  type ScratchDatabase,
} from '../../../tests/support/postgres.js';
import { RequestLogSchema } from '../src/logs/RequestLog.js';
import { createLogWriter } from '../src/logs/logWriter.js';
import { mathMigrations } from '../src/migrations/index.js';
import { silentLogger } from './mathService.js';

const before = mathMigrations.findIndex(
  (migration) => migration.name === 'Migration20261215000100_request_log_key',
);

function open(databaseUrl: string, migrations = mathMigrations): Promise<Orm> {
  return openDatabase({
    target: databaseTarget(databaseUrl, 'unused.db'),
    entities: [RequestLogSchema],
    migrationsTable: 'math_migrations',
    migrations,
    logger: silentLogger(),
  });
}

const scratches: ScratchDatabase[] = [];
afterAll(async () => {
  for (const scratch of scratches) await scratch.drop();
});

describeOnDatabases('the log_key migration on $database', ({ database, skip }) => {
  it.skipIf(skip)('keeps the key of rows logged before it', async () => {
    const scratch = await scratchDatabaseOn(database);
    scratches.push(scratch);
    const { url } = scratch;
    expect(before).toBeGreaterThan(0);
    const old = await open(url, mathMigrations.slice(0, before));
    await old.em.getConnection().execute(
      `insert into request_log (id, user_id, username, operation, input, result_preview, digits,
         cached, duration_ms, status, created_at, request_id, response_key)
       values ('01900000-0000-7000-8000-000000000001', 'u1', 'u1', 'FACTORIAL', '{"n":5}', '120',
         3, ?, 1, 'ok', ?, 'request-before-upgrade', 'factorial')`,
      [false, new Date()],
    );
    await old.close();

    const orm = await open(url);
    const events = createEventBus(undefined, silentLogger());
    const writer = createLogWriter({ orm, events, logger: silentLogger() });
    try {
      const retried = await writer.write({
        userId: 'u1',
        username: 'u1',
        operation: 'FACTORIAL',
        input: '{"n":5}',
        resultPreview: '120',
        digits: 3,
        cached: true,
        durationMs: 1,
        status: 'ok',
        key: { requestId: 'request-before-upgrade', responseKey: 'factorial' },
      });
      expect(retried.id).toBe('01900000-0000-7000-8000-000000000001');
      const rows = await orm.em.fork().find(RequestLogSchema, {}, { disableIdentityMap: true });
      expect(rows.map((row) => [row.requestId, row.logKey])).toEqual([
        ['request-before-upgrade', 'request-before-upgrade'],
      ]);
    } finally {
      await writer.close();
      await events.close();
      await orm.close();
    }
  });
});
