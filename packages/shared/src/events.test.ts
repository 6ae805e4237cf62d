/**
 * `publishAll` sends what `pubsub.publish` would send one event at a time (channel and payload),
 * so a subscriber through `pubsub` cannot tell the two apart; through Redis it is one pipeline,
 * and while Redis is unreachable it reports every event as not published instead of throwing,
 * keeps it, counts it as unpublished, and publishes it once Redis answers again. A subscription
 * asked for while the subscriber reconnects is made once a connection is ready.
 */
import { createServer } from 'node:net';
import type { RedisPubSub } from 'graphql-redis-subscriptions';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { startTcpProxy } from '../../../tests/support/tcpProxy.js';
import { createEventBus, type BusEvent, type EventBus } from './events.js';
import { createLogger } from './logger.js';

const redisUrl = process.env['REDIS_URL'];
const logger = createLogger('test', { level: 'silent', pretty: false });

const buses: EventBus[] = [];
afterAll(async () => {
  await Promise.all(buses.map((bus) => bus.close()));
});

/** Subscribes to each topic through the bus's own pubsub, as the router does. */
async function listen(bus: EventBus, topics: string[]) {
  const received: Array<{ topic: string; payload: unknown }> = [];
  const ids = await Promise.all(
    topics.map((topic) =>
      bus.pubsub.subscribe(topic, (payload: unknown) => received.push({ topic, payload }), {}),
    ),
  );
  return {
    async settle(count: number) {
      await vi.waitFor(() => expect(received.length).toBeGreaterThanOrEqual(count), {
        timeout: 15_000,
      });
      ids.forEach((id) => bus.pubsub.unsubscribe(id));
      return received;
    },
  };
}

describe.each([
  { bus: 'in-process', url: undefined, skip: false },
  { bus: 'Redis', url: redisUrl, skip: !redisUrl },
])('publishAll on the $bus bus', ({ url, skip }) => {
  it.skipIf(skip)('delivers each event on its topic, in order, as publish would', async () => {
    const bus = createEventBus(url, logger);
    buses.push(bus);
    const tag = Math.random().toString(36).slice(2);
    const [a, b] = [`TEST_A.${tag}`, `TEST_B.${tag}`];
    const events: BusEvent[] = [
      { topic: a, payload: { n: 1, text: 'één', when: '2026-01-01T00:00:00.000Z' } },
      { topic: b, payload: { n: 2, flag: false } },
      { topic: a, payload: { n: 3, nested: { list: [1, 2] } } },
    ];
    const feed = await listen(bus, [a, b]); // resolves once Redis has confirmed the subscriptions
    // The publisher has a connection of its own, which may not be ready yet on a busy machine:
    // until it is, publishAll keeps events for later and reports them as not published now.
    await vi.waitFor(
      async () =>
        expect(await bus.publishAll([{ topic: `TEST_PROBE.${tag}`, payload: 0 }])).toBe(0),
      { timeout: 15_000, interval: 50 },
    );

    expect(await bus.publishAll(events)).toBe(0);
    await bus.pubsub.publish(b, { n: 4, one: 'by one' });
    const received = await feed.settle(4);

    expect(received.filter((r) => r.topic === a).map((r) => r.payload)).toEqual([
      events[0]?.payload,
      events[2]?.payload,
    ]);
    expect(received.filter((r) => r.topic === b).map((r) => r.payload)).toEqual([
      events[1]?.payload,
      { n: 4, one: 'by one' },
    ]);
    expect(await bus.publishAll([])).toBe(0);
  });
});

describe('publishAll while Redis is unreachable', () => {
  it('resolves with the number of events not published', async () => {
    // A port that accepts nothing: the publisher never becomes ready.
    const port = await new Promise<number>((resolve) => {
      const server = createServer();
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
      });
    });
    const bus = createEventBus(`redis://127.0.0.1:${port}`, logger);
    buses.push(bus);
    const failed = await bus.publishAll([
      { topic: 'TEST.down', payload: 1 },
      { topic: 'TEST.down', payload: 2 },
    ]);
    expect(failed).toBe(2);
  });
});

describe('events kept while Redis is unreachable', () => {
  it.skipIf(!redisUrl)('count as unpublished until Redis answers again and has them', async () => {
    // The publisher's path to Redis goes through a proxy the test cuts; the listener's does not.
    const proxy = await startTcpProxy(Number(new URL(redisUrl as string).port));
    const bus = createEventBus(`redis://127.0.0.1:${proxy.port}`, logger);
    const direct = createEventBus(redisUrl, logger);
    buses.push(bus, direct);
    try {
      const tag = Math.random().toString(36).slice(2);
      const topic = `TEST_KEPT.${tag}`;
      const feed = await listen(direct, [topic]);
      await vi.waitFor(
        async () =>
          expect(await bus.publishAll([{ topic: `TEST_PROBE.${tag}`, payload: 0 }])).toBe(0),
        { timeout: 15_000, interval: 50 },
      );
      expect(bus.unpublished()).toBe(0);

      proxy.cut();
      const kept = [1, 2, 3].map((n) => ({ topic, payload: { n } }));
      expect(await bus.publishAll(kept.slice(0, 1))).toBe(1);
      expect(await bus.publishAll(kept.slice(1))).toBe(2);
      expect(bus.unpublished()).toBe(3);

      proxy.restore();
      await vi.waitFor(() => expect(bus.unpublished()).toBe(0), { timeout: 15_000, interval: 20 });
      const received = await feed.settle(3);
      expect(received.map((r) => r.payload)).toEqual(kept.map((e) => e.payload));
    } finally {
      await proxy.close();
    }
  });
});

