/**
 * The log-event bus between math (publisher) and the router (subscriber); what travels on it is
 * defined in logAddedEvent.ts. With `REDIS_URL` it is
 * graphql-redis-subscriptions' RedisPubSub, so any math instance reaches any router instance;
 * without it an in-process PubSub, which only works when everything runs in one process.
 */
import { EventEmitter } from 'node:events';
import { RedisPubSub } from 'graphql-redis-subscriptions';
import { PubSub, type PubSubEngine } from 'graphql-subscriptions';
import { Command, type Redis } from 'ioredis';
import type { Logger } from './logger.js';
import { closeRedis, createRedis } from './redis.js';
import { redisAnswering } from './redisBreaker.js';

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
   * payloads), but through Redis in one round trip. Resolves with how many could not be
   * published now; never rejects. Through Redis those are kept (a bounded backlog) and published
   * once Redis answers again, before any newer event.
   */
  publishAll(events: readonly BusEvent[]): Promise<number>;
  /**
   * Calls `listener` each time the bus is back after an outage (its subscriptions renewed):
   * events published meanwhile were lost, so a subscriber catches up from the database.
   * Returns the function that removes the listener.
   */
  onReconnect(listener: () => void): () => void;
  /**
   * Whether the bus has lost its connection and not yet been told it is back: a subscription
   * made meanwhile waits for Redis, and hears nothing published before it does.
   */
  isAway(): boolean;
  /**
   * Events `publishAll` could not publish and keeps for when Redis answers again, the batch being
   * sent included: 0 once all of them are published (or when nothing was kept). Math's
   * `math_events_unpublished` gauge.
   */
  unpublished(): number;
  close(): Promise<void>;
}

/**
 * Events kept while Redis is away: at 100 calculations a second, well over a minute's worth. A
 * longer outage drops the oldest (logged); routers whose subscriptions dropped too catch up from
 * the database anyway.
 */
const BACKLOG_LIMIT = 10_000;
/** Backlog events sent per round trip once Redis is back. */
const BACKLOG_BATCH = 500;

/** How many of the publishes failed. */
async function countFailures(publishes: Promise<unknown>[]): Promise<number> {
  const settled = await Promise.allSettled(publishes);
  return settled.filter((s) => s.status === 'rejected').length;
}

/**
 * Makes `subscriber` queue a (un)subscription asked for during a connection's handshake (status
 * `connect`: connected, not yet ready) with those asked for while it was away, where ioredis 5
 * writes it to that connection at once, and loses it either way:
 * - that connection closes before it is ready (Redis going, or a proxy to it that accepts and
 *   drops): ioredis sends again only what a ready connection had in flight, and with
 *   `maxRetriesPerRequest: null` never fails the rest, so the subscription neither resolves nor
 *   rejects, and later ones to its channel wait behind it (graphql-redis-subscriptions);
 * - it is answered: the connection is in subscriber mode, the ready check's INFO is refused, and
 *   ioredis reconnects without that channel, though the subscription has resolved.
 * Queued, it survives failed attempts and is sent in the order asked once a connection is ready,
 * as ioredis 6 does (user commands wait for the handshake and ready check). The offline queue is
 * ioredis's own, not in its types; the command goes in as its `sendCommand` queues one.
 */
function subscribeOnceReady(subscriber: Redis): void {
  const send = subscriber.sendCommand.bind(subscriber);
  const internals = subscriber as unknown as {
    offlineQueue: { push(item: { command: Command; stream: unknown; select: number }): void };
    condition: { select: number } | null;
  };
  subscriber.sendCommand = (command, stream) => {
    const subscription =
      Command.checkFlag('ENTER_SUBSCRIBER_MODE', command.name) ||
      Command.checkFlag('EXIT_SUBSCRIBER_MODE', command.name);
    if (!subscription) return send(command, stream);
    // A queued (un)subscription is failed when the bus closes before Redis is back, and
    // graphql-redis-subscriptions leaves an unsubscription's promise unread: unhandled, that
    // rejection would end the process as it shuts down. Whoever awaits one still sees it fail.
    command.promise.catch(() => {});
    if (subscriber.status !== 'connect' || stream) return send(command, stream);
    // As ioredis's sendCommand queues one: the database its connection selects.
    const select = internals.condition?.select ?? subscriber.options.db ?? 0;
    internals.offlineQueue.push({ command, stream, select });
    return command.promise;
  };
}

