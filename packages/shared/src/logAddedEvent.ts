/**
 * The contract of `Subscription.logAdded` between its publisher and its server. Math owns the
 * field in the supergraph, but the router serves it: math publishes each answered calculation's
 * log on the event bus once its row is committed, and the router's graphql-ws and SSE servers
 * deliver it to the subscriber. The topic and the payload are defined here, once, for both.
 */
import type { BusEvent, EventBus } from './events.js';
import type { RequestLog } from './generated/mathTypes.js';

/**
 * A committed log row, whole, so a subscriber needs no extra read: the schema's `RequestLog`
 * (generated from schema/math.graphql) with its `user` as the key auth resolves, plus the
 * columns the API does not expose. It crosses Redis as JSON, so `createdAt` is ISO-8601 text.
 */
export type LogAddedEvent = Omit<RequestLog, '__typename' | 'user'> & {
  userId: string;
  username: string;
  /** `ok`; refused requests are logged but not published. */
  status: string;
};

/** One channel per user: a router only receives the events of users it has subscribers for. */
export const logAddedTopic = (userId: string) => `LOG_ADDED.${userId}`;

/** The bus event that announces a committed log to its owner's subscribers. */
export function logAddedEvent(log: LogAddedEvent): BusEvent {
  return { topic: logAddedTopic(log.userId), payload: log };
}

/**
 * Calls `listener` with each of one user's new logs, as the router's `logAdded` subscriptions
 * receive them; resolves to the id that `events.pubsub.unsubscribe` takes.
 */
export function listenToLogAdded(
  events: EventBus,
  userId: string,
  listener: (log: LogAddedEvent) => void,
): Promise<number> {
  return events.pubsub.subscribe(
    logAddedTopic(userId),
    (payload: unknown) => listener(payload as LogAddedEvent),
    {},
  );
}
