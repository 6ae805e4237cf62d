/**
 * Writes request logs in batches (group commit): a write waits for the next flush, a flush
 * takes up to `maxBatch` rows in one multi-row INSERT and starts as soon as the previous one
 * ends, so an idle service commits at once and a busy one commits hundreds of rows per round
 * trip. A write resolves only after its row is committed, so an answered calculation is never
 * unlogged; then the batch's rows are published for the live feed, in one round trip. An `ok`
 * write whose request's signal aborts before that (a database that hangs) is abandoned: it
 * rejects at once with the refusal its caller is to get, so that the request is refused while its
 * caller still waits, and its row is stored and published with that refusal's code (see
 * WriteOptions).
 *
 * A write may carry an idempotency key (the router's request id and the field's response key):
 * the router retries a call whose connection failed before any answer, possibly on another
 * instance, and both attempts may compute and log. When the client sent an `Idempotency-Key`
 * (kept across its own attempts of one calculation, which a dead router makes it send again
 * through another router, under a new request id), the key is a digest of that key (already
 * scoped to the user by the router), the user and the calculation (operation and canonical
 * input) instead of the request id: every attempt of one calculation has one key, whatever
 * router it went through. A key reused for a different calculation therefore makes a row of
 * its own rather than answering with another calculation's row. The row of a key is stored once (INSERT …
 * ON CONFLICT DO NOTHING, in the batch's one statement); a second write of the key answers with
 * the stored row (same id), and publishes it again when its outcome is the stored one (the first
 * attempt may have died before publishing; routers drop copies by id). One exception keeps the
 * log truthful: an `ok` write replaces a stored refusal of its key (the attempt whose caller went
 * away logged `CANCELLED`, the retry answered), keeping the row's id and time, setting its
 * `answeredAt`, and is published then.
 */
import type { Orm } from '@microservice-math/shared/database';
import { databaseRefusal, databaseUnreachable } from '@microservice-math/shared/databaseErrors';
import { callerGone } from '@microservice-math/shared/cancellation';
import { codeOf, ErrorCode } from '@microservice-math/shared/errors';
import type { EventBus } from '@microservice-math/shared/events';
import { logAddedEvent } from '@microservice-math/shared/logAddedEvent';
import { throttledWarning, type Logger } from '@microservice-math/shared/logger';
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { v7 as uuidv7 } from 'uuid';
import { createLogInsert } from './logInsert.js';
import { LogWriteAbandonedError } from './logWriteAbandoned.js';
import {
  INPUT_COLUMN_LENGTH,
  LOG_KEY_LENGTH,
  REQUEST_ID_LENGTH,
  RESPONSE_KEY_LENGTH,
  RequestLogSchema,
  toRecord,
  type RequestLogEntity,
  type RequestLogRecord,
} from './RequestLog.js';

/** What identifies one calculation of one request, across the router's retries. */
export interface LogKey {
  /** The router's request id (one per operation, kept when it retries). */
  requestId: string;
  /** The field's response key: an operation may log several calculations. */
  responseKey: string;
  /**
   * The client's `Idempotency-Key` as the router scoped it to the caller (routerContext.ts);
   * when present it, not the request id, identifies the calculation across attempts.
   */
  idempotencyKey?: string | undefined;
}

export type NewRequestLog = Omit<RequestLogRecord, 'id' | 'createdAt'> & {
  /** Absent for writes outside a request: such rows are never deduplicated. */
  key?: LogKey | undefined;
};

export interface WriteOptions {
  /**
   * The request's signal (requestSignal). An `ok` write is abandoned when it aborts (math's
   * deadline, 250 ms short of the router's, or the caller gone) before the write's batch has
   * committed: the write rejects at once with LogWriteAbandonedError, whose `refusal` is what its
   * caller is told (databaseRefusal: SERVICE_UNAVAILABLE at the deadline, CANCELLED for a caller
   * gone), so that the request can still be refused in time (a database that hangs); the row is
   * stored and published with that refusal's code once the database answers, since no answer
   * reached anyone as a success, and a row says the code its caller was given. Its caller gone
   * (`callerGone`) by the time the row is written, without the signal having aborted, the row is
   * `CANCELLED` and the write resolves with it.
   */
  signal?: AbortSignal | undefined;
}

