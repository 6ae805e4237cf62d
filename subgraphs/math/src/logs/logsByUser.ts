import type { EntityManager } from '@microservice-math/shared/database';
import DataLoader from 'dataloader';
import type { RequestLogRecord } from './RequestLog.js';
import { recentLogsOf } from './logQueries.js';

export interface LogsRequest {
  userId: string;
  limit: number;
}

/**
 * `User.logs` for every parent of one request, one query per user and level: the router asks
 * for a list of logs' users' logs as one `_entities` call, and every one of those users is the
 * caller (only one's own logs can be read), so a hundred parents share one read of the
 * longest list, each sliced to its own limit.
 */
export function createLogsByUser(
  em: EntityManager,
): DataLoader<LogsRequest, RequestLogRecord[], string> {
  return new DataLoader(
    async (requests) => {
      const longest = new Map<string, number>();
      for (const { userId, limit } of requests)
        longest.set(userId, Math.max(limit, longest.get(userId) ?? 0));
      const lists = new Map(
        await Promise.all(
          [...longest].map(
            async ([userId, limit]) => [userId, await recentLogsOf(em, userId, limit)] as const,
          ),
        ),
      );
      return requests.map(({ userId, limit }) => (lists.get(userId) ?? []).slice(0, limit));
    },
    { cacheKeyFn: ({ userId, limit }) => `${userId}:${limit}` },
  );
}
