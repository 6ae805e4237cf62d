/**
 * The log writer on its own, on SQLite and PostgreSQL: a batch is one multi-row INSERT with no
 * explicit transaction, so these check what that must still guarantee: a batch is stored whole
 * or not at all (each of its writes then fails and the failure is reported once), and the stored
 * columns are exactly what the writer answered with, in each database's own types.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CallerGoneError, DeadlinePassedError } from '@microservice-math/shared/cancellation';
import type { Orm } from '@microservice-math/shared/database';
import { createEventBus, type EventBus } from '@microservice-math/shared/events';
import { listenToLogAdded } from '@microservice-math/shared/logAddedEvent';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  createScratchDatabase,
  describeOnDatabases,
  scratchDatabaseBehindProxy,
  type ScratchDatabase,
} from '../../../tests/support/postgres.js';
import {
  createLogWriter,
  type LogWriterOptions,
  type NewRequestLog,
} from '../src/logs/logWriter.js';
import { LogWriteAbandonedError } from '../src/logs/logWriteAbandoned.js';
import { openLogReader, silentLogger, testDatabaseUrl } from './mathService.js';
import { waitFor } from '../../../tests/support/waitFor.js';

const entry = (userId: string, n: number): NewRequestLog => ({
  userId,
  username: "o'brien", // quoting survives the statement
  operation: 'FACTORIAL',
  input: `{"n":${n}}`,
  resultPreview: '2432902008176640000',
  digits: 19,
  cached: n % 2 === 0,
  durationMs: 0.123456789,
  status: 'ok',
});

describeOnDatabases('log writer on $database', ({ database, skip }) => {
  let orm: Orm;
  let events: EventBus;
  let scratch: ScratchDatabase | undefined;
  let dir: string | undefined;

  beforeAll(async () => {
    if (skip) return;
    let url: string;
    if (database === 'postgres') {
      scratch = await createScratchDatabase();
      url = scratch.url;
    } else {
      dir = mkdtempSync(join(tmpdir(), 'mm-log-writer-'));
      url = `file:${join(dir, 'logs.db')}`;
    }
    orm = await openLogReader(url, silentLogger());
    events = createEventBus(undefined, silentLogger());
  });
  afterAll(async () => {
    await events?.close();
    await orm?.close();
    await scratch?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const rawRows = (userId: string) =>
    orm.em
      .getConnection()
      .execute<Record<string, unknown>[]>(
        'select * from request_log where user_id = ? order by id',
        [userId],
      );

  it.skipIf(skip)('stores a batch whole or not at all, and fails each of its writes', async () => {
    const failures: number[] = [];
    const writer = createLogWriter({
      orm,
      events,
      logger: silentLogger(),
      attempts: 1,
      observer: { flushed: () => {}, flushFailed: (rows) => failures.push(rows) },
    });
    const userId = `atomic-${database}`;
    // Written in one turn of the event loop, so one batch; the second row breaks NOT NULL.
    const writes = [
      writer.write(entry(userId, 1)),
      writer.write({ ...entry(userId, 2), status: null as unknown as string }),
      writer.write(entry(userId, 3)),
    ];
    const settled = await Promise.allSettled(writes);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(failures).toEqual([3]);
    expect(await rawRows(userId)).toEqual([]);

    // The writer carries on with the next batch.
    await expect(writer.write(entry(userId, 4))).resolves.toMatchObject({ input: '{"n":4}' });
    expect(await rawRows(userId)).toHaveLength(1);
    await writer.close();
  });

  it.skipIf(skip)(
    'commits the next batch while the previous batch’s events are still being published',
    async () => {
      const held: Array<() => void> = [];
      const published: string[] = [];
      const slowBus: EventBus = {
        ...events,
        publishAll: (batch) =>
          new Promise((resolve) => {
            held.push(() => {
              published.push(...batch.map((e) => (e.payload as { input: string }).input));
              resolve(0);
            });
          }),
      };
      const writer = createLogWriter({ orm, events: slowBus, logger: silentLogger() });
      const userId = `publishing-${database}`;
      await writer.write(entry(userId, 1)); // committed; its event is held by the bus
      await writer.write(entry(userId, 2)); // a later batch does not wait for that event
      expect(await rawRows(userId)).toHaveLength(2);
      expect(held).toHaveLength(2);
      expect(published).toEqual([]);

      let flushed = false;
      const flushing = writer.flush().then(() => (flushed = true));
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(flushed).toBe(false); // flush() also waits for the events
      held.forEach((release) => release());
      await flushing;
      expect(published).toEqual(['{"n":1}', '{"n":2}']); // in commit order
      await writer.close();
    },
  );

  it.skipIf(skip)(
    'an event bus that throws is logged and the writer carries on: no unhandled rejection',
    async () => {
      const unhandled: unknown[] = [];
      const onUnhandled = (reason: unknown) => unhandled.push(reason);
      process.on('unhandledRejection', onUnhandled);
      const throwingBus: EventBus = {
        ...events,
        publishAll: () => Promise.reject(new Error('bus broken')),
      };
      const writer = createLogWriter({ orm, events: throwingBus, logger: silentLogger() });
      const userId = `throwing-bus-${database}`;
      try {
        await writer.write(entry(userId, 1));
        await writer.flush();
        await expect(writer.write(entry(userId, 2))).resolves.toMatchObject({ input: '{"n":2}' });
        await writer.flush();
        await new Promise((resolve) => setImmediate(resolve));
        expect(unhandled).toEqual([]);
        expect(await rawRows(userId)).toHaveLength(2);
      } finally {
        process.off('unhandledRejection', onUnhandled);
        await writer.close();
      }
    },
  );

  it.skipIf(skip)(
    'says once that events are held while Redis is away, and once that they go out again',
    async () => {
      const lines: Array<{ level: number; msg: string }> = [];
      const logger = pino(
        { level: 'info' },
        { write: (line: string) => lines.push(JSON.parse(line) as { level: number; msg: string }) },
      );
      let away = true;
      const bus: EventBus = {
        ...events,
        // As the bus answers while Redis is away: every event held for later.
        publishAll: (batch) => Promise.resolve(away ? batch.length : 0),
      };
      const writer = createLogWriter({ orm, events: bus, logger });
      const userId = `held-events-${database}`;
      try {
        for (let n = 1; n <= 5; n++) {
          await writer.write(entry(userId, n));
          await writer.flush();
        }
        away = false;
        await writer.write(entry(userId, 6));
        await writer.flush();
        await writer.write(entry(userId, 7));
        await writer.flush();
        const said = lines.filter((line) => /publish/.test(line.msg)).map((line) => line.msg);
        expect(said).toEqual([
          'could not publish some log events yet; the event bus publishes them when Redis is back',
          'publishing log events again',
        ]);
      } finally {
        await writer.close();
      }
    },
  );

  it.skipIf(skip)(
    'refused requests whose rows failed while the table was away are written once it is back',
    async () => {
      let written = 0;
      let lost = 0;
      const writer = createLogWriter({
        orm,
        events,
        logger: silentLogger(),
        attempts: 1,
        spoolRetryMs: 20,
        observer: {
          flushed: () => {},
          flushFailed: () => {},
          spoolWritten: (rows) => (written += rows),
          spoolLost: (rows) => (lost += rows),
        },
      });
      const userId = `spool-${database}`;
      const rename = (from: string, to: string) =>
        orm.em.getConnection().execute(`alter table ${from} rename to ${to}`);
      await rename('request_log', 'request_log_away');
      const refused = { ...entry(userId, 1), status: 'BAD_USER_INPUT' };
      try {
        const outcomes = await Promise.allSettled([
          writer.write(refused),
          writer.write({ ...refused, input: '{"n":2}' }),
          writer.write(entry(userId, 3)), // answered: its caller got an error, not spooled
        ]);
        expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected']);
      } finally {
        await rename('request_log_away', 'request_log');
      }
      await waitFor(() => expect(written).toBe(2));
      const rows = await rawRows(userId);
      expect(rows.map((row) => [row['input'], row['status']])).toEqual([
        ['{"n":1}', 'BAD_USER_INPUT'],
        ['{"n":2}', 'BAD_USER_INPUT'],
      ]);
      await writer.close();
      expect(lost).toBe(0);
    },
  );

  it.skipIf(skip)('stores exactly the record each write answered with', async () => {
    const writer = createLogWriter({ orm, events, logger: silentLogger() });
    const userId = `columns-${database}`;
    const records = await Promise.all([0, 1, 2].map((n) => writer.write(entry(userId, n))));
    await writer.close();

    const rows = await rawRows(userId);
    expect(rows).toHaveLength(3);
    for (const [i, row] of rows.entries()) {
      const record = records[i];
      expect(record).toMatchObject({ ...entry(userId, i), userId });
      // SQLite has no date or boolean type: MikroORM stores epoch milliseconds and 0/1.
      // PostgreSQL's timestamptz comes back as its text, e.g. "2026-11-26 10:26:29.662+00".
      const createdAt =
        database === 'sqlite'
          ? Number(row['created_at'])
          : Date.parse(String(row['created_at']).replace(' ', 'T').replace(/\+00$/, 'Z'));
      expect(row).toMatchObject({
        id: record?.id,
        user_id: userId,
        username: "o'brien",
        operation: 'FACTORIAL',
        input: `{"n":${i}}`,
        result_preview: '2432902008176640000',
        digits: 19,
        cached: database === 'sqlite' ? Number(i % 2 === 0) : i % 2 === 0,
        duration_ms: 0.123456789,
        status: 'ok',
      });
      if (database === 'sqlite') expect(typeof row['created_at']).toBe('number');
      expect(createdAt).toBe(Date.parse(record?.createdAt ?? ''));
    }
  });

  it.skipIf(skip)(
    'stores batches of every size, those kept prepared and a larger backlog',
    async () => {
      const writer = createLogWriter({ orm, events, logger: silentLogger() });
      const userId = `sizes-${database}`;
      // Each group is written in one turn of the event loop, so one batch each (a backlog of
      // 100 rows is more than the writer keeps a statement prepared for).
      let n = 0;
      for (const size of [1, 2, 1, 100, 2]) {
        const group = Array.from({ length: size }, () => writer.write(entry(userId, n++)));
        expect(new Set((await Promise.all(group)).map((record) => record.id)).size).toBe(size);
      }
      await writer.close();
      const rows = await rawRows(userId);
      expect(rows.map((row) => row['input']).sort()).toEqual(
        Array.from({ length: n }, (_, i) => `{"n":${i}}`).sort(),
      );
    },
  );

  // SQLite alone keeps prepared statements (logInsert.ts): registered for it only, not skipped.
  const sqliteOnly = database === 'sqlite' ? it.skipIf(skip) : () => undefined;
  sqliteOnly(
    'the database closes while a writer that was never closed holds prepared statements',
    async () => {
      const file = join(dir as string, 'unclosed.db');
      const own = await openLogReader(`file:${file}`, silentLogger());
      const writer = createLogWriter({ orm: own, events, logger: silentLogger() });
      await writer.write(entry('unclosed', 1));
      expect(existsSync(`${file}-wal`)).toBe(true);
      await own.close();
      // SQLite refuses to close a connection that has statements left, and the pool does not
      // say so; closed, the last connection checkpoints and removes the WAL file.
      expect(existsSync(`${file}-wal`)).toBe(false);
    },
  );

  // PostgreSQL keeps them as named statements of its connection (pgPreparedStatements).
  const postgresOnly = database === 'postgres' ? it.skipIf(skip) : () => undefined;
  postgresOnly(
    'inserts through a statement prepared once per batch size, and a larger backlog unnamed',
    async () => {
      // One connection, so the statements this session prepared are the writer's.
      const own = await openLogReader((scratch as ScratchDatabase).url, silentLogger(), 1);
      try {
        const writer = createLogWriter({ orm: own, events, logger: silentLogger() });
        let n = 0;
        for (const size of [2, 1, 2, 40]) {
          const group = Array.from({ length: size }, () => writer.write(entry('named', n++)));
          await Promise.all(group);
        }
        await writer.close();
        const prepared = await own.em
          .getConnection()
          .execute<Array<{ statement: string }>>(
            'select statement from pg_prepared_statements where statement like \'INSERT INTO "request_log"%\' order by prepare_time',
          );
        // One per batch size it keeps (2 and 1), each with that many rows of parameters.
        expect(prepared.map(({ statement }) => statement.match(/\(\$/g)?.length)).toEqual([2, 1]);
        expect(prepared[0]?.statement).toContain(
          'ON CONFLICT ("log_key", "response_key") DO NOTHING',
        );
        expect((await rawRows('named')).map((row) => row['input']).sort()).toEqual(
          Array.from({ length: n }, (_, i) => `{"n":${i}}`).sort(),
        );
      } finally {
        await own.close();
      }
    },
  );

  it.skipIf(skip)(
    'abandons an ok write whose signal aborts before its commit, and stores and publishes it with the code its caller was refused with',
    async () => {
      const userId = `gone-${database}`;
      const published: Array<[string, string]> = [];
      const subscription = await listenToLogAdded(events, userId, (log) =>
        published.push([log.input, log.status]),
      );
      const logger = silentLogger();
      const warned = vi.spyOn(logger, 'warn');
      const writer = createLogWriter({ orm, events, logger });
      // Their batch is with the database when the first's caller leaves (a router giving up on
      // a hung one) and the second's deadline passes.
      const inFlight = new AbortController();
      const first = writer.write(entry(userId, 1), { signal: inFlight.signal });
      const inFlightLate = new AbortController();
      const second = writer.write(entry(userId, 2), { signal: inFlightLate.signal });
      await new Promise((resolve) => setImmediate(resolve));
      inFlight.abort(new CallerGoneError());
      inFlightLate.abort(new DeadlinePassedError(1_000));
      // Queued behind that batch, its caller leaves before its own batch is sent.
      const queued = new AbortController();
      const third = writer.write(entry(userId, 3), { signal: queued.signal });
      queued.abort(new CallerGoneError());
      // Math's deadline, short of its caller's, passes before the commit: the caller is refused
      // in time (SERVICE_UNAVAILABLE), so its answer was no success either.
      const shortOfIt = new AbortController();
      const fourth = writer.write(entry(userId, 4), { signal: shortOfIt.signal });
      shortOfIt.abort(new DeadlinePassedError(1_000));
      const abandoned = Promise.allSettled([first, second, third, fourth]);
      // Its signal aborts once its batch has committed: the answer stands, and so does `ok`.
      const late = new AbortController();
      const fifth = writer.write(entry(userId, 5), { signal: late.signal });
      await writer.flush();
      late.abort(new DeadlinePassedError(1_000));
      const settled = [...(await abandoned), ...(await Promise.allSettled([fifth]))];
      const gone = 'CallerGoneError: the caller went away before the answer';
      const deadline = "DeadlinePassedError: the caller's deadline of 1000 ms passed";
      expect(
        settled.map((s) => {
          if (s.status === 'fulfilled') return s.value.status;
          const { name, reason, refusal } = s.reason as LogWriteAbandonedError;
          return [name, String(reason), refusal.extensions['code']];
        }),
      ).toEqual([
        ['LogWriteAbandonedError', gone, 'CANCELLED'],
        ['LogWriteAbandonedError', deadline, 'SERVICE_UNAVAILABLE'],
        ['LogWriteAbandonedError', gone, 'CANCELLED'],
        ['LogWriteAbandonedError', deadline, 'SERVICE_UNAVAILABLE'],
        'ok',
      ]);
      expect((settled[1] as PromiseRejectedResult).reason).toMatchObject({
        refusal: {
          message: 'The calculation could not be logged in time; try again shortly',
          extensions: { retryAfterSeconds: 5 },
        },
      });
      // Said to the operator once, not once per write (their refusals make no error line).
      const notes = warned.mock.calls.filter(([, message]) =>
        String(message).startsWith('request log writes given up'),
      );
      expect(notes.map(([fields]) => (fields as { abandoned: number }).abandoned)).toEqual([1]);
      await writer.close();
      events.pubsub.unsubscribe(subscription);
      const rows = await rawRows(userId);
      // Each row says what its caller was told.
      expect(
        rows.map((row) => [
          row['input'],
          row['status'],
          Number(row['digits']),
          row['result_preview'],
        ]),
      ).toEqual([
        ['{"n":1}', 'CANCELLED', 0, ''],
        ['{"n":2}', 'SERVICE_UNAVAILABLE', 0, ''],
        ['{"n":3}', 'CANCELLED', 0, ''],
        ['{"n":4}', 'SERVICE_UNAVAILABLE', 0, ''],
        ['{"n":5}', 'ok', 19, '2432902008176640000'],
      ]);
      expect(published).toEqual([
        ['{"n":1}', 'CANCELLED'],
        ['{"n":2}', 'SERVICE_UNAVAILABLE'],
        ['{"n":3}', 'CANCELLED'],
        ['{"n":4}', 'SERVICE_UNAVAILABLE'],
        ['{"n":5}', 'ok'],
      ]);
    },
  );

  describe('with idempotency keys', () => {
    /** A writer, and the ids of the events it published for `userId`. */
    async function keyedWriter(userId: string) {
      const published: string[] = [];
      const subscription = await listenToLogAdded(events, userId, (log) => published.push(log.id));
      const writer = createLogWriter({ orm, events, logger: silentLogger() });
      return {
        writer,
        /** Closes the writer (its publishes are done then) and lists what it published. */
        async published() {
          await writer.close();
          events.pubsub.unsubscribe(subscription);
          return published;
        },
      };
    }
    const keyed = (userId: string, status: string, requestId: string): NewRequestLog => ({
      ...entry(userId, 7),
      status,
      key: { requestId, responseKey: 'factorial' },
    });

    it.skipIf(skip)('stores one row for writes of one key in one batch, the ok one', async () => {
      const userId = `batch-key-${database}`;
      const { writer, published } = await keyedWriter(userId);
      const written = await Promise.all([
        writer.write(keyed(userId, 'CANCELLED', 'req-batch-1')),
        writer.write(keyed(userId, 'ok', 'req-batch-1')),
        writer.write(keyed(userId, 'ok', 'req-batch-1')),
      ]);
      expect(new Set(written.map((log) => log.id)).size).toBe(1);
      expect(written.map((log) => log.status)).toEqual(['ok', 'ok', 'ok']);
      expect(await published()).toEqual([written[0]?.id]);
      expect((await rawRows(userId)).map((row) => row['status'])).toEqual(['ok']);
    });

    it.skipIf(skip)(
      'publishes the stored row again when a retry finds it: its first publish may have died with its process',
      async () => {
        const userId = `republish-${database}`;
        // The first attempt commits, then its process dies before publishing: a bus that drops.
        const dying = createLogWriter({
          orm,
          events: { ...events, publishAll: () => Promise.resolve(0) },
          logger: silentLogger(),
        });
        const first = await dying.write(keyed(userId, 'ok', 'req-republish-1'));
        await dying.close();
        const { writer, published } = await keyedWriter(userId);
        const retried = await writer.write(keyed(userId, 'ok', 'req-republish-1'));
        expect(retried.id).toBe(first.id);
        expect(await published()).toEqual([first.id]);
        expect(await rawRows(userId)).toHaveLength(1);
      },
    );

    it.skipIf(skip)(
      "replaces a stored refusal with its key's answer, keeping its id and time",
      async () => {
        const userId = `replace-${database}`;
        const { writer, published } = await keyedWriter(userId);
        const refused = await writer.write(keyed(userId, 'CANCELLED', 'req-replace-1'));
        const answered = await writer.write(keyed(userId, 'ok', 'req-replace-1'));
        const late = await writer.write(keyed(userId, 'CANCELLED', 'req-replace-1'));
        expect(answered).toMatchObject({
          id: refused.id,
          createdAt: refused.createdAt,
          status: 'ok',
        });
        expect(late).toEqual(answered); // a refusal never replaces an answer
        // Published as refused, then again as answered; the late refusal is not published.
        expect(await published()).toEqual([refused.id, refused.id]);
        const rows = await rawRows(userId);
        expect(rows.map((row) => [row['id'], row['status']])).toEqual([[refused.id, 'ok']]);
        // Marked answered: a feed resuming after a newer log finds it so (recentLogs(answeredAfter:)).
        expect(rows[0]?.['answered_at']).not.toBeNull();
      },
    );
  });
});

