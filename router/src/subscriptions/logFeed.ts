/**
 * One `logAdded` subscription's stream of events: live from the event bus, and caught up from the
 * database (through math's `recentLogs`, walked back with `before`) whenever live events may have
 * been missed: at the start when the client gives `after` (the last log it saw), and each time
 * the bus is back after an outage (from the last log delivered, or from the feed's start), an
 * outage during which the feed was opened included. Live events that arrive while a catch-up
 * is queued or runs wait until every catch-up queued before they arrived is done; within one
 * subscription every log is delivered once, by id, and in order within each source. A feed that
 * a catch-up after an outage finds more than MAX_CATCH_UP logs behind ends with an error saying
 * so (fellBehind); a catch-up that fails ends the feed at once, nothing held delivered ahead of
 * the failure and no catch-up queued behind it run.
 *
 * Events do not reach Redis in (createdAt, id) order: each math instance publishes a batch after
 * it commits, so a log may be published after a newer one from another instance. A client that
 * resumes after the newer one would never get it (it was published while the client was away,
 * and it is older than the cursor), so a catch-up also replays the caller's logs made within
 * LATE_PUBLISH_WINDOW_MS before its cursor: a resumed feed is at-least-once, and the client
 * drops the logs it already has by id.
 *
 * Written as an iterator, not an async generator: graphql-ws ends a subscription by calling
 * `return()`, which must settle at once even while the feed waits for its next event.
 */
import { badUserInput, codedError, ErrorCode } from '@microservice-math/shared/errors';
import type { EventBus } from '@microservice-math/shared/events';
import { listenToLogAdded, type LogAddedEvent } from '@microservice-math/shared/logAddedEvent';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { RouterContext } from '../context.js';
import { DeliveredLogs, type DeliveredBy } from './deliveredLogs.js';
import type { GatewayExecutor } from './logAddedResolver.js';

/**
 * Logs per page of one catch-up, and pages at most: a cursor with up to 1,000 of the caller's
 * logs newer than it is caught up from; one further back is refused, saying so (the client
 * refetches the list with `recentLogs` instead), so a catch-up's work stays bounded. A page is small enough to be a light operation: 20 × (1 + 4 for `input`) = 100, the
 * lowest ROUTER_HEAVY_OPERATION_COST the config accepts, so catch-ups never wait in the heavy
 * operations' line, where a hundred feeds resyncing at once after a Redis outage would be refused.
 */
const PAGE = 20;
const MAX_PAGES = 50;
/** What one catch-up page costs (logFeed.test.ts counts it against the supergraph). */
export const LOG_REPLAY_COST = 100;
/**
 * Logs a feed remembers at most to drop one seen twice (deliveredLogs.ts), however many the
 * caller makes within its horizon: as many as two catch-ups deliver.
 */
const REMEMBERED = 2 * PAGE * MAX_PAGES;

export const LOG_REPLAY_QUERY = `query LogReplay($before: ID) {
  recentLogs(limit: ${PAGE}, before: $before, includeRefused: true) {
    id operation input resultPreview digits cached durationMs createdAt status
  }
}`;

/**
 * How long before its cursor a catch-up replays logs, in case one of them was published after
 * the client had the cursor's log. A log's `createdAt` is taken when math queues its row; it is
 * published once its batch has committed: behind at most the batch in flight, then one INSERT
 * (tens of ms under load; the fault-injection probe saw logs arrive at most 41 ms out of order),
 * plus, when the commit fails, the writer's retries (backoff 100 + 200 + 400 + 800 ms = 1.5 s
 * over five attempts); then one pipelined PUBLISH, which either answers within the publisher's
 * 500 ms command timeout or is kept in the bus's backlog. About 2 s plus the attempts'
 * own time at worst; 5 s leaves room for a slow attempt and for the clocks of two math instances
 * disagreeing. Not covered: an event math keeps while Redis is unreachable from it (published
 * once Redis is back, however late), and a retried batch slower than that.
 */
export const LATE_PUBLISH_WINDOW_MS = 5_000;
/**
 * Logs of the window a catch-up replays at most (ten pages): bounded apart from MAX_CATCH_UP,
 * which counts only logs newer than the cursor, so the window never makes a valid cursor too
 * far back. A caller who made more than 200 logs in those 5 s gets the newest 200 of them, the
 * ones made closest before the cursor, which are the likeliest to be late.
 */
