import type { EntityManager, Orm } from '@microservice-math/shared/database';
import { badUserInput } from '@microservice-math/shared/errors';
import { preparedSelect } from '@microservice-math/shared/preparedSelect';
import {
  RequestLogSchema,
  toRecord,
  type RequestLogEntity,
  type RequestLogRecord,
} from './RequestLog.js';

export const MAX_LOG_LIMIT = 100;

export function checkLimit(limit: number | null | undefined): number {
  const value = limit ?? 20;
  if (value < 1 || value > MAX_LOG_LIMIT)
    throw badUserInput('limit', `must be between 1 and ${MAX_LOG_LIMIT}`);
  return value;
}

/** Reads a user's logs, newest first (see `recentLogsOf`). */
export interface LogQueries {
  /**
   * A user's answered calculations, newest first, with `includeRefused` also the refused and
   * cancelled ones (kept for audit either way); with `before` (a log id: the cursor, which may
   * be a refused one's), only those older than that log, in the same order, so pages follow
   * each other with no gap and no repeat.
   */
  recentLogsOf(
    em: EntityManager,
    userId: string,
    limit: number,
    before?: string | null,
    includeRefused?: boolean,
    /**
     * A log id: only the logs whose refusal a retry's answer replaced after that log was made
     * (whatever their own age), in the same order and paged by `before` alike.
     */
    answeredAfter?: string | null,
  ): Promise<RequestLogRecord[]>;
  /** Lets go of prepared statements. */
  close(): void;
}

/** The select behind `recentLogs` and `User.logs`; `older` narrows it to a page after a cursor. */
function logsQuery(
  em: EntityManager,
  userId: string,
  limit: number,
  includeRefused: boolean,
  older: object = {},
) {
  return em
    .createQueryBuilder(RequestLogSchema)
    .select('*')
    .where({ userId, ...(includeRefused ? {} : { status: 'ok' }), ...older })
    .orderBy({ createdAt: 'desc', id: 'desc' })
    .limit(limit);
}

export function createLogQueries(orm: Orm): LogQueries {
  // The first page is by far the most read (the web app's list, `me { logs }`): on SQLite its two
  // selects, answered only or with refusals, are prepared once (see preparedSelect).
  const markers = ['\u0000userId', 1_000_000_007] as const;
  const prepared = ([false, true] as const).map((includeRefused) =>
    preparedSelect<readonly [string, number], RequestLogEntity>(orm, markers, ([userId, limit]) =>
      logsQuery(orm.em.fork(), userId, limit, includeRefused),
    ),
  );

  return {
    async recentLogsOf(em, userId, limit, before, includeRefused = false, answeredAfter) {
      const statement = prepared[includeRefused ? 1 : 0];
      const firstPage = before === undefined || before === null;
      const answeredOnly = answeredAfter !== undefined && answeredAfter !== null;
      if (firstPage && !answeredOnly && statement)
        return (await statement.all([userId, limit])).map(toRecord);
      const conditions: object[] = [];
      if (!firstPage) {
        const cursor = await logOf(em, userId, before, 'before');
        // (createdAt, id) after the cursor's in the newest-first order.
        conditions.push({
          $or: [
            { createdAt: { $lt: cursor.createdAt } },
            { createdAt: cursor.createdAt, id: { $lt: cursor.id } },
          ],
        });
      }
      if (answeredOnly) {
        const since = await logOf(em, userId, answeredAfter, 'answeredAfter');
        conditions.push({ answeredAt: { $gt: since.createdAt } });
      }
      const older = conditions.length > 0 ? { $and: conditions } : {};
      // Plain rows, not entities: a read-only list needs no identity map, change tracking or
      // hydration, which cost a costly operation's thousands of rows more than the query itself.
      const rows = await logsQuery(em, userId, limit, includeRefused, older).execute('all', true);
      return rows.map(toRecord);
    },
    close() {
      for (const statement of prepared) statement?.close();
    },
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The caller's log that a cursor argument names; throws BAD_USER_INPUT naming it otherwise. */
async function logOf(em: EntityManager, userId: string, id: string, argument: string) {
  const log = UUID.test(id)
    ? await em.findOne(RequestLogSchema, { id: id.toLowerCase(), userId })
    : null;
  if (!log) throw badUserInput(argument, 'must be the id of one of your logs');
  return log;
}