/**
 * A log writer on a scratch PostgreSQL behind a proxy the test holds or cuts (silent unless
 * `options` say otherwise), and `close`, which releases and restores the proxy and ends it all.
 */
async function writerBehindProxy(options: Partial<Omit<LogWriterOptions, 'orm' | 'events'>> = {}) {
  const database = await scratchDatabaseBehindProxy();
  const orm = await openLogReader(database.url, silentLogger());
  const events = createEventBus(undefined, silentLogger());
  const writer = createLogWriter({ orm, events, logger: silentLogger(), ...options });
  return {
    proxy: database.proxy,
    orm,
    events,
    writer,
    async close() {
      database.proxy.release();
      database.proxy.restore();
      await writer.close();
      await events.close();
      await orm.close();
      await database.close();
    },
  };
}

describe.skipIf(!testDatabaseUrl)('log writer on a PostgreSQL that hangs', () => {
  it('rejects an ok write at its deadline while its batch is held, and stores and publishes it SERVICE_UNAVAILABLE, as its caller was told, once the database answers', async () => {
    const { proxy, orm, events, writer, close } = await writerBehindProxy();
    const userId = 'hung-abandoned';
    const published: Array<[string, string]> = [];
    const subscription = await listenToLogAdded(events, userId, (log) =>
      published.push([log.input, log.status]),
    );
    try {
      await writer.write(entry(userId, 1)); // the connection is open and the statement known
      proxy.hold();
      const deadline = new AbortController();
      const write = writer.write(entry(userId, 2), { signal: deadline.signal });
      const outcome = write.then(
        () => 'committed',
        (error: unknown) => error,
      );
      // Its batch is with the database: sent, and held by the proxy.
      await waitFor(() => expect(proxy.heldChunks).toBeGreaterThan(0));
      expect(writer.queueDepth).toBe(0);
      const abortedAt = performance.now();
      deadline.abort(new DeadlinePassedError(1_000));
      const error = await outcome;
      const rejectedAfterMs = performance.now() - abortedAt;
      expect(error).toBeInstanceOf(LogWriteAbandonedError);
      expect((error as LogWriteAbandonedError).reason).toBeInstanceOf(DeadlinePassedError);
      expect((error as LogWriteAbandonedError).refusal.extensions['code']).toBe(
        'SERVICE_UNAVAILABLE',
      );
      expect(rejectedAfterMs).toBeLessThan(50);
      proxy.release();
      await writer.flush();
      const rows = await orm.em
        .getConnection()
        .execute<Record<string, unknown>[]>(
          'select input, status, digits, result_preview from request_log where user_id = ? order by id',
          [userId],
        );
      expect(rows.map((row) => [row['input'], row['status'], Number(row['digits'])])).toEqual([
        ['{"n":1}', 'ok', 19],
        ['{"n":2}', 'SERVICE_UNAVAILABLE', 0],
      ]);
      expect(published).toEqual([
        ['{"n":1}', 'ok'],
        ['{"n":2}', 'SERVICE_UNAVAILABLE'],
      ]);
    } finally {
      events.pubsub.unsubscribe(subscription);
      await close();
    }
  }, 30_000);

  it('refuses a write whose batch meets the database out of reach SERVICE_UNAVAILABLE, and says so in a warning, not an error line', async () => {
    const lines: Array<{ level: number; msg: string; reason?: string }> = [];
    const logger = pino(
      { level: 'debug' },
      { write: (line: string) => lines.push(JSON.parse(line) as (typeof lines)[number]) },
    );
    const { proxy, writer, close } = await writerBehindProxy({ logger, attempts: 1 });
    try {
      await writer.write(entry('unreachable', 1));
      proxy.cut();
      await expect(writer.write(entry('unreachable', 2))).rejects.toMatchObject({
        extensions: { code: 'SERVICE_UNAVAILABLE' },
      });
      expect(lines.filter((line) => line.level >= 50)).toEqual([]);
      expect(lines.filter((line) => line.level === 40)).toContainEqual(
        expect.objectContaining({
          msg: 'request logs could not be written: the database is not reachable',
          reason: expect.any(String),
        }),
      );
    } finally {
      await close();
    }
  }, 30_000);

  it('spools an abandoned write with the code its caller was refused with when its held batch then fails', async () => {
    const userId = 'hung-spooled';
    let spooled = 0;
    const { proxy, orm, writer, close } = await writerBehindProxy({
      attempts: 1,
      spoolRetryMs: 50,
      observer: {
        flushed: () => {},
        flushFailed: () => {},
        spoolWritten: (rows) => (spooled += rows),
      },
    });
    try {
      await writer.write(entry(userId, 1));
      proxy.hold();
      const deadline = new AbortController();
      const write = writer.write(entry(userId, 2), { signal: deadline.signal });
      await waitFor(() => expect(proxy.heldChunks).toBeGreaterThan(0));
      deadline.abort(new DeadlinePassedError(1_000));
      await expect(write).rejects.toBeInstanceOf(LogWriteAbandonedError);
      // The connection is lost with the batch on it; the database is reachable again after.
      proxy.cut();
      proxy.release();
      proxy.restore();
      await waitFor(() => expect(spooled).toBe(1));
      const rows = await orm.em
        .getConnection()
        .execute<Record<string, unknown>[]>(
          'select input, status from request_log where user_id = ? order by id',
          [userId],
        );
      expect(rows.map((row) => [row['input'], row['status']])).toEqual([
        ['{"n":1}', 'ok'],
        ['{"n":2}', 'SERVICE_UNAVAILABLE'],
      ]);
    } finally {
      await close();
    }
  }, 30_000);
});
