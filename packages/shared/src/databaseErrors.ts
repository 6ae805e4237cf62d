/**
 * Whether an error says the database cannot be reached: not started, restarting, its name not
 * yet in DNS, the network between it and us cut; PostgreSQL's connection exceptions (SQLSTATE 08…)
 * and its shutting down or recovering (57P01–57P03). A starting service waits for such a database
 * (database.ts); a request that meets one is SERVICE_UNAVAILABLE for a while, not a fault of
 * ours. Anything else (a bad password, a missing table, a full disk) is not this. Kept apart
 * from database.ts so that a service without a database can ask without loading the ORM.
 */
import { DeadlinePassedError } from './cancellation.js';
import { cancelled, serviceUnavailable } from './errors.js';

const UNREACHABLE =
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|Connection terminated|the database system is (starting up|shutting down|not yet accepting connections|in recovery mode)|terminating connection due to administrator command|Timeout acquiring a connection|\b08[0-9A-Z]{3}\b|\b57P0[123]\b/i;

/** Why `error` says the database cannot be reached (e.g. `ECONNREFUSED`), if it does. */
export function databaseUnreachable(error: unknown): string | undefined {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  const text = `${typeof code === 'string' ? code : ''} ${typeof message === 'string' ? message : ''}`;
  return UNREACHABLE.exec(text)?.[0];
}

/** The wait a caller is told to leave before trying again while the database is out of reach. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/** What a caller is told when the database held a query of its request past its deadline. */
export const DATABASE_LATE_MESSAGE = 'The database did not answer in time; try again shortly';

/**
 * `query`, given up when the request's `signal` aborts before the database answers (a database
 * that accepts connections and answers nothing): at the deadline the service keeps short of its
 * caller's (DeadlinePassedError) it rejects SERVICE_UNAVAILABLE with a wait, while the router
 * still waits for an answer, instead of leaving the router to give up; otherwise (the caller
 * gone) CANCELLED. Only for a query that changes nothing: one given up may still be run by the
 * database later, and its outcome is then nobody's. A signal already aborted is left to the
 * caller, which checks it where it matters.
 */
export function answeredInTime<T>(query: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal || signal.aborted) return query;
  return new Promise<T>((resolve, reject) => {
    const abandon = () => {
      query.catch(() => undefined); // a late failure of a query given up is nobody's
      reject(
        signal.reason instanceof DeadlinePassedError
          ? serviceUnavailable(DATABASE_LATE_MESSAGE, DATABASE_RETRY_AFTER_SECONDS)
          : cancelled(),
      );
    };
    signal.addEventListener('abort', abandon, { once: true });
    void query.then(resolve, reject).finally(() => signal.removeEventListener('abort', abandon));
  });
}