export const MAX_WINDOW_LOGS = 10 * PAGE;

/** Newer logs a catch-up delivers at most (README, live feed). */
export const MAX_CATCH_UP = PAGE * MAX_PAGES;

/** The log just older than `before`: is it the cursor, and is the cursor one of the caller's logs. */
const LOG_CURSOR_QUERY = `query LogCursor($before: ID!) {
  recentLogs(limit: 1, before: $before, includeRefused: true) { id status createdAt }
}`;

/**
 * A page of the refusals that a retry's answer replaced after the cursor was made: their ids
 * are older than it, so the walk back from the newest log never reaches them.
 */
export const LOG_ANSWERED_QUERY = `query LogAnswered($answeredAfter: ID!, $before: ID) {
  recentLogs(limit: ${PAGE}, before: $before, includeRefused: true, answeredAfter: $answeredAfter) {
    id operation input resultPreview digits cached durationMs createdAt status
  }
}`;

interface LogsAfter {
  /**
   * Oldest first: with `after`, the logs made within LATE_PUBLISH_WINDOW_MS before it (not it),
   * then those newer than it.
   */
  logs: LogAddedEvent[];
  /** The `after` log itself, as stored. */
  cursor?: { status: string; createdAt: string };
}

/**
 * The caller's logs newer than `after` (a log id), oldest first, after those of the window
 * before it (see `windowBefore`); without `after`, those created since `since`. Throws
 * BAD_USER_INPUT when `after` is not one of the caller's logs, and `tooFar` when more than
 * MAX_CATCH_UP of them are newer than `after` (or than `since`): the window's logs are not
 * counted.
 * Refused logs are read too, whatever the feed delivers: any of the caller's logs is a cursor,
 * as it is for `recentLogs(before:)`, and the feed drops those it does not deliver.
 */
async function logsAfter(
  execute: GatewayExecutor,
  context: RouterContext,
  after: string | undefined,
  since: string,
  tooFar: () => GraphQLError,
): Promise<LogsAfter> {
  const newestFirst: LogAddedEvent[] = [];
  let before: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const logs = await recentLogsPage(execute, LOG_REPLAY_QUERY, before ? { before } : {}, context);
    for (const [i, log] of logs.entries()) {
      if (after !== undefined && log['id'] === after) {
        const older = logs.slice(i + 1);
        const window = await windowBefore(execute, context, log, older, logs.length === PAGE);
        return { logs: [...window, ...newestFirst.reverse()], cursor: storedCursor(log) };
      }
      if (after === undefined && String(log['createdAt']) < since)
        return { logs: newestFirst.reverse() };
      newestFirst.push(toEvent(log, context));
    }
    if (logs.length < PAGE) {
      if (after === undefined) return { logs: newestFirst.reverse() };
      throw badUserInput('after', 'must be the id of one of your logs');
    }
    // Not in the newest page: before walking further back, one query asks whether the cursor is
    // the caller's at all, so that a made-up one costs two queries, not MAX_PAGES + 1.
    if (page === 0 && after !== undefined) await callersLog(execute, context, after);
    before = String(logs[logs.length - 1]?.['id']);
  }
  // MAX_CATCH_UP logs read and the cursor (one of the caller's) not among them: it is the next
  // one, or further back. Without a cursor: the next log is older than `since`, or there are
  // more than MAX_CATCH_UP to deliver (none is dropped unsaid).
  const next = await execute(LOG_CURSOR_QUERY, { before }, context);
  const error = next.errors?.[0];
  if (error) throw gatewayError(error);
  const [nextLog] = (next.data?.['recentLogs'] ?? []) as Array<Record<string, unknown>>;
  if (after === undefined) {
    if (nextLog && String(nextLog['createdAt']) >= since) throw tooFar();
    return { logs: newestFirst.reverse() };
  }
  if (nextLog?.['id'] === after) {
    const window = await windowBefore(execute, context, nextLog, [], true);
    return { logs: [...window, ...newestFirst.reverse()], cursor: storedCursor(nextLog) };
  }
  throw tooFar();
}

/** Throws BAD_USER_INPUT, as the feed words it, unless `after` is one of the caller's logs. */
async function callersLog(
  execute: GatewayExecutor,
  context: RouterContext,
  after: string,
): Promise<void> {
  const cursor = await execute(LOG_CURSOR_QUERY, { before: after }, context);
  const error = cursor.errors?.[0];
  if (error?.extensions?.['code'] === ErrorCode.BadUserInput)
    throw badUserInput('after', 'must be the id of one of your logs');
  if (error) throw gatewayError(error);
}

