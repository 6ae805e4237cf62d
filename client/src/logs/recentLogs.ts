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

/**
 * Most rows live logs (the feed, this tab's calculations) grow the list to. Past it each new
 * log drops the oldest row: a tab left open would otherwise keep a row (and its cache entry)
 * per calculation for as long as it stays open, and render them all. Fifteen pages is more
 * than anyone reads on one screen; the rows dropped are still one "Load more" away. A list
 * made longer by "Load more" keeps its length: live logs do not take back pages asked for.
 */
export const MAX_LISTED_LOGS = 300;

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
 * shown, which must stay first: the feed resumes after it.
 *
 * The list shown is always every log newer than its oldest one, so that "Load more" (`before`
 * the oldest shown) neither skips nor repeats a log. Hence a log older than every one shown is
 * listed only when the list is `complete`; otherwise it belongs to a page not loaded yet, and
 * listing it would make "Load more" skip the logs between it and the oldest shown. And the only
 * rows ever removed are the oldest: when a new log takes the list past MAX_LISTED_LOGS (and past
 * its own length), its oldest row goes. The list is then no longer complete ("That is all of
 * them" is no longer true; see droppedOldest), and the new oldest row is the cursor of
 * "Load more", which brings the dropped rows back. A log older than every one shown never drops
 * one: it joins a complete list whatever its length (only logs published late are), so that
 * list stays whole.
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
  if (place < 0) return [...logs, log];
  const added = [...logs.slice(0, place), log, ...logs.slice(place)];
  return added.slice(0, Math.max(MAX_LISTED_LOGS, logs.length));
}

/**
 * True when `after`, the list that followed `before`, no longer lists `before`'s oldest log:
 * addLog dropped rows past MAX_LISTED_LOGS, or a first page replaced a longer list. Either way
 * the logs older than `after`'s oldest are not all shown, whatever was known of `before`.
 */
export function droppedOldest(before: readonly Ordered[], after: readonly Ordered[]): boolean {
  const oldest = before.at(-1);
  return oldest !== undefined && !after.some(({ id }) => id === oldest.id);
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
 * are loaded; a list shorter than a page is all of them. Past MAX_LISTED_LOGS it drops the
 * oldest row, which the list's component sees (droppedOldest): the list is then incomplete.
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