export interface LogWriter {
  /** Queues a log; resolves with the stored record once its batch has committed. */
  write(entry: NewRequestLog, options?: WriteOptions): Promise<RequestLogRecord>;
  /**
   * Resolves when everything queued so far is committed (or has failed for good) and its events
   * have been handed to the event bus.
   */
  flush(): Promise<void>;
  /** Refuses new writes and flushes the rest. */
  close(): Promise<void>;
  readonly queueDepth: number;
}

/** What the writer reports as it goes, for metrics. */
export interface LogWriterObserver {
  /** A batch of `rows` committed, `seconds` after its flush started (retries included). */
  flushed(rows: number, seconds: number): void;
  /** A batch failed for good; its writers were told. */
  flushFailed(rows: number): void;
  /** Rows of refused requests the spool wrote once the database was back. */
  spoolWritten?(rows: number): void;
  /** Rows of refused requests that could not be written at all (spool full, or shutdown). */
  spoolLost?(rows: number): void;
}

export interface LogWriterOptions {
  orm: Orm;
  events: EventBus;
  logger: Logger;
  observer?: LogWriterObserver;
  maxBatch?: number;
  /** Attempts per batch before its writers are told it failed. */
  attempts?: number;
  /** Refused requests' rows kept while the database is away (see `spool`). */
  spoolLimit?: number;
  /** How often the spool tries the database again. */
  spoolRetryMs?: number;
}

interface Pending {
  entity: RequestLogEntity;
  resolve: (record: RequestLogRecord) => void;
  reject: (error: Error) => void;
  signal?: AbortSignal | undefined;
  /** Its batch has committed: from then on its signal no longer abandons it. */
  committed?: boolean;
  /**
   * Rejected with LogWriteAbandonedError before its commit: the code of the refusal its caller
   * got (SERVICE_UNAVAILABLE or CANCELLED), which its row must say.
   */
  abandoned?: string;
}

/**
 * An `ok` write whose answer reaches no one as a success: abandoned before its commit (its
 * signal aborted, see WriteOptions), or its caller gone (asked through `callerGone`: its
 * connection closed unanswered, or its own deadline has passed).
 */
const callerLeft = (p: Pending) =>
  p.entity.status === 'ok' && (p.abandoned !== undefined || callerGone(p.signal));

/**
 * The status of the row of an `ok` write whose answer reached nobody: the code of the refusal its
 * caller got when it was abandoned, else (its caller gone) CANCELLED.
 */
const withdrawnStatus = (p: Pending): string => p.abandoned ?? ErrorCode.Cancelled;

/** The columns of a refused request's row, as the calculator logs one, `status` its code. */
function refusedColumns(status: string) {
  return {
    status,
    resultPreview: '',
    digits: 0,
    cached: false,
    // Not answered: an `ok` that had just replaced a refusal of its key had set it.
    answeredAt: null,
  };
}

/** What the caller of a write abandoned at math's deadline is told (see WriteOptions). */
const LATE_MESSAGE = 'The calculation could not be logged in time; try again shortly';

/**
 * The row that stands for a write, and whether this write stored it (then it is published), or
 * found it stored by an earlier attempt with the same outcome (then it is published again: that
 * attempt's process may have died between its commit and its publish, and routers drop a copy
 * of a log they delivered by its id and status).
 */
interface Stored {
  row: RequestLogEntity;
  stored: boolean;
  republish?: boolean;
}

/** The idempotency key as one string; undefined for a row that has none. */
function keyOf(row: RequestLogEntity): string | undefined {
  return row.logKey && row.responseKey ? `${row.logKey}\n${row.responseKey}` : undefined;
}

/** The columns a write decides; an `ok` write that replaces a refusal sets these. */
function outcomeColumns(row: RequestLogEntity) {
  const { input, resultPreview, digits, cached, durationMs, status } = row;
  return { input, resultPreview, digits, cached, durationMs, status };
}

