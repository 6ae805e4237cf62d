/**
 * SQLite's WAL is checkpointed beside the ORM's connection, not in its commits: automatic
 * checkpoints are off on that connection, committed rows reach the database file within the
 * checkpointer's interval, the WAL stays bounded under a steady stream of commits, and the
 * checkpointer closes with the ORM's connection.
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineEntity, p } from '@mikro-orm/core';
import sqlite3 from 'sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../../tests/support/waitFor.js';
import { databaseTarget, openDatabase, type Orm } from './database.js';
import { createLogger } from './logger.js';
import type { CheckpointSettings } from './walCheckpointer.js';

const Note = defineEntity({
  name: 'Note',
  tableName: 'notes',
  properties: { id: p.integer().primary().autoincrement(), text: p.text() },
});

const logger = createLogger('test', { level: 'silent', pretty: false });

/** Rows in the database file alone, as a copy without its WAL sees them. */
function rowsInMainFile(file: string, dir: string): Promise<number> {
  const copy = join(dir, `copy-${Math.random().toString(36).slice(2)}.db`);
  copyFileSync(file, copy);
  return new Promise((resolve, reject) => {
    const db = new sqlite3.Database(copy, sqlite3.OPEN_READONLY, (openError) => {
      if (openError) return reject(openError);
      db.get<{ n: number }>('SELECT count(*) AS n FROM notes', (error, row) =>
        db.close(() => (error ? reject(error) : resolve(row.n))),
      );
    });
  });
}

describe('WAL checkpoints', () => {
  let dir: string;
  let file: string;
  let orm: Orm | undefined;

  const open = async (checkpoints: CheckpointSettings) => {
    orm = await openDatabase({
      target: databaseTarget(`file:${file}`, 'unused.db'),
      entities: [Note],
      migrationsTable: 'test_migrations',
      migrations: [],
      logger,
      checkpoints,
    });
    await orm.schema.createSchema();
    return orm;
  };
  const insert = (db: Orm, text: string) =>
    db.em.getConnection().execute('INSERT INTO notes (text) VALUES (?)', [text], 'run');

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mm-wal-'));
    file = join(dir, 'test.db');
  });
  afterEach(async () => {
    await orm?.close();
    orm = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('are off in the commits of the ORM’s connection', async () => {
    const db = await open({ intervalMs: 60_000, restartAbovePages: 16_384 });
    expect(await db.em.getConnection().execute('PRAGMA wal_autocheckpoint')).toEqual([
      { wal_autocheckpoint: 0 },
    ]);
  });

  it('copy committed rows into the database file within the interval', async () => {
    // Far too few pages for SQLite's own checkpoint (1,000 pages): only the checkpointer's
    // interval brings them into the file.
    const db = await open({ intervalMs: 100, restartAbovePages: 16_384 });
    for (let i = 0; i < 20; i++) await insert(db, `note ${i}`);
    await waitFor(async () => expect(await rowsInMainFile(file, dir)).toBe(20));
  });

  it('keep the WAL bounded under a steady stream of commits', { timeout: 30_000 }, async () => {
    // 1,500 commits of about four pages each: some 6,000 pages of WAL if it never started
    // over, as it does not when only passive checkpoints run beside the writer. The file keeps
    // the largest extent it reached; how far the WAL gets between two restarts depends on how
    // often the checkpointer gets a core (about 1,000 pages idle, 2,000 on a machine at load 8),
    // so the bound is half of never starting over.
    const db = await open({ intervalMs: 5, restartAbovePages: 64 });
    const text = 'x'.repeat(3_000);
    for (let i = 0; i < 1_500; i++) await insert(db, text);
    const walPages = statSync(`${file}-wal`).size / 4_096;
    expect(walPages).toBeLessThan(3_000);
    await waitFor(async () => expect(await rowsInMainFile(file, dir)).toBe(1_500));
  });

  it('close with the ORM’s connection, so the last close removes the WAL', async () => {
    const db = await open({ intervalMs: 50, restartAbovePages: 16_384 });
    await insert(db, 'one');
    // Once it has checkpointed, the checkpointer's connection is one of the WAL's users.
    await waitFor(async () => expect(await rowsInMainFile(file, dir)).toBe(1));
    await insert(db, 'two');
    expect(existsSync(`${file}-wal`)).toBe(true);
    await db.close();
    orm = undefined;
    // SQLite checkpoints and deletes the WAL when its last connection closes; the
    // checkpointer's own connection would keep it if it stayed open.
    await waitFor(() => expect(existsSync(`${file}-wal`)).toBe(false));
    expect(await rowsInMainFile(file, dir)).toBe(2);
  });
});
