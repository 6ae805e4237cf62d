/**
 * The recent-logs list the table shows, and the ways it grows without a refetch: older pages
 * fetched by cursor ("Load more": `before` the oldest log shown, appended by the cache's merge
 * in apolloClient), a log pushed by the `logAdded` subscription and the log of a calculation
 * this tab just made. The last two meet in `prependLog`, so a log that arrives twice is listed
 * once. The list and the live feed include refused and cancelled requests (shown as such).
 */
import type { ApolloCache } from '@apollo/client/core';
import { graphql } from '../gql';
import type { RecentLogsQuery as RecentLogsData } from '../gql/graphql';

/** One page of logs: the first one shown, and each "Load more". */
export const RECENT_LOGS_LIMIT = 20;

export const RecentLogsQuery = graphql(/* GraphQL */ `
  query RecentLogs($limit: Int!, $before: ID) {
    recentLogs(limit: $limit, before: $before, includeRefused: true) {
      id
      ...RequestLogRow_RequestLog
    }
  }
`);

export const LogAddedSubscription = graphql(/* GraphQL */ `
  subscription LogAdded($after: ID) {
    logAdded(after: $after, includeRefused: true) {
      id
      ...RequestLogRow_RequestLog
    }
  }
`);

export type RecentLog = RecentLogsData['recentLogs'][number];

/** `log` first, then the others without any copy of it: at most `limit`, or as many as were shown. */
export function prependLog<T extends { id: string }>(
  logs: readonly T[],
  log: T,
  limit: number,
): T[] {
  return [log, ...logs.filter((existing) => existing.id !== log.id)].slice(
    0,
    Math.max(limit, logs.length),
  );
}

/** Puts `log` at the top of the cached recent logs, if the list has been fetched. */
export function addLogToRecentLogs(cache: ApolloCache<unknown>, log: RecentLog): void {
  cache.updateQuery(
    { query: RecentLogsQuery, variables: { limit: RECENT_LOGS_LIMIT } },
    (data) => data && { recentLogs: prependLog(data.recentLogs, log, RECENT_LOGS_LIMIT) },
  );
}
