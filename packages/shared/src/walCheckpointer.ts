/**
 * Copies SQLite's write-ahead log back into the database file from a connection of its own, so
 * that no commit waits for it.
 *
 * By default SQLite checkpoints in the connection that commits, once the WAL holds 1,000 pages:
 * that commit's caller (a request waiting for its log row) waits for the copy and two fsyncs.
 * Measured on the development machine (4-row inserts, one after another): p99 9–11 ms with it,
 * 0.5 ms without. So every connection the ORM opens turns automatic checkpoints off
 * (`PRAGMA wal_autocheckpoint = 0`, database.ts) and this runs them instead, beside the writers:
 *
 * - A PASSIVE checkpoint every `intervalMs`. It takes no lock that writers or readers wait for,
 *   and copies what no reader still needs. In WAL mode with `synchronous = NORMAL` a commit is
 *   synced to disk only by a checkpoint, so the interval also bounds what a power loss can
 *   take: the commits of the last interval and of a checkpoint under way. (With the automatic
 *   checkpoint it was the commits since the WAL last reached 1,000 pages, however long ago.)
 * - A RESTART checkpoint once the WAL holds `restartAbovePages` pages. A checkpoint that runs
 *   beside a steady stream of commits never finds the whole WAL copied at the moment the next
 *   write begins, which is when SQLite starts the WAL over, so the file would grow without bound
 *   (1 GB in a 15,000-commit test). RESTART makes writers wait while it copies the little the
 *   last passive one left and until readers are done with the WAL; then the next writer starts
 *   it over. Its busy timeout is short: if it cannot finish, it copies what it can and is tried
 *   again at the next interval.
 *
 * One checkpointer per ORM connection, opened through that connection's own sqlite3 module (two
 * copies of SQLite in one process must never share a file: they do not see each other's POSIX
 * locks), and closed when that connection closes. Several processes on one file each run one; a
 * checkpoint that finds another under way reports busy and is left for the next interval.
 */
import type { Logger } from './logger.js';

export interface CheckpointSettings {
  /** Between the end of one checkpoint and the start of the next. */
  intervalMs: number;
  /** WAL size, in pages, above which the checkpoint also starts the WAL over. */
  restartAbovePages: number;
}

/** 1 s between checkpoints; a WAL of 16,384 pages is 64 MB at SQLite's default 4 KB page. */
export const DEFAULT_CHECKPOINTS: CheckpointSettings = {
  intervalMs: 1_000,
  restartAbovePages: 16_384,
};

/** How long a RESTART checkpoint waits for writers and readers before settling for less. */
const RESTART_BUSY_TIMEOUT_MS = 200;

/** A node-sqlite3 `Database`, as far as the checkpointer uses one. */
export interface SqliteDatabase {
  get(sql: string, callback: (error: Error | null, row: unknown) => void): void;
  run(sql: string, callback: (error: Error | null) => void): void;
  close(callback: (error: Error | null) => void): void;
  once(event: 'close', listener: () => void): void;
}

type SqliteDatabaseClass = new (
  path: string,
  callback: (error: Error | null) => void,
) => SqliteDatabase;

/** What `PRAGMA wal_checkpoint` answers: whether it was blocked, WAL pages, pages copied. */
interface CheckpointRow {
  busy: number;
  log: number;
  checkpointed: number;
}

export interface WalCheckpointer {
  /** Stops the timer, waits for a checkpoint under way and closes the connection. */
  close(): Promise<void>;
}

function get<Row>(db: SqliteDatabase, sql: string): Promise<Row> {
  return new Promise((resolve, reject) =>
    db.get(sql, (error, row) => (error ? reject(error) : resolve(row as Row))),
  );
}

function run(db: SqliteDatabase, sql: string): Promise<void> {
  return new Promise((resolve, reject) =>
    db.run(sql, (error) => (error ? reject(error) : resolve())),
  );
}

/**
 * Starts checkpointing `path` for as long as `owner` (an ORM connection) is open. The
 * checkpointer's connection is made by `owner`'s own class, hence by the same copy of SQLite.
 */
export function checkpointWhileOpen(
  owner: SqliteDatabase,
  path: string,
  settings: CheckpointSettings,
  logger: Logger,
): WalCheckpointer {
  const Database = owner.constructor as SqliteDatabaseClass;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> = Promise.resolve();
  let failing = false;

  const ready = new Promise<SqliteDatabase>((resolve, reject) => {
    const db = new Database(path, (error) => (error ? reject(error) : resolve(db)));
  }).then(async (db) => {
    await run(db, `PRAGMA busy_timeout = ${RESTART_BUSY_TIMEOUT_MS}`);
    return db;
  });

  async function checkpoint(db: SqliteDatabase): Promise<void> {
    const passive = await get<CheckpointRow>(db, 'PRAGMA wal_checkpoint(PASSIVE)');
    // log is -1 when the database is not in WAL mode (then there is nothing to do).
    if (passive.log >= settings.restartAbovePages) {
      const restart = await get<CheckpointRow>(db, 'PRAGMA wal_checkpoint(RESTART)');
      logger.debug({ pages: passive.log, busy: restart.busy }, 'WAL checkpointed and restarted');
    }
  }

  function schedule(): void {
    if (closed) return;
    timer = setTimeout(() => {
      current = ready
        .then(checkpoint)
        .then(
          () => {
            if (failing) logger.info('WAL checkpoints succeed again');
            failing = false;
          },
          (error: unknown) => {
            // Logged once per run of failures: a disk that stays full would say so every second.
            if (!failing) logger.warn({ err: error }, 'WAL checkpoint failed; retrying');
            failing = true;
          },
        )
        .finally(schedule);
    }, settings.intervalMs);
    // Never the reason a process stays up.
    timer.unref();
  }

  ready.then(schedule, (error: unknown) =>
    logger.error({ err: error }, 'WAL checkpointer could not open the database'),
  );

  const checkpointer: WalCheckpointer = {
    async close() {
      if (closed) return;
      closed = true;
      clearTimeout(timer);
      await current;
      const db = await ready.catch(() => undefined);
      if (db) await new Promise<void>((resolve) => db.close(() => resolve()));
    },
  };
  owner.once('close', () => void checkpointer.close());
  return checkpointer;
}