/**
 * The log key of a client's `Idempotency-Key`: base64url SHA-256 of the user, the key and the
 * calculation (its full canonical input, not the column's cut copy), prefixed `k:` so that it can
 * never equal a request id (whose characters exclude `:`). 45 characters.
 */
function clientLogKey(
  idempotencyKey: string,
  { userId, operation, input }: Pick<NewRequestLog, 'userId' | 'operation' | 'input'>,
): string {
  // The router's key is already the user's; the user id here keeps a row key to one user even
  // so. NUL separates the parts: none of them contains one.
  const digest = createHash('sha256')
    .update(`${userId}\0${idempotencyKey}\0${operation}\0${input}`)
    .digest('base64url');
  return `k:${digest}`;
}

/**
 * A response key as stored: itself when it fits the column, else `h:` and its base64url SHA-256
 * (45 characters). GraphQL names have no length limit, and a cut one could collide with another
 * alias of the same operation; `:` is in no GraphQL name, so a digest never equals a real alias.
 */
function storedResponseKey(responseKey: string): string {
  return responseKey.length <= RESPONSE_KEY_LENGTH
    ? responseKey
    : `h:${createHash('sha256').update(responseKey).digest('base64url')}`;
}

/** A key with too long a part is left out: the columns are bounded, and a cut key could collide. */
function storedKey(entry: NewRequestLog) {
  const { key } = entry;
  const requestId = key && key.requestId.length <= REQUEST_ID_LENGTH ? key.requestId : null;
  const logKey = key?.idempotencyKey ? clientLogKey(key.idempotencyKey, entry) : requestId;
  return key && logKey && logKey.length <= LOG_KEY_LENGTH
    ? { requestId, logKey, responseKey: storedResponseKey(key.responseKey) }
    : { requestId, logKey: null, responseKey: null };
}

/** How often, at most, the writer says that writes were given up (see noteAbandoned). */
const ABANDONED_NOTE_MS = 5_000;