/**
 * A bus whose path to Redis goes through a proxy the test cuts, ready; and one straight to Redis
 * to publish with. `away()` cuts the proxy and waits until the bus knows Redis is away.
 */
async function busBehindProxy() {
  const proxy = await startTcpProxy(Number(new URL(redisUrl as string).port));
  const bus = createEventBus(`redis://127.0.0.1:${proxy.port}`, logger);
  const direct = createEventBus(redisUrl, logger);
  buses.push(direct);
  const subscriber = (bus.pubsub as RedisPubSub).getSubscriber();
  await vi.waitFor(() => expect(subscriber.status).toBe('ready'), { timeout: 15_000 });
  return {
    proxy,
    bus,
    subscriber,
    async away() {
      proxy.cut();
      await vi.waitFor(() => expect(bus.isAway()).toBe(true), { timeout: 15_000 });
    },
    /** The next connection's handshake is never answered: it stays in `connect`. */
    async handshakeHeld() {
      proxy.hold();
      proxy.restore();
      await vi.waitFor(() => expect(subscriber.status).toBe('connect'), {
        timeout: 15_000,
        interval: 5,
      });
    },
    /** Publishes `payload` on `topic` (straight to Redis) until `received` has it. */
    async publishedTo(topic: string, payload: unknown, received: unknown[]) {
      await vi.waitFor(
        async () => {
          await direct.publishAll([{ topic, payload }]);
          expect(received).toContainEqual(payload);
        },
        { timeout: 15_000, interval: 100 },
      );
    },
  };
}

const newTopic = () => `TEST_HANDSHAKE.${Math.random().toString(36).slice(2)}`;

describe('a subscription asked for while the subscriber reconnects', () => {
  it.skipIf(!redisUrl)(
    'is made once a connection is ready, though the one whose handshake it came during closed',
    async () => {
      const { proxy, bus, away, handshakeHeld, publishedTo } = await busBehindProxy();
      try {
        await away();
        // As one whose connection Redis (or a proxy to it) is about to close.
        await handshakeHeld();
        const topic = newTopic();
        const received: unknown[] = [];
        let id: number | undefined;
        void bus.pubsub
          .subscribe(topic, (payload: unknown) => received.push(payload), {})
          .then((subscribed) => (id = subscribed));
        // That connection closes before it is ready; the next one is.
        proxy.cut();
        proxy.release();
        proxy.restore();
        await vi.waitFor(() => expect(bus.isAway()).toBe(false), { timeout: 15_000 });
        await vi.waitFor(() => expect(id).toBeDefined(), { timeout: 15_000 });
        await publishedTo(topic, { n: 1 }, received);
      } finally {
        await bus.close(); // through the proxy, while it still forwards
        await proxy.close();
      }
    },
  );

  it.skipIf(!redisUrl)(
    'is kept when it came during the handshake of the connection that is ready',
    async () => {
      const { proxy, bus, subscriber, away, publishedTo } = await busBehindProxy();
      try {
        await away();
        const topic = newTopic();
        const received: unknown[] = [];
        let id: number | undefined;
        // Asked for as the next connection is made, before its handshake is answered.
        subscriber.once('connect', () => {
          void bus.pubsub
            .subscribe(topic, (payload: unknown) => received.push(payload), {})
            .then((subscribed) => (id = subscribed));
        });
        proxy.restore();
        await vi.waitFor(() => expect(id).toBeDefined(), { timeout: 15_000 });
        await publishedTo(topic, { n: 2 }, received);
      } finally {
        await bus.close(); // through the proxy, while it still forwards
        await proxy.close();
      }
    },
  );
});

describe('a bus closed while Redis is away', () => {
  it.skipIf(!redisUrl).each(['reconnecting', 'in a handshake'] as const)(
    'closes without waiting for Redis (%s), and what it had queued fails, with no unhandled rejection',
    async (state) => {
      const { proxy, bus, subscriber, away, handshakeHeld } = await busBehindProxy();
      const unhandled: unknown[] = [];
      const onUnhandled = (reason: unknown) => unhandled.push(reason);
      process.on('unhandledRejection', onUnhandled);
      try {
        const earlier = await bus.pubsub.subscribe(newTopic(), () => {}, {});
        await away();
        if (state === 'in a handshake') await handshakeHeld();
        else
          await vi.waitFor(() => expect(subscriber.status).toBe('reconnecting'), {
            timeout: 15_000,
            interval: 5,
          });
        // Queued until Redis is back: an unsubscription (whose promise no one reads) and a
        // subscription (whose promise the subscriber reads).
        bus.pubsub.unsubscribe(earlier);
        const subscribed = bus.pubsub
          .subscribe(newTopic(), () => {}, {})
          .then(
            () => 'subscribed',
            (error: unknown) => String(error),
          );
        // Before: reconnecting, QUIT was queued behind them and this waited for Redis.
        await bus.close();
        // Ended, as ioredis ends a connection whose socket closes ('end': redisBreaker lets it go).
        await vi.waitFor(() => expect(subscriber.status).toBe('end'), { timeout: 15_000 });
        // What it had queued fails: a connection in a handshake closes, one reconnecting has it
        // failed by closeRedis (ioredis 5 would leave it unsettled).
        expect(await subscribed).toContain('Connection is closed');
        // Node reports an unhandled rejection once the microtasks of its turn have run. Before,
        // in a handshake: QUIT went first, and the subscription's second promise, kept by
        // graphql-redis-subscriptions for later subscribers, failed unread.
        await new Promise((resolve) => setImmediate(resolve));
        expect(unhandled).toEqual([]);
      } finally {
        process.off('unhandledRejection', onUnhandled);
        proxy.release();
        await proxy.close();
      }
    },
  );
});
