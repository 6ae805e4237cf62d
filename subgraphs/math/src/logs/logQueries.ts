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

/** A user's answered calculations, newest first (refused requests stay in the table for audit). */
export async function recentLogsOf(
  em: EntityManager,
  userId: string,
  limit: number,
): Promise<RequestLogRecord[]> {
  const rows = await em.find(
    RequestLogSchema,
    { userId, status: 'ok' },
    { orderBy: { createdAt: 'desc', id: 'desc' }, limit },
  );
  return rows.map(toRecord);
}
