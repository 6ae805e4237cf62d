/**
 * Whether an error says the database cannot be reached: not started, restarting, its name not
 * yet in DNS, the network between it and us cut; PostgreSQL's connection exceptions (SQLSTATE 08…)
 * and its shutting down or recovering (57P01–57P03). A starting service waits for such a database
 * (database.ts); a request that meets one is SERVICE_UNAVAILABLE for a while, not a fault of
 * ours. Anything else (a bad password, a missing table, a full disk) is not this. Kept apart
 * from database.ts so that a service without a database can ask without loading the ORM.
 */
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
