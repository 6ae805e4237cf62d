import type { EntityManager } from '@microservice-math/shared/database';
import { badUserInput } from '@microservice-math/shared/errors';
import { RequestLogSchema, toRecord, type RequestLogRecord } from './RequestLog.js';

export const MAX_LOG_LIMIT = 100;

export function checkLimit(limit: number | null | undefined): number {
  const value = limit ?? 20;
  if (value < 1 || value > MAX_LOG_LIMIT)
    throw badUserInput('limit', `must be between 1 and ${MAX_LOG_LIMIT}`);
  return value;
}

/**
 * A user's answered calculations, newest first, with `includeRefused` also the refused and
 * cancelled ones (kept for audit either way); with `before` (a log id: the cursor, which may be
 * a refused one's), only those older than that log, in the same order, so pages follow each
 * other with no gap and no repeat.
 */
export async function recentLogsOf(
  em: EntityManager,
  userId: string,
  limit: number,
  before?: string | null,
  includeRefused = false,
): Promise<RequestLogRecord[]> {
  let older = {};
  if (before !== undefined && before !== null) {
    const cursor = UUID.test(before)
      ? await em.findOne(RequestLogSchema, { id: before.toLowerCase(), userId })
      : null;
    if (!cursor) throw badUserInput('before', 'must be the id of one of your logs');
    // (createdAt, id) after the cursor's in the newest-first order.
    older = {
      $or: [
        { createdAt: { $lt: cursor.createdAt } },
        { createdAt: cursor.createdAt, id: { $lt: cursor.id } },
      ],
    };
  }
  // Plain rows, not entities: a read-only list needs no identity map, change tracking or
  // hydration, which cost a costly operation's thousands of rows more than the query itself.
  const rows = await em
    .createQueryBuilder(RequestLogSchema)
    .select('*')
    .where({ userId, ...(includeRefused ? {} : { status: 'ok' }), ...older })
    .orderBy({ createdAt: 'desc', id: 'desc' })
    .limit(limit)
    .execute('all', true);
  return rows.map(toRecord);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
