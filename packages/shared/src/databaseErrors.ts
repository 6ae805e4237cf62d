/**
 * Whether an error says the database cannot be reached: not started, restarting, its name not
 * yet in DNS, the network between it and us cut; PostgreSQL's connection exceptions (SQLSTATE 08…)
 * and its shutting down or recovering (57P01–57P03). A starting service waits for such a database
 * (database.ts); a request that meets one is SERVICE_UNAVAILABLE for a while, not a fault of
 * ours. Anything else (a bad password, a missing table, a full disk) is not this. Kept apart
 * from database.ts so that a service without a database can ask without loading the ORM.
 *
 * Only errors that come from the database count, whatever other call a resolver made: a Redis or
 * HTTP call refused is not the database out of reach. How each is known:
 * - PostgreSQL's own errors (pg's DatabaseError, and MikroORM's DriverException, which copies its
 *   fields): a `severity` beside the SQLSTATE `code`.
 * - The client's and the pool's words, which nothing else here says: pg's "Connection terminated"
 *   (unexpectedly, or due to connection timeout) for a connection lost or never answered, and
 *   "Client has encountered a connection error" for a query sent on a connection it has lost (a
 *   pooled one cut while idle, handed out before the pool dropped it); knex's "Timeout acquiring
 *   a connection".
 * - A connection refused, reset, unrouted or not resolved: pg passes Node's socket error on as it
 *   is, through knex and MikroORM, shaped like any other client's (code, syscall, address, port).
 *   Those count only once marked as the database's (`fromTheDatabase`): database.ts marks what
 *   its pool's connection attempts fail with, and whatever opening the database throws. So does
 *   pg's "timeout expired", a connection attempt that got no answer within its time.
 */
import { stoppedBySignal } from './cancellation.js';
import type { GraphQLError } from 'graphql';
import { serviceUnavailable } from './errors.js';
import { throttledWarning, type Logger } from './logger.js';

const SOCKET_FAILURE =
  /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN)$/;
const SQLSTATE_UNREACHABLE = /^(08[0-9A-Z]{3}|57P0[123])$/;
/** What pg's connection attempt fails with once `connectionTimeoutMillis` passes. */
const CONNECT_TIMEOUT = 'timeout expired';
/** What knex puts between a failed query's SQL and the driver's message. */
const KNEX_QUERY_SEPARATOR = ' - ';
const DRIVER_WORDS =
  /^(Connection terminated\b|Client has encountered a connection error|Knex: Timeout acquiring a connection)/;

/**
 * The mark `fromTheDatabase` leaves on an error: an own property, not enumerable (logs do not
 * show it), because MikroORM's DriverException, which the entity manager's queries (`count`,
 * `find`, `flush`) reject with, is a new object made by copying the error's own properties: a
 * mark kept beside the error (a WeakSet) was lost in that copy, and a connection refused or
 * reset behind such a query was answered as an internal error.
 */
const FROM_THE_DATABASE = 'fromTheDatabase';

/** Marks `error` as the database client's own (a connection attempt that failed). */
export function fromTheDatabase(error: unknown): void {
  if (typeof error === 'object' && error !== null && !Object.isFrozen(error))
    Object.defineProperty(error, FROM_THE_DATABASE, { value: true, configurable: true });
}

function markedFromTheDatabase(error: object): boolean {
  return Object.getOwnPropertyDescriptor(error, FROM_THE_DATABASE)?.value === true;
}

/** Why `error` says the database cannot be reached (e.g. `ECONNREFUSED`), if it does. */
export function databaseUnreachable(error: unknown): string | undefined {
  // An error wrapping the database's (a migration's) says what its cause says.
  for (let depth = 0; depth < 5 && typeof error === 'object' && error !== null; depth++) {
    const why = ownReason(error);
    if (why) return why;
    error = (error as { cause?: unknown }).cause;
  }
  return undefined;
}

