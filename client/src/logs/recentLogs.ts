/**
 * The recent-logs list the table shows, and the ways it grows without a refetch: older pages
 * fetched by cursor ("Load more": `before` the oldest log shown, appended by the cache's merge
 * in apolloClient), a log pushed by the `logAdded` subscription and the log of a calculation
 * this tab just made. The last two meet in `addLog`, so a log that arrives twice (a resumed
 * feed replays some the list has) is listed once, in its place by time. The list and the live
 * feed include refused and cancelled requests (shown as such).
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

/** What orders logs: their time, then their id (UUIDv7), as math orders `recentLogs`. */
interface Ordered {
  id: string;
  createdAt?: unknown;
}

/** Negative when `a` is newer than `b` (comes first in the newest-first list). */
export function newestFirst(a: Ordered, b: Ordered): number {
  const byTime = Date.parse(String(b.createdAt)) - Date.parse(String(a.createdAt));
  if (byTime) return byTime;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/**
 * The list with `log` in it, newest first, each id once: a log already listed (a feed resumed
 * with `after:` replays some the list has; this tab's calculation also arrives live) replaces
 * its copy where it is (a refusal answered by a retry keeps its id and time); a new one goes in
 * its place by time, not always on top, since a log published late may be older than the newest
 * shown, which must stay first: the feed resumes after it. No log shown is ever removed: a list
 * that holds every log stays whole ("That is all of them" stays true), and one that does not
 * keeps its oldest log as the cursor of "Load more". So a log older than every one shown is
 * listed only when the list is `complete`; otherwise it belongs to a page not loaded yet, and
 * listing it would make "Load more" skip the logs between it and the oldest shown.
 */
export function addLog<T extends Ordered>(
  logs: readonly T[],
  log: T,
  { complete }: { complete: boolean },
): T[] {
  const listed = logs.findIndex((existing) => existing.id === log.id);
  if (listed >= 0) return logs.map((existing, i) => (i === listed ? log : existing));
  const place = logs.findIndex((existing) => newestFirst(log, existing) < 0);
  if (place < 0 && !complete && logs.length > 0) return [...logs];
  const at = place < 0 ? logs.length : place;
  return [...logs.slice(0, at), log, ...logs.slice(at)];
}

/** The newest log listed, whose id a resumed feed starts after; undefined for an empty list. */
export function newestLog<T extends Ordered>(logs: readonly T[]): T | undefined {
  return logs.reduce<T | undefined>(
    (newest, log) => (newest === undefined || newestFirst(log, newest) < 0 ? log : newest),
    undefined,
  );
}

/**
 * Lists `log` in the cached recent logs (see addLog), if the list has been fetched. This tab's
 * own calculation is newer than every log listed, so it goes first whether or not older pages
 * are loaded; a list shorter than a page is all of them.
 */
export function addLogToRecentLogs(cache: ApolloCache<unknown>, log: RecentLog): void {
  cache.updateQuery(
    { query: RecentLogsQuery, variables: { limit: RECENT_LOGS_LIMIT } },
    (data) =>
      data && {
        recentLogs: addLog(data.recentLogs, log, {
          complete: data.recentLogs.length < RECENT_LOGS_LIMIT,
        }),
      },
  );
}