const storedCursor = (log: Record<string, unknown>) => ({
  status: String(log['status']),
  createdAt: String(log['createdAt']),
});

/**
 * The caller's logs made within LATE_PUBLISH_WINDOW_MS before `cursor` (a log read with its
 * `createdAt`), not the cursor itself, oldest first: `older` are the ones just older than it
 * already read, newest first, and `more` says whether further ones may follow them. At most
 * MAX_WINDOW_LOGS, the newest.
 */
async function windowBefore(
  execute: GatewayExecutor,
  context: RouterContext,
  cursor: Record<string, unknown>,
  older: Array<Record<string, unknown>>,
  more: boolean,
): Promise<LogAddedEvent[]> {
  const from = Date.parse(String(cursor['createdAt'])) - LATE_PUBLISH_WINDOW_MS;
  const newestFirst: LogAddedEvent[] = [];
  let page = older;
  let before = String(cursor['id']);
  for (;;) {
    for (const log of page) {
      if (newestFirst.length >= MAX_WINDOW_LOGS) return newestFirst.reverse();
      if (!(Date.parse(String(log['createdAt'])) >= from)) return newestFirst.reverse();
      newestFirst.push(toEvent(log, context));
      before = String(log['id']);
    }
    if (!more || newestFirst.length >= MAX_WINDOW_LOGS) return newestFirst.reverse();
    page = await recentLogsPage(execute, LOG_REPLAY_QUERY, { before }, context);
    more = page.length === PAGE;
  }
}

/** One page of `recentLogs` through the gateway, newest first; its first error thrown. */
async function recentLogsPage(
  execute: GatewayExecutor,
  query: string,
  variables: Record<string, unknown>,
  context: RouterContext,
): Promise<Array<Record<string, unknown>>> {
  const result = await execute(query, variables, context);
  const error = result.errors?.[0];
  if (error) throw gatewayError(error);
  return (result.data?.['recentLogs'] ?? []) as Array<Record<string, unknown>>;
}

/** A replayed log as its event: the columns the replay queries select; the owner is the caller. */
function toEvent(log: Record<string, unknown>, context: RouterContext): LogAddedEvent {
  return {
    ...(log as Omit<LogAddedEvent, 'userId' | 'username'>),
    id: String(log['id']),
    userId: context.caller?.id ?? '',
    username: context.caller?.username ?? '',
  };
}

/**
 * The caller's logs older than `after` whose refusal a retry's answer replaced (same id) after
 * `after` was made, oldest first: a client that took `after` as its cursor before that answer
 * has not seen it. (One that took it later gets the answered log again, under the id it has.)
 * Bounded as a catch-up is: more than MAX_CATCH_UP of them throws `tooFar`.
 */
async function answeredAfter(
  execute: GatewayExecutor,
  context: RouterContext,
  after: string,
  tooFar: () => GraphQLError,
): Promise<LogAddedEvent[]> {
  const newestFirst: LogAddedEvent[] = [];
  // From the newest: the cursor's own log may be one of them (the client's copy is then the
  // refusal). Those newer than the cursor come with the walk back (logsAfter) and are left out.
  let before: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const variables = before ? { answeredAfter: after, before } : { answeredAfter: after };
    const logs = await recentLogsPage(execute, LOG_ANSWERED_QUERY, variables, context);
    for (const log of logs) if (String(log['id']) <= after) newestFirst.push(toEvent(log, context));
    if (logs.length < PAGE) return newestFirst.reverse();
    before = String(logs[logs.length - 1]?.['id']);
  }
  throw tooFar();
}

/**
 * The gateway answers with formatted errors (plain objects): thrown as they are, graphql-js
 * would wrap one as "Unexpected error value" and its code would be lost to the client.
 */
export function gatewayError(error: GraphQLFormattedError): GraphQLError {
  return new GraphQLError(error.message, { extensions: error.extensions ?? {} });
}

/** The client's `after:` has more than MAX_CATCH_UP of its logs newer. */
function tooFarBack(): GraphQLError {
  return codedError(
    ErrorCode.BadUserInput,
    `after: is too far back: more than ${MAX_CATCH_UP.toLocaleString('en')} of your logs are newer; refetch them with recentLogs`,
    { argument: 'after', maxCatchUp: MAX_CATCH_UP },
  );
}