/**
 * graphql-redis-subscriptions 2.7.0 keeps, beside the promise a subscription returns, a second
 * one of its pending SUBSCRIBE for later subscriptions to the same channel to wait on; when none
 * does, nobody reads it. A SUBSCRIBE that fails (the bus closed while it waited for Redis) then
 * rejects it unread: an unhandled rejection, which ends the process as it shuts down. Marked
 * handled here; the subscriber still gets the failure from the promise it was returned.
 */
class PendingSafeRedisPubSub extends RedisPubSub {
  override subscribe<T = unknown>(
    trigger: string,
    onMessage: (message: T) => void,
    options?: unknown,
  ): Promise<number> {
    const subscribed = super.subscribe(trigger, onMessage, options);
    const pending = (
      this as unknown as { subsPendingRefsMap: Map<string, { pending: Promise<unknown> }> }
    ).subsPendingRefsMap;
    // No triggerTransform is set: the channel is the trigger.
    pending.get(trigger)?.pending.catch(() => {});
    return subscribed;
  }
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
      isAway: () => false,
      unpublished: () => 0, // in-process: nothing is kept
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
  subscribeOnceReady(subscriber);
  const pubsub = new PendingSafeRedisPubSub({ publisher, subscriber });
  const reconnected = new EventEmitter().setMaxListeners(0);
  let away = false;
  subscriber.on('close', () => (away = true));
  // ioredis sends the renewed SUBSCRIBEs before it says ready.
  subscriber.on('ready', () => {
    if (!away) return;
    away = false;
    reconnected.emit('back');
  });

  /** Sends the events in one round trip; resolves with those that were not sent. */
  async function pipelined(events: readonly BusEvent[]): Promise<BusEvent[]> {
    // RedisPubSub.publish sends PUBLISH topic JSON.stringify(payload) on the publisher; a
    // pipeline sends the same commands in one write and reads the replies in one go.
    const pipeline = publisher.pipeline();
    for (const e of events) pipeline.publish(e.topic, JSON.stringify(e.payload));
    try {
      const replies = (await pipeline.exec()) ?? [];
      return events.filter((_, i) => !replies[i] || replies[i][0]);
    } catch {
      return [...events]; // not connected: nothing was sent
    }
  }

  /**
   * Events that could not be published, oldest first. A router whose own subscription never
   * dropped (Redis away from this publisher alone, or back for the router before it is for this
   * publisher) has no reason to catch up from the database, so without this they would never
   * reach its subscribers; a router that did catch up drops the copies it already delivered
   * (its feeds remember what they delivered, by log id).
   */
  let backlog: BusEvent[] = [];
  let sendingBacklog: Promise<void> | undefined;
  /** Backlog events taken off it and being sent: not published until Redis has replied. */
  let inFlight = 0;

  function keep(events: readonly BusEvent[]): void {
    backlog.push(...events);
    const dropped = backlog.length - BACKLOG_LIMIT;
    if (dropped > 0) {
      backlog = backlog.slice(dropped);
      logger.error({ events: dropped }, 'unpublished events dropped: the backlog is full');
    }
  }

  function sendBacklog(): Promise<void> {
    sendingBacklog ??= (async () => {
      while (backlog.length > 0 && redisAnswering(publisher)) {
        // Taken off the backlog while in flight: newer events queue behind them meanwhile.
        const batch = backlog.splice(0, BACKLOG_BATCH);
        inFlight = batch.length;
        const unsent = await pipelined(batch).finally(() => (inFlight = 0));
        backlog.unshift(...unsent);
        if (unsent.length > 0) return; // away again: the next 'ready' resumes
        logger.info({ events: batch.length }, 'events kept while Redis was away published');
      }
    })().finally(() => (sendingBacklog = undefined));
    return sendingBacklog;
  }
  publisher.on('ready', () => void sendBacklog());

  return {
    pubsub,
    distributed: true,
    async publishAll(events) {
      if (events.length === 0) return 0;
      // Behind older events still waiting, or while Redis is away: kept, in order.
      if (backlog.length > 0 || sendingBacklog || !redisAnswering(publisher)) {
        keep(events);
        void sendBacklog();
        return events.length;
      }
      const unsent = await pipelined(events);
      keep(unsent);
      return unsent.length;
    },
    onReconnect(listener) {
      reconnected.on('back', listener);
      return () => reconnected.off('back', listener);
    },
    isAway: () => away,
    unpublished: () => backlog.length + inFlight,
    close: async () => {
      if (backlog.length > 0)
        logger.warn({ events: backlog.length }, 'unpublished events dropped at close');
      await Promise.all([closeRedis(publisher), closeRedis(subscriber)]);
    },
  };
}