function ownReason(error: object): string | undefined {
  const { code, message, severity } = error as {
    code?: unknown;
    message?: unknown;
    severity?: unknown;
  };
  // pg's own connection timeout (connectionTimeoutMillis): a database that did not answer.
  if (markedFromTheDatabase(error) && message === CONNECT_TIMEOUT) return CONNECT_TIMEOUT;
  if (typeof code === 'string') {
    if (markedFromTheDatabase(error) && SOCKET_FAILURE.test(code)) return code;
    if (typeof severity === 'string' && SQLSTATE_UNREACHABLE.test(code)) return code;
  }
  // The driver's words are pg's client's own errors, which carry no severity: PostgreSQL's
  // errors do, and may repeat a value a caller sent ('invalid input syntax …: "… - Connection
  // terminated"').
  if (typeof message !== 'string' || typeof severity === 'string') return undefined;
  // A failed query's error (marked by knex's query-error) has its SQL, values included, before
  // pg's words and " - ": only the words after the last one are pg's, not text a caller sent.
  const separator = markedFromTheDatabase(error) ? message.lastIndexOf(KNEX_QUERY_SEPARATOR) : -1;
  const driverSaid =
    separator === -1 ? message : message.slice(separator + KNEX_QUERY_SEPARATOR.length);
  return DRIVER_WORDS.exec(driverSaid)?.[0];
}

/** The wait a caller is told to leave before trying again while the database is out of reach. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/** What a caller is told when the database held a query of its request past its deadline. */
export const DATABASE_LATE_MESSAGE = 'The database did not answer in time; try again shortly';

/**
 * What a caller is told when the database kept its request from an answer, `message` saying
 * what was not done: SERVICE_UNAVAILABLE with a wait of DATABASE_RETRY_AFTER_SECONDS (the
 * database out of reach, or holding a query past the service's deadline), which the caller may
 * try again after. A request given up on its signal (`givenUp`, the aborted signal) is that
 * only at the deadline the service keeps short of its caller's (DeadlinePassedError); any
 * other reason is the caller gone, CANCELLED, and no wait is told.
 */
export function databaseRefusal(message: string, givenUp?: AbortSignal): GraphQLError {
  return givenUp
    ? stoppedBySignal(givenUp, message, DATABASE_RETRY_AFTER_SECONDS)
    : serviceUnavailable(message, DATABASE_RETRY_AFTER_SECONDS);
}

/** How often, at most, a service says that it gave up database queries (see createAnsweredInTime). */
const GIVEN_UP_NOTE_MS = 5_000;

/**
 * `query`, given up when the request's `signal` aborts before the database answers (a database
 * that accepts connections and answers nothing), with databaseRefusal's answer: at the deadline
 * the service keeps short of its caller's it rejects SERVICE_UNAVAILABLE with a wait, while the
 * router still waits for an answer, instead of leaving the router to give up; otherwise (the
 * caller gone) CANCELLED. Only for a query that changes nothing: one given up may still be run by
 * the database later, and its outcome is then nobody's. A signal already aborted is left to the
 * caller, which checks it where it matters.
 */
export type AnsweredInTime = <T>(query: Promise<T>, signal: AbortSignal | undefined) => Promise<T>;

/**
 * AnsweredInTime for one service, whose `logger` hears of the queries it gives up: their callers'
 * refusals are client errors no error line reports, and many of them mean a database that holds
 * its queries. One warning at most every GIVEN_UP_NOTE_MS, with how many since the last and the
 * latest reason (a deadline, or a caller gone), as the math log writer says of its writes.
 */
export function createAnsweredInTime(logger: Logger): AnsweredInTime {
  const noteGivenUp = throttledWarning(
    logger,
    'database queries given up before the database answered: their callers were refused; is the database answering?',
    { countAs: 'givenUp', everyMs: GIVEN_UP_NOTE_MS },
  );
  return <T>(query: Promise<T>, signal: AbortSignal | undefined) => {
    if (!signal || signal.aborted) return query;
    return new Promise<T>((resolve, reject) => {
      const abandon = () => {
        query.catch(() => undefined); // a late failure of a query given up is nobody's
        noteGivenUp({ lastReason: String(signal.reason) });
        reject(databaseRefusal(DATABASE_LATE_MESSAGE, signal));
      };
      signal.addEventListener('abort', abandon, { once: true });
      // Not left to a later turn: a signal aborting once the query has answered gives up nothing.
      const settled = () => signal.removeEventListener('abort', abandon);
      void query.then(
        (value) => (settled(), resolve(value)),
        (error: unknown) => (settled(), reject(error)),
      );
    });
  };
}
