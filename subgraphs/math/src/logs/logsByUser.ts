import type { EntityManager } from '@microservice-math/shared/database';
import DataLoader from 'dataloader';
import type { RequestLogRecord } from './RequestLog.js';
import type { LogQueries } from './logQueries.js';

export interface LogsRequest {
  userId: string;
  limit: number;
  /** Only logs older than this one (its id is its cursor); null for the newest. */
  before: string | null;
  /** Refused and cancelled calculations too. */
  includeRefused: boolean;
}

/** Requests that read the same rows, longest limit aside: same user, cursor and statuses. */
const listKey = ({ userId, before, includeRefused }: LogsRequest) =>
  `${userId}\n${before ?? ''}\n${includeRefused}`;

/**
 * `User.logs` for every parent of one request, one query per user and level: the router asks
 * for a list of logs' users' logs as one `_entities` call, and every one of those users is the
 * caller (only one's own logs can be read), so a hundred parents share one read of the
 * longest list, each sliced to its own limit.
 */
export function createLogsByUser(
  em: EntityManager,
  logQueries: LogQueries,
): DataLoader<LogsRequest, RequestLogRecord[], string> {
  return new DataLoader(
    async (requests) => {
      const longest = new Map<string, LogsRequest>();
      for (const request of requests) {
        const known = longest.get(listKey(request));
        if (!known || known.limit < request.limit) longest.set(listKey(request), request);
      }
      // A bad cursor fails only the requests that carry it, as a per-parent error.
      const lists = new Map(
        await Promise.all(
          [...longest].map(async ([key, { userId, limit, before, includeRefused }]) => {
            const read = logQueries
              .recentLogsOf(em, userId, limit, before, includeRefused)
              .catch((error: unknown) =>
                error instanceof Error ? error : new Error(String(error)),
              );
            return [key, await read] as const;
          }),
        ),
      );
      return requests.map((request) => {
        const list = lists.get(listKey(request)) ?? [];
        return list instanceof Error ? list : list.slice(0, request.limit);
      });
    },
    { cacheKeyFn: (request) => `${listKey(request)}\n${request.limit}` },
  );
}
