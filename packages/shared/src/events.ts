/**
 * The log-event bus between math (publisher) and the router (subscriber). With `REDIS_URL` it is
 * graphql-redis-subscriptions' RedisPubSub, so any math instance reaches any router instance;
 * without it an in-process PubSub, which only works when everything runs in one process.
 */
import { EventEmitter } from 'node:events';
import { RedisPubSub } from 'graphql-redis-subscriptions';
import { PubSub, type PubSubEngine } from 'graphql-subscriptions';
import type { Logger } from './logger.js';
import { closeRedis, createRedis } from './redis.js';

/** One channel per user: a router only receives the events of users it has subscribers for. */
export const logAddedTopic = (userId: string) => `LOG_ADDED.${userId}`;

export interface EventBus {
  readonly pubsub: PubSubEngine;
  /** True when events cross process boundaries (Redis). */
  readonly distributed: boolean;
  close(): Promise<void>;
}

export function createEventBus(redisUrl: string | undefined, logger: Logger): EventBus {
  if (!redisUrl) {
    // One listener per open subscription on a user's channel: a user with more than ten tabs
    // open is normal, not the leak Node's default limit of 10 listeners warns about.
    const eventEmitter = new EventEmitter().setMaxListeners(0);
    return { pubsub: new PubSub({ eventEmitter }), distributed: false, close: async () => {} };
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
  return {
    pubsub,
    distributed: true,
    close: async () => {
      await Promise.all([closeRedis(publisher), closeRedis(subscriber)]);
    },
  };
}
