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

describe('a subscription asked for while the subscriber reconnects', () => {
  it.skipIf(!redisUrl)(
    'is made once a connection is ready, though the one whose handshake it came during closed',
    async () => {
      const proxy = await startTcpProxy(Number(new URL(redisUrl as string).port));
      const bus = createEventBus(`redis://127.0.0.1:${proxy.port}`, logger);
      const direct = createEventBus(redisUrl, logger);
      buses.push(direct);
      const subscriber = (bus.pubsub as RedisPubSub).getSubscriber();
      try {
        await vi.waitFor(() => expect(subscriber.status).toBe('ready'), { timeout: 15_000 });
        proxy.cut();
        await vi.waitFor(() => expect(bus.isAway()).toBe(true), { timeout: 15_000 });
        // The next attempt connects, and its handshake is never answered: it stays in `connect`,
        // as one does whose connection Redis (or a proxy to it) is about to close.
        proxy.hold();
        proxy.restore();
        await vi.waitFor(() => expect(subscriber.status).toBe('connect'), {
          timeout: 15_000,
          interval: 5,
        });
        const topic = `TEST_HANDSHAKE.${Math.random().toString(36).slice(2)}`;
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
        await vi.waitFor(
          async () => {
            await direct.publishAll([{ topic, payload: { n: 1 } }]);
            expect(received).toContainEqual({ n: 1 });
          },
          { timeout: 15_000, interval: 100 },
        );
      } finally {
        await bus.close(); // through the proxy, while it still forwards
        await proxy.close();
      }
    },
  );

  it.skipIf(!redisUrl)(
    'is kept when it came during the handshake of the connection that is ready',
    async () => {
      const proxy = await startTcpProxy(Number(new URL(redisUrl as string).port));
      const bus = createEventBus(`redis://127.0.0.1:${proxy.port}`, logger);
      const direct = createEventBus(redisUrl, logger);
      buses.push(direct);
      const subscriber = (bus.pubsub as RedisPubSub).getSubscriber();
      try {
        await vi.waitFor(() => expect(subscriber.status).toBe('ready'), { timeout: 15_000 });
        proxy.cut();
        await vi.waitFor(() => expect(bus.isAway()).toBe(true), { timeout: 15_000 });
        const topic = `TEST_HANDSHAKE.${Math.random().toString(36).slice(2)}`;
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
        await vi.waitFor(
          async () => {
            await direct.publishAll([{ topic, payload: { n: 2 } }]);
            expect(received).toContainEqual({ n: 2 });
          },
          { timeout: 15_000, interval: 100 },
        );
      } finally {
        await bus.close(); // through the proxy, while it still forwards
        await proxy.close();
      }
    },
  );
});