export function createLogWriter(options: LogWriterOptions): LogWriter {
  const { orm, events, logger, observer, maxBatch = 500, attempts = 5 } = options;
  const { spoolLimit = 10_000, spoolRetryMs = 1_000 } = options;
  /**
   * Rows of refused requests (status other than `ok`) whose batch failed for good, e.g. during a
   * database outage: the caller already has its refusal, and the audit trail should not lose it,
   * so they are written once the database answers again. Bounded; what does not fit, or is still
   * here when the writer closes, is counted (`spoolLost`) and logged. An `ok` row is never
   * spooled: its caller was given an error, and the refusal row that follows records that.
   */
  let spool: RequestLogEntity[] = [];
  let spoolTimer: NodeJS.Timeout | undefined;

  function toSpool(rows: RequestLogEntity[]): void {
    const room = Math.max(0, spoolLimit - spool.length);
    spool.push(...rows.slice(0, room));
    const lost = rows.length - Math.min(room, rows.length);
    if (lost > 0) {
      observer?.spoolLost?.(lost);
      logger.error({ rows: lost }, 'refused requests could not be logged: the spool is full');
    }
    spoolTimer ??= setTimeout(() => void retrySpool(), spoolRetryMs);
  }

  async function retrySpool(): Promise<void> {
    spoolTimer = undefined;
    while (spool.length > 0) {
      const rows = spool.slice(0, maxBatch);
      try {
        await store(rows);
      } catch {
        spoolTimer ??= setTimeout(() => void retrySpool(), spoolRetryMs);
        return;
      }
      spool = spool.slice(rows.length);
      observer?.spoolWritten?.(rows.length);
      logger.info({ rows: rows.length }, 'spooled request logs written');
    }
  }
  let queue: Pending[] = [];
  let running: Promise<void> | undefined;
  let pendingFlush: NodeJS.Immediate | undefined;
  let closed = false;
  /** Publishes of committed batches not yet answered by the event bus. */
  const publishing = new Set<Promise<void>>();

  /**
   * Writes given up before their commit, said to the operator: their callers were refused
   * (SERVICE_UNAVAILABLE or CANCELLED, client errors no error line reports), and many of them
   * mean a database that holds its commits. One line at most every ABANDONED_NOTE_MS, with how
   * many since the last, rather than one per request while it lasts.
   */
  const noteAbandoned = throttledWarning(
    logger,
    'request log writes given up before their commit: their callers were refused; is the database answering?',
    { countAs: 'abandoned', everyMs: ABANDONED_NOTE_MS },
  );

  // Inserting plain rows bypasses the unit of work and the identity map, so one fork serves
  // every batch.
  const em = orm.em.fork();
  const inserter = createLogInsert(orm, em);

  /**
   * Stores rows, one per idempotency key, and answers with the row that stands for each. One
   * statement (logInsert.ts) when no key was stored before (every write but a retried request's); a key seen
   * before costs a read, and an update when an `ok` write replaces a refusal.
   */
  async function store(rows: RequestLogEntity[]): Promise<Stored[]> {
    // Within the batch, one row per key goes to the database: an `ok` one if there is one.
    const leaders = new Map<string, RequestLogEntity>();
    for (const row of rows) {
      const key = keyOf(row);
      if (key === undefined) continue;
      const leader = leaders.get(key);
      if (!leader || (leader.status !== 'ok' && row.status === 'ok')) leaders.set(key, row);
    }
    const toInsert = rows.filter((row) => {
      const key = keyOf(row);
      return key === undefined || leaders.get(key) === row;
    });
    const inserted = await inserter.insert(toInsert);
    const insertedIds = new Set(inserted.map((row) => row.id));
    const outcomes = new Map<string, Stored>();
    const conflicting = [...leaders].filter(([, row]) => !insertedIds.has(row.id));
    for (const [key, outcome] of await resolveConflicts(conflicting.map(([, row]) => row)))
      outcomes.set(key, outcome);
    for (const [key, row] of leaders)
      if (!outcomes.has(key)) outcomes.set(key, { row, stored: true });
    return rows.map((row) => {
      const key = keyOf(row);
      if (key === undefined) return { row, stored: true };
      const outcome = outcomes.get(key) as Stored;
      // The other writes of a key the batch holds twice stand for nothing new.
      return leaders.get(key) === row ? outcome : { row: outcome.row, stored: false };
    });
  }

  /** Writes whose key was already stored: the stored row stands, unless `ok` replaces a refusal. */
  async function resolveConflicts(rows: RequestLogEntity[]): Promise<Map<string, Stored>> {
    const outcomes = new Map<string, Stored>();
    if (rows.length === 0) return outcomes;
    // A fork of its own: these reads must not land in the shared fork's identity map.
    const reader = em.fork();
    const keys = rows.map(({ logKey, responseKey }) => ({ logKey, responseKey }));
    const existing = await reader.find(
      RequestLogSchema,
      { $or: keys },
      { disableIdentityMap: true },
    );
    const byKey = new Map(existing.map((row) => [keyOf(row), row]));
    for (const row of rows) {
      const key = keyOf(row) as string;
      const found = byKey.get(key);
      if (!found) throw new Error('a conflicting request log row could not be read');
      // Our own row, committed by an earlier attempt of this batch whose answer was lost.
      if (found.id === row.id) outcomes.set(key, { row, stored: true });
      else if (found.status !== 'ok' && row.status === 'ok') {
        // Marked answered now: its id is older than logs made meanwhile, and a feed resuming
        // after one of those finds it by this time (recentLogs(answeredAfter:)).
        const answeredAt = new Date();
        const replaced = await reader.nativeUpdate(
          RequestLogSchema,
          { id: found.id, status: { $ne: 'ok' } },
          { ...outcomeColumns(row), answeredAt },
        );
        const now = replaced
          ? { ...row, id: found.id, createdAt: found.createdAt, answeredAt }
          : await reader.findOneOrFail(
              RequestLogSchema,
              { id: found.id },
              { disableIdentityMap: true },
            );
        outcomes.set(key, { row: now, stored: replaced > 0 });
      } else
        outcomes.set(key, { row: found, stored: false, republish: found.status === row.status });
    }
    return outcomes;
  }

  async function insert(batch: Pending[]): Promise<Stored[]> {
    const rows = batch.map((p) => p.entity);
    for (let attempt = 1; ; attempt++) {
      try {
        return await store(rows);
      } catch (error) {
        if (attempt >= attempts) throw error;
        logger.warn(
          { err: error, attempt, rows: batch.length },
          'request log flush failed; retrying',
        );
        await sleep(50 * 2 ** attempt);
      }
    }
  }

  /**
   * Events the bus is holding for Redis since the last batch it published whole; said once when
   * it starts and once when it ends, not for every batch (a 20 s outage under load was 1,137
   * warnings).
   */
  let heldSince: number | undefined;

  /** Never rejects: nothing awaits a batch's publish, and its rows are committed either way. */
  async function publish(records: RequestLogRecord[]): Promise<void> {
    let failed: number;
    try {
      failed = await events.publishAll(records.map(logAddedEvent));
    } catch (error) {
      logger.warn({ err: error }, 'could not publish log events');
      failed = records.length;
    }
    if (failed && heldSince === undefined) {
      heldSince = Date.now();
      logger.warn(
        { failed },
        'could not publish some log events yet; the event bus publishes them when Redis is back',
      );
    } else if (!failed && heldSince !== undefined) {
      logger.info({ heldForMs: Date.now() - heldSince }, 'publishing log events again');
      heldSince = undefined;
    }
  }

  /**
   * Rows this batch stored as `ok` whose callers left or were refused while it was in flight
   * take the code their callers got (withdrawnStatus) before anyone hears of them, one update
   * per code; if an update fails, its rows stay `ok` (an error line names them).
   */
  async function withdrawGone(batch: Pending[], stored: Stored[]): Promise<void> {
    const byStatus = new Map<string, Stored[]>();
    stored.forEach((s, i) => {
      const p = batch[i] as Pending;
      if (!s.stored || !callerLeft(p)) return;
      const status = withdrawnStatus(p);
      // Pushed, not spread into a new array per row: a batch of n such rows stays O(n).
      const group = byStatus.get(status);
      if (group) group.push(s);
      else byStatus.set(status, [s]);
    });
    for (const [status, gone] of byStatus) {
      const columns = refusedColumns(status);
      try {
        await em
          .fork()
          .nativeUpdate(
            RequestLogSchema,
            { id: { $in: gone.map(({ row }) => row.id) }, status: 'ok' },
            columns,
          );
        for (const s of gone) s.row = { ...s.row, ...columns };
      } catch (error) {
        // They stay `ok` and are published so, though no caller had them as a success.
        logger.error(
          { err: error, rows: gone.length, ids: gone.map((s) => s.row.id), status },
          'rows whose callers left or were refused could not be marked so: they stay ok',
        );
      }
    }
  }

  async function drain(): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(batch.length);
      // Callers gone while their rows waited (behind a batch the database held up).
      for (const p of batch)
        if (callerLeft(p)) p.entity = { ...p.entity, ...refusedColumns(withdrawnStatus(p)) };
      const started = performance.now();
      let stored: Stored[];
      try {
        stored = await insert(batch);
        // Committed: a signal aborting from now on finds its row `ok` and its write answered.
        for (const p of batch) p.committed = true;
        await withdrawGone(batch, stored);
      } catch (error) {
        // A database out of reach is the service unavailable for a while, which the caller may
        // try again after (a warning); anything else (a missing table, a full disk) is a fault
        // of ours (an error).
        const unreachable = databaseUnreachable(error);
        if (unreachable)
          logger.warn(
            { err: error, reason: unreachable, rows: batch.length },
            'request logs could not be written: the database is not reachable',
          );
        else logger.error({ err: error, rows: batch.length }, 'request logs could not be written');
        observer?.flushFailed(batch.length);
        const failure = unreachable
          ? databaseRefusal(
              'The calculation could not be logged: the database is not reachable; try again shortly',
            )
          : new Error('request log could not be written');
        for (const p of batch) p.reject(failure);
        // An abandoned write's caller was refused without a row of its own: its row is spooled,
        // with the code of that refusal, with the refusals.
        toSpool(
          batch
            .filter((p) => p.entity.status !== 'ok' || p.abandoned !== undefined)
            .map((p) =>
              p.abandoned !== undefined
                ? { ...p.entity, ...refusedColumns(withdrawnStatus(p)) }
                : p.entity,
            ),
        );
        continue;
      }
      const records = stored.map(({ row }) => toRecord(row));
      const ms = performance.now() - started;
      observer?.flushed(batch.length, ms / 1000);
      logger.debug({ rows: batch.length, ms }, 'request logs committed');
      batch.forEach((p, i) => p.resolve(records[i] as RequestLogRecord));
      // The next batch does not wait for Redis: publishes leave in commit order on one
      // connection (or synchronously in-process), so each user's events stay in order.
      // Rows this batch stored, refused ones too (subscribers that asked for them list them),
      // and rows a retry found stored with its outcome (see `Stored`).
      const fresh = records.filter((_record, i) => stored[i]?.stored || stored[i]?.republish);
      const published = publish(fresh).finally(() => publishing.delete(published));
      publishing.add(published);
    }
  }

  function startFlush(): Promise<void> {
    if (pendingFlush) {
      clearImmediate(pendingFlush);
      pendingFlush = undefined;
    }
    running ??= drain().finally(() => {
      running = undefined;
      // A write made after the drain's last look at the queue (a refused request logging its
      // refusal when its batch failed) saw `running` set and left its row to this drain.
      if (queue.length > 0) schedule();
    });
    return running;
  }

  function schedule(): void {
    if (running) return; // the running drain picks new rows up when its batch ends
    if (queue.length >= maxBatch) {
      void startFlush();
      return;
    }
    // Let the writes of this turn of the event loop join the batch: the flush starts once the
    // I/O callbacks of this turn have run. (It used to wait 1 ms for more; every request waits
    // for its batch, so that millisecond was added to each answer, and while a batch is in
    // flight later writes gather for the next one anyway.)
    pendingFlush ??= setImmediate(() => void startFlush());
  }

  return {
    write(entry, { signal } = {}) {
      if (closed) return Promise.reject(new Error('the log writer is closed'));
      return new Promise<RequestLogRecord>((resolve, reject) => {
        // Every column named, in one order: one object shape for every row (no spreads).
        const { requestId, logKey, responseKey } = storedKey(entry);
        const entity: RequestLogEntity = {
          id: uuidv7(),
          userId: entry.userId,
          username: entry.username,
          operation: entry.operation,
          input: entry.input.slice(0, INPUT_COLUMN_LENGTH),
          resultPreview: entry.resultPreview,
          digits: entry.digits,
          cached: entry.cached,
          durationMs: entry.durationMs,
          status: entry.status,
          createdAt: new Date(),
          requestId,
          logKey,
          responseKey,
          answeredAt: null,
        };
        const pending: Pending = { entity, resolve, reject, signal };
        if (signal && entity.status === 'ok') {
          const abandon = () => {
            if (pending.committed) return;
            // Its caller is told this refusal (calculator.ts), and its row says its code.
            const refusal = databaseRefusal(LATE_MESSAGE, signal);
            pending.abandoned = codeOf(refusal) ?? ErrorCode.Internal;
            noteAbandoned({ queued: queue.length, lastReason: String(signal.reason) });
            reject(new LogWriteAbandonedError(signal.reason, refusal));
          };
          if (signal.aborted) abandon();
          else {
            signal.addEventListener('abort', abandon, { once: true });
            const settled = () => signal.removeEventListener('abort', abandon);
            pending.resolve = (record) => (settled(), resolve(record));
            pending.reject = (error) => (settled(), reject(error));
          }
        }
        queue.push(pending);
        schedule();
      });
    },
    async flush() {
      while (queue.length > 0 || running) await startFlush();
      await Promise.all(publishing);
    },
    async close() {
      closed = true;
      await this.flush();
      clearTimeout(spoolTimer);
      await retrySpool();
      clearTimeout(spoolTimer);
      if (spool.length > 0) {
        observer?.spoolLost?.(spool.length);
        logger.error({ rows: spool.length }, 'refused requests could not be logged before exit');
        spool = [];
      }
      inserter.close();
    },
    get queueDepth() {
      return queue.length;
    },
  };
}
