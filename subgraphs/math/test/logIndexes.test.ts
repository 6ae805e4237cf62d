/**
 * The log's indexes after every migration, SQLite and PostgreSQL: the `(user_id, answered_at)`
 * index is partial (only rows a retry answered have an `answered_at`), so a log row's commit
 * does not insert into it, and the resuming feed's query still reads through it.
 */
import type { Orm } from '@microservice-math/shared/database';
import { afterAll, describe, expect, it } from 'vitest';
import { scratchDatabaseOn, type ScratchDatabase } from '../../../tests/support/postgres.js';
import { openLogReader, silentLogger, testDatabaseUrl } from './mathService.js';

const INDEX = 'request_log_user_id_answered_at_index';
const scratches: ScratchDatabase[] = [];
const orms: Orm[] = [];
afterAll(async () => {
  for (const orm of orms) await orm.close(true);
  for (const scratch of scratches) await scratch.drop();
});

async function migrated(database: 'sqlite' | 'postgres'): Promise<Orm> {
  const scratch = await scratchDatabaseOn(database);
  scratches.push(scratch);
  const orm = await openLogReader(scratch.url, silentLogger());
  orms.push(orm);
  return orm;
}

describe('the request log indexes', () => {
  it('on SQLite: answered_at is indexed only where set, and the feed query reads it', async () => {
    const connection = (await migrated('sqlite')).em.getConnection();
    const [index] = await connection.execute<Array<{ sql: string }>>(
      `select sql from sqlite_master where type = 'index' and name = ?`,
      [INDEX],
    );
    expect(index?.sql).toMatch(/where answered_at is not null$/i);
    const plan = await connection.execute<Array<{ detail: string }>>(
      `explain query plan select * from request_log where user_id = ? and answered_at > ?`,
      ['u1', 0],
    );
    expect(plan.map((step) => step.detail).join('\n')).toContain(`USING INDEX ${INDEX}`);
  });

  it.skipIf(!testDatabaseUrl)('on PostgreSQL: answered_at is indexed only where set', async () => {
    const connection = (await migrated('postgres')).em.getConnection();
    const [index] = await connection.execute<Array<{ indexdef: string }>>(
      `select indexdef from pg_indexes where indexname = ?`,
      [INDEX],
    );
    expect(index?.indexdef).toMatch(/WHERE \(answered_at IS NOT NULL\)$/);
  });
});