/**
 * An open feed missed more than MAX_CATCH_UP logs while live events were interrupted (Redis
 * away from the router): it ends with this. Not about any `after:` the client sent, so it names
 * none; BAD_USER_INPUT all the same, the code whose remedy is the one wanted here (the web app
 * refetches the list and subscribes again on it, as for a cursor too far back).
 */
export function fellBehind(): GraphQLError {
  return codedError(
    ErrorCode.BadUserInput,
    `The feed fell more than ${MAX_CATCH_UP.toLocaleString('en')} logs behind while live events were interrupted; refetch your logs with recentLogs and subscribe again`,
    { maxCatchUp: MAX_CATCH_UP },
  );
}

/**
 * `includeRefused`: refused and cancelled requests as well as answers (math publishes both).
 * A log is delivered once per status: a refusal later replaced by its retry's answer (math keeps
 * the row's id) is delivered again, answered.
 */
export async function openLogFeed(
  events: EventBus,
  execute: GatewayExecutor,
  context: RouterContext,
  after: string | undefined,
  includeRefused = false,
): Promise<AsyncIterableIterator<LogAddedEvent>> {
  const userId = context.caller?.id as string;
  const since = new Date().toISOString();
  const ready: LogAddedEvent[] = [];
  const delivered = new DeliveredLogs(LATE_PUBLISH_WINDOW_MS, REMEMBERED);
  let waiting: ((result: IteratorResult<LogAddedEvent>) => void) | undefined;
  let failed: ((error: unknown) => void) | undefined;
  let failure: unknown;
  let ended = false;
  let lastId = after;
  /** The bus's id of this feed's subscription, once Redis has confirmed it. */
  let subscription: number | undefined;
  /** Catch-ups run one after another (each reads `lastId` when it starts). */
  let catchUps: Promise<void> = Promise.resolve();
  /** Catch-ups queued so far, and how many of them have settled (they settle in turn). */
  let queued = 0;
  let settled = 0;
  /**
   * Live events heard while a catch-up was pending, in the order heard, each with the number of
   * catch-ups queued by then: it waits until all of those have settled. Not only until the one
   * running is done: an event heard after the bus came back again (a catch-up queued behind the
   * running one) may be newer than logs made while it was away, which only that later catch-up
   * reads, from `lastId`; delivered before, it would move `lastId` past them, further than the
   * window before the cursor reaches, and they would be missed. An event heard before that is
   * older than those logs (nothing is heard while the bus is away), so it is released as soon as
   * the catch-ups queued before it are done, and the next one resumes after it.
   */
  const held: Array<{ event: LogAddedEvent; until: number }> = [];

  function deliver(event: LogAddedEvent, by: DeliveredBy = 'live'): void {
    if (!includeRefused && event.status !== 'ok') return;
    // A feed without `after` starts now: a log made before it is no news, even when math
    // publishes it late (it holds events while Redis is away from it, and sends them when back).
    if (after === undefined && event.createdAt < since) return;
    if (ended || delivered.has(event.id, event.status)) return;
    delivered.remember(event.id, event.status, event.createdAt, by);
    // The newest log delivered is where a catch-up resumes: not an older one answered late.
    if (lastId === undefined || event.id > lastId) lastId = event.id;
    if (waiting) {
      const resolve = waiting;
      waiting = failed = undefined;
      resolve({ value: event, done: false });
    } else ready.push(event);
  }

  async function catchUp(from: string | undefined, tooFar: () => GraphQLError): Promise<void> {
    const { logs, cursor } = await logsAfter(execute, context, from, since, tooFar);
    // Older logs answered since the cursor was made first, then the window before the cursor
    // (the client has most of them: it drops them by id), then the newer ones.
    const answered = from === undefined ? [] : await answeredAfter(execute, context, from, tooFar);
    // The client has the cursor's log: a copy of it published late, or again by a retried
    // request, is not news. Remembered with its status, so a refusal that a retry later
    // answers (same id) still arrives, answered. Unless it was answered after it was made:
    // the client's copy may be the refusal, so the answer is delivered (maybe once more).
    const cursorAnswered = answered.some((log) => log.id === from);
    if (from !== undefined && cursor && !delivered.knows(from) && !cursorAnswered)
      delivered.remember(from, cursor.status, cursor.createdAt, 'catch-up');
    for (const log of [...answered, ...logs]) deliver(log, 'catch-up');
  }

  /** Delivers the held live events whose catch-ups have all settled, in the order heard. */
  function release(): void {
    for (let next = held[0]; next && next.until <= settled; next = held[0]) {
      held.shift();
      deliver(next.event);
    }
  }

  /**
   * Ends the feed with `error` at once, the first failure only: the pending `next()` rejects with
   * it, or the next one does. Nothing is delivered ahead of it (the live events held and those
   * ready are dropped; the client refetches), and nothing more is done: no catch-up queued or
   * asked for by a later reconnect runs, and the bus is no longer listened to.
   */
  function fail(error: unknown): void {
    if (ended) return;
    failure = error;
    const reject = failed;
    // Not resolved as done by `end()`: the client would see the feed complete, unsaid.
    waiting = failed = undefined;
    stop();
    reject?.(error);
  }

  /**
   * Queues a catch-up from where `from` says when its turn comes, unless the feed has ended by
   * then. Once it is done, the live events heard before the next one was queued are delivered
   * (see `held`); if it fails, the feed ends with its failure before anything else is (`fail`).
   */
  function queueCatchUp(from: () => string | undefined, tooFar: () => GraphQLError): Promise<void> {
    const turn = ++queued;
    const run = catchUps.then(async () => {
      if (ended) return;
      try {
        await catchUp(from(), tooFar);
      } catch (error) {
        fail(error);
        throw error;
      }
      settled = turn;
      release();
    });
    catchUps = run.catch(() => {});
    return run;
  }

  /**
   * Events published while the bus was away were lost: take them from the database, from the
   * newest log delivered (from `since` when none was). A feed more than MAX_CATCH_UP behind ends.
   * The newest delivered when its turn comes, not when the reconnect is heard: what an earlier
   * catch-up delivered meanwhile is not read twice, nor counted against MAX_CATCH_UP again (the
   * live events that could have moved it too far wait for this one: see `held`).
   */
  function resync(): void {
    // A failure has ended the feed already (queueCatchUp).
    queueCatchUp(() => lastId, fellBehind).catch(() => {});
  }

  // While Redis is away the subscription waits for it, and hears nothing published before it is
  // made: math sends the events it kept as soon as Redis answers it, which may be before this
  // router's connection is back. So a reconnect heard before the subscription is made, or a
  // subscription started while away, is followed by a catch-up once it is made.
  const awayAtStart = events.isAway();
  let reconnectedWhileSubscribing = false;
  const stopListening = events.onReconnect(() => {
    if (subscription === undefined) reconnectedWhileSubscribing = true;
    else resync();
  });
  const subscribed = listenToLogAdded(events, userId, (event) => {
    // A message Redis had already sent when the feed ended is nobody's.
    if (ended) return;
    if (settled < queued) held.push({ event, until: queued });
    else deliver(event);
  }).then((id) => {
    if (ended) return events.pubsub.unsubscribe(id);
    subscription = id;
    if (awayAtStart || reconnectedWhileSubscribing) resync();
  });

  /** Stops listening and drops what waits to be delivered: the feed is over. */
  function stop(): void {
    ended = true;
    stopListening();
    if (subscription !== undefined) events.pubsub.unsubscribe(subscription);
    held.length = 0;
    ready.length = 0;
  }

  function end(): IteratorResult<LogAddedEvent> {
    if (!ended) {
      stop();
      waiting?.({ value: undefined, done: true });
      waiting = failed = undefined;
    }
    return { value: undefined, done: true };
  }

  try {
    // With Redis away the database still answers: the feed starts at once, its replay after
    // `after` included, and goes live once Redis is back.
    if (awayAtStart) subscribed.catch(fail);
    else await subscribed;
    if (after !== undefined) await queueCatchUp(() => after, tooFarBack);
  } catch (error) {
    end();
    throw error;
  }

  const feed: AsyncIterableIterator<LogAddedEvent> = {
    next() {
      if (failure) {
        const error = failure;
        end();
        return Promise.reject(error);
      }
      const event = ready.shift();
      if (event) return Promise.resolve({ value: event, done: false });
      if (ended) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve, reject) => {
        waiting = resolve;
        failed = (error) => {
          end();
          reject(error);
        };
      });
    },
    return: () => Promise.resolve(end()),
    throw: (error: unknown) => {
      end();
      return Promise.reject(error);
    },
    [Symbol.asyncIterator]: () => feed,
  };
  return feed;
}
