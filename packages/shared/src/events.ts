/**
 * The log-event bus between math (publisher) and the router (subscriber); what travels on it is
 * defined in logAddedEvent.ts. With `REDIS_URL` it is
 * graphql-redis-subscriptions' RedisPubSub, so any math instance reaches any router instance;
 * without it an in-process PubSub, which only works when everything runs in one process.
 */
import { EventEmitter } from 'node:events';
import { RedisPubSub } from 'graphql-redis-subscriptions';
import { PubSub, type PubSubEngine } from 'graphql-subscriptions';
import type { Logger } from './logger.js';
import { closeRedis, createRedis } from './redis.js';

export interface BusEvent {
  topic: string;
  payload: unknown;
}

export interface EventBus {
  readonly pubsub: PubSubEngine;
  /** True when events cross process boundaries (Redis). */
  readonly distributed: boolean;
  /**
   * Publishes the events in order, as `pubsub.publish` would one by one (same channels, same
   * payloads), but through Redis in one round trip. Resolves with how many were not published;
   * never rejects.
   */
  publishAll(events: readonly BusEvent[]): Promise<number>;
  /**
   * Calls `listener` each time the bus is back after an outage (its subscriptions renewed):
   * events published meanwhile were lost, so a subscriber catches up from the database.
   * Returns the function that removes the listener.
   */
  onReconnect(listener: () => void): () => void;
  close(): Promise<void>;
}

/** How many of the publishes failed. */
async function countFailures(publishes: Promise<unknown>[]): Promise<number> {
  const settled = await Promise.allSettled(publishes);
  return settled.filter((s) => s.status === 'rejected').length;
}

export function createEventBus(redisUrl: string | undefined, logger: Logger): EventBus {
  if (!redisUrl) {
    // One listener per open subscription on a user's channel: a user with more than ten tabs
    // open is normal, not the leak Node's default limit of 10 listeners warns about.
    const pubsub = new PubSub({ eventEmitter: new EventEmitter().setMaxListeners(0) });
    return {
      pubsub,
      distributed: false,
      publishAll: (events) => countFailures(events.map((e) => pubsub.publish(e.topic, e.payload))),
      onReconnect: () => () => {}, // in-process: never away
      close: async () => {},
    };
  }
  // A connection in subscriber mode can only (un)subscribe, so publishing needs a second one.
  const publisher = createRedis(redisUrl, logger.child({ redis: 'publisher' }));
  // The subscriber queues (re)subscriptions while Redis is away instead of failing them, and
  // ioredis re-subscribes every channel by itself once the connection is back.
  const subscriber = createRedis(redisUrl, logger.child({ redis: 'subscriber' }), {
    enableOfflineQueue: true,
    commandTimeout: undefined,
    maxRetriesPerRequest: null,
  });
  const pubsub = new RedisPubSub({ publisher, subscriber });
  const reconnected = new EventEmitter().setMaxListeners(0);
  let away = false;
  subscriber.on('close', () => (away = true));
  // ioredis sends the renewed SUBSCRIBEs before it says ready.
  subscriber.on('ready', () => {
    if (!away) return;
    away = false;
    reconnected.emit('back');
  });
  return {
    pubsub,
    distributed: true,
    async publishAll(events) {
      if (events.length === 0) return 0;
      // RedisPubSub.publish sends PUBLISH topic JSON.stringify(payload) on the publisher; a
      // pipeline sends the same commands in one write and reads the replies in one go.
      const pipeline = publisher.pipeline();
      for (const e of events) pipeline.publish(e.topic, JSON.stringify(e.payload));
      try {
        const replies = (await pipeline.exec()) ?? [];
        return events.length - replies.filter(([error]) => !error).length;
      } catch {
        return events.length; // not connected: nothing was sent
      }
    },
    onReconnect(listener) {
      reconnected.on('back', listener);
      return () => reconnected.off('back', listener);
    },
    close: async () => {
      await Promise.all([closeRedis(publisher), closeRedis(subscriber)]);
    },
  };
}
