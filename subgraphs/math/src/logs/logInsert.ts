/**
 * The log writer's one statement: a batch of rows in one multi-row INSERT … ON CONFLICT DO
 * NOTHING RETURNING id, which answers with the ids it stored (a row whose idempotency key was
 * stored before is left out). One statement, committed on its own: SQLite and PostgreSQL apply a
 * statement whole or not at all, so a batch needs no explicit transaction (whose BEGIN and
 * COMMIT, two more round trips, cost several times the insert).
 *
 * Every answered calculation waits for this statement, so it skips the ORM: the statement for
 * each batch size up to `PREPARED_ROWS` is prepared once and run again with the batch's values
 * (`preparedStatements` on SQLite, `pgPreparedStatements` on PostgreSQL), which spares the query
 * builder's and knex's CPU, on SQLite one of the two trips through sqlite3's thread pool that a
 * fresh statement takes, and on PostgreSQL its parsing and planning.
 *
 * Durability is the database's (settings in shared/database.ts). SQLite runs in WAL mode with
 * `synchronous = NORMAL`: a commit is in the WAL file, in the operating system's page cache,
 * before its rows' answers leave, so it survives a crash of math; an operating-system crash or a
 * power loss may lose the commits since the last checkpoint's sync, at most about a second
 * (walCheckpointer.ts; the file stays consistent).
 * PostgreSQL's `synchronous_commit` is left on: a commit is flushed to disk before it returns.
 */
import {
  pgPreparedStatements,
  preparedStatements,
  type EntityManager,
  type Orm,
} from '@microservice-math/shared/database';
import { ReferenceKind } from '@mikro-orm/core';
import { RequestLogSchema, type RequestLogEntity } from './RequestLog.js';

export interface LogInsert {
  /** Inserts the rows; answers with the ids of those stored (not those whose key was taken). */
  insert(rows: RequestLogEntity[]): Promise<Array<{ id: string }>>;
  /** Lets go of prepared statements. */
  close(): void;
}

/**
 * Batch sizes whose statement is kept prepared: those a busy service commits again and again. A
 * larger batch (a backlog) prepares its statement for that once; its rows share the extra trip.
 */
const PREPARED_ROWS = 32;

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

export function createLogInsert(orm: Orm, em: EntityManager): LogInsert {
  const sqlite = preparedStatements(orm);
  const statements = sqlite ?? pgPreparedStatements(orm);
  if (!statements) throw new Error('the log insert runs on SQLite or PostgreSQL');
  // Columns from the entity's metadata, so a column added to it is inserted here too. Values
  // are bound as the ORM binds them: sqlite3 stores a Date as its milliseconds and a boolean as
  // 0/1; pg sends a Date as its instant (timestamptz) and a boolean as true/false.
  const meta = em.getMetadata().get<RequestLogEntity>(RequestLogSchema.meta.className);
  const props = meta.props.filter((p) => p.kind === ReferenceKind.SCALAR && p.persist !== false);
  const columns = props.map((p) => quote(p.fieldNames[0] as string));
  const names = props.map((p) => p.name as keyof RequestLogEntity);
  const field = (name: 'id' | 'logKey' | 'responseKey') =>
    quote(meta.properties[name].fieldNames[0] as string);
  /** The parameters of the row at `index`: `?` on SQLite, numbered on PostgreSQL. */
  const rowPlaceholders = (index: number) =>
    `(${columns.map((_, c) => (sqlite ? '?' : `$${index * columns.length + c + 1}`)).join(', ')})`;
  const sqlFor = (rows: number) =>
    `INSERT INTO ${quote(meta.tableName)} (${columns.join(', ')}) VALUES ` +
    Array.from({ length: rows }, (_, i) => rowPlaceholders(i)).join(', ') +
    ` ON CONFLICT (${field('logKey')}, ${field('responseKey')}) DO NOTHING RETURNING ${field('id')} AS "id"`;
  const sqlBySize = new Map<number, string>();

  return {
    insert(rows) {
      let sql = sqlBySize.get(rows.length);
      if (!sql) {
        sql = sqlFor(rows.length);
        if (rows.length <= PREPARED_ROWS) sqlBySize.set(rows.length, sql);
      }
      const params: unknown[] = [];
      for (const row of rows) for (const name of names) params.push(row[name] ?? null);
      return statements.all<{ id: string }>(sql, params, rows.length <= PREPARED_ROWS);
    },
    close: () => statements.close(),
  };
}
