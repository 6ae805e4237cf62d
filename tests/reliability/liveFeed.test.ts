/**
 * A resumable live feed, with auth, math and the router as processes and a Redis of the test's
 * own: `logAdded(after:)` replays the logs after a cursor then continues live; a Redis outage
 * loses no event (the router catches its subscribers up from the database when Redis is back),
 * nor does Redis unreachable from math alone (math publishes what it could not once it is back);
 * `recentLogs(before:)` pages with no gap and no repeat. Everything is counted by log id.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  bearer,
  eventStream,
  gql,
  signUp,
  subscriptionsOpen,
  wsClient,
} from '../support/graphql.js';
import { startOwnRedis, type OwnRedis } from '../support/redisServer.js';
import { startTcpProxy, type TcpProxy } from '../support/tcpProxy.js';
import { processSet, type ProcessSet } from './support/serviceProcesses.js';
import { metricValue, scrapeMetrics } from '../support/metrics.js';
import { waitFor } from '../support/waitFor.js';

let redis: OwnRedis;
/** Math's path to Redis, which a test cuts while the router's stays up. */
let mathRedis: TcpProxy;
/** The router's path to Redis, which a test keeps cut while math's is back. */
let routerRedis: TcpProxy;
let system: ProcessSet;
let token: string;
const clients: Client[] = [];

/** One calculation (by the feed's user, or the one `as` signs in); resolves with its log id. */
async function calculateLogged(n: number, as = token): Promise<string> {
  const answer = await gql<{ fibonacci: { log: { id: string } } }>(
    system.urls.router,
    `{ fibonacci(n: ${n}) { log { id } } }`,
    {},
    bearer(as),
  );
  if (!answer.data) throw new Error(JSON.stringify(answer.errors));
  return answer.data.fibonacci.log.id;
}

/**
 * Subscribes to logAdded (from `after` when given; refused requests too with `includeRefused`);
 * every id it receives, in order, and their statuses. A feed resumed with `after` first replays
 * the logs made within a few seconds before the cursor (one may have been published late), which
 * a client resuming after the cursor already has: `ids` and `statuses` leave those (older than
 * the cursor) out, `received` has everything.
 */
function subscribe(
  after?: string,
  includeRefused = false,
  /** The socket to subscribe on; a new one by default. */
  socket?: Client,
): {
  ids: string[];
  statuses: string[];
  received: Array<{ id: string; status: string }>;
  errors: unknown[];
} {
  const client = socket ?? wsClient(system.urls.router, token);
  if (!socket) clients.push(client);
  const received = {
    ids: [] as string[],
    statuses: [] as string[],
    received: [] as Array<{ id: string; status: string }>,
    errors: [] as unknown[],
  };
  // Ids are UUIDv7 from one math process: their order is the logs' (createdAt, id) order.
  const older = (id: string) => after !== undefined && id.toLowerCase() < after.toLowerCase();
  client.subscribe<{ logAdded: { id: string; status: string } }>(
    {
      query:
        'subscription($after: ID, $includeRefused: Boolean) { logAdded(after: $after, includeRefused: $includeRefused) { id status } }',
      variables: { ...(after ? { after } : {}), includeRefused },
    },
    {
      next: ({ data, errors }) => {
        if (data) received.received.push(data.logAdded);
        if (data && !older(data.logAdded.id)) received.ids.push(data.logAdded.id);
        if (data && !older(data.logAdded.id)) received.statuses.push(data.logAdded.status);
        if (errors) received.errors.push(errors);
      },
      error: (error) => received.errors.push(error),
      complete: () => {},
    },
  );
  return received;
}

/** Opens a feed with `open`, once the router counts it among its subscriptions (it has started). */
async function counted<F>(open: () => F): Promise<F> {
  const before = metricValue(
    await scrapeMetrics(system.urls.router),
    'router_active_subscriptions',
  );
  const feed = open();
  await subscriptionsOpen(system.urls.router, before + 1);
  return feed;
}

/** Waits until `feed` has received `id` (a calculation made after subscribing proves it live). */
async function live(feed: { ids: string[] }, n: number): Promise<string[]> {
  const made: string[] = [];
  await vi.waitFor(
    async () => {
      made.push(await calculateLogged(n));
      expect(feed.ids).toContain(made[made.length - 1]);
    },
    { timeout: 15_000, interval: 200 },
  );
  return made;
}

beforeAll(async () => {
  redis = await startOwnRedis();
  system = await processSet({ redisUrl: redis.url });
  mathRedis = await startTcpProxy(Number(new URL(redis.url).port));
  await Promise.all([
    system.start('auth'),
    system.start('math', { REDIS_URL: `redis://127.0.0.1:${mathRedis.port}` }),
  ]);
  routerRedis = await startTcpProxy(Number(new URL(redis.url).port));
  await system.start('router', {
    ROUTER_RATE_LIMIT_PER_MINUTE: '1000000',
    REDIS_URL: `redis://127.0.0.1:${routerRedis.port}`,
  });
  token = (await signUp(system.urls.router, 'feed_user', 'feed-password')).token;
}, 90_000);
afterAll(async () => {
  for (const client of clients) await client.dispose();
  await system?.close();
  await mathRedis?.close();
  await routerRedis?.close();
  await redis?.stop();
});

describe('logAdded(after:)', () => {
  it('never delivers the cursor’s own log, even when math publishes it again', async () => {
    // A retried request (same Idempotency-Key) finds its row stored and publishes it again, in
    // case the first attempt died before publishing; a late first publish looks the same.
    const key = `cursor-${Date.now()}`;
    const keyed = async () => {
      const answer = await gql<{ fibonacci: { log: { id: string } } }>(
        system.urls.router,
        '{ fibonacci(n: 15) { log { id } } }',
        {},
        { ...bearer(token), 'Idempotency-Key': key },
      );
      if (!answer.data) throw new Error(JSON.stringify(answer.errors));
      return answer.data.fibonacci.log.id;
    };
    const cursor = await keyed();
    const feed = subscribe(cursor);
    const first = await live(feed, 16);
    expect(await keyed()).toBe(cursor);
    // Events of one math process arrive in order: once this one is in, so was the copy.
    const then = await live(feed, 17);
    expect(feed.ids).toEqual([...first, ...then]);
    expect(feed.errors).toEqual([]);
  });

  it('replays the logs after the cursor, then continues live, each once', async () => {
    const earlier = [
      await calculateLogged(11),
      await calculateLogged(12),
      await calculateLogged(13),
    ];
    const feed = subscribe(earlier[0]);
    await waitFor(() => expect(feed.ids.slice(0, 2)).toEqual(earlier.slice(1)));
    const made = await live(feed, 14);
    expect(feed.ids).toEqual([...earlier.slice(1), ...made]);
    expect(feed.errors).toEqual([]);
  });

  it('takes the cursor in upper case, as recentLogs(before:) does', async () => {
    const earlier = [await calculateLogged(15), await calculateLogged(16)];
    const feed = subscribe(earlier[0]?.toUpperCase());
    await waitFor(() => expect(feed.ids.slice(0, 1)).toEqual(earlier.slice(1)));
    expect(feed.errors).toEqual([]);
  });

  it('replays more logs than one catch-up page holds, in order, each once', async () => {
    const anchor = await calculateLogged(15);
    // 45 logs after the cursor: three of the router's catch-up pages (20 logs each).
    for (let request = 0; request < 3; request++) {
      const fields = Array.from(
        { length: 15 },
        (_, i) => `f${i}: fibonacci(n: ${100 + 15 * request + i}) { digits }`,
      );
      const answer = await gql(system.urls.router, `{ ${fields.join(' ')} }`, {}, bearer(token));
      expect(answer.errors).toBeUndefined();
    }
    const newest = await gql<{ recentLogs: Array<{ id: string }> }>(
      system.urls.router,
      '{ recentLogs(limit: 45) { id } }',
      {},
      bearer(token),
    );
    const missed = (newest.data?.recentLogs.map((log) => log.id) ?? []).reverse();
    expect(missed).toHaveLength(45);
    const feed = subscribe(anchor);
    await waitFor(() => expect(feed.ids.length).toBeGreaterThanOrEqual(missed.length));
    const made = await live(feed, 16);
    expect(feed.ids).toEqual([...missed, ...made]);
    expect(feed.errors).toEqual([]);
  });

  it('refuses a cursor that is not one of the caller’s logs', async () => {
    const feed = subscribe('00000000-0000-7000-8000-000000000000');
    await waitFor(() => expect(feed.errors).toHaveLength(1));
    expect(JSON.stringify(feed.errors[0])).toContain('BAD_USER_INPUT');
  });
});

describe('many subscriptions resuming at once', () => {
  it('are all caught up: the catch-up queries are light and never wait in the line of heavy operations', async () => {
    const anchor = await calculateLogged(60);
    const latest = await calculateLogged(61);
    // 70 replays at once: were they heavy operations, those past the 64 places of that line
    // would be refused. Two sockets, as the per-user socket cap allows.
    const sockets = [wsClient(system.urls.router, token), wsClient(system.urls.router, token)];
    clients.push(...sockets);
    const feeds = Array.from({ length: 70 }, (_, i) => subscribe(anchor, false, sockets[i % 2]));
    await vi.waitFor(
      () => {
        for (const feed of feeds)
          expect(feed.errors.length > 0 || feed.ids.includes(latest)).toBe(true);
      },
      { timeout: 30_000, interval: 100 },
    );
    expect(feeds.flatMap((feed) => feed.errors)).toEqual([]);
    for (const feed of feeds) expect(feed.ids).toEqual([latest]);
  });
});

describe('logAdded(includeRefused: true)', () => {
  /** A refused calculation (n must be at least 0): logged with its code, answered with an error. */
  async function refuse(): Promise<void> {
    const answer = await gql(
      system.urls.router,
      '{ factorial(n: -1) { digits } }',
      {},
      bearer(token),
    );
    expect(JSON.stringify(answer.errors)).toContain('BAD_USER_INPUT');
  }

  it('delivers refused requests with their code, live; a default subscriber gets answers only', async () => {
    const anchor = await calculateLogged(50);
    const everything = subscribe(anchor, true);
    const answersOnly = subscribe(anchor);
    await live(everything, 51);
    await refuse();
    const made = await live(answersOnly, 52);
    await waitFor(() => expect(everything.ids).toContain(made[made.length - 1]));
    expect(everything.statuses.filter((status) => status !== 'ok')).toEqual(['BAD_USER_INPUT']);
    expect(answersOnly.statuses.every((status) => status === 'ok')).toBe(true);
    expect(everything.ids.length).toBe(answersOnly.ids.length + 1);
  });

  it('replays refused requests after the cursor too', async () => {
    const anchor = await calculateLogged(53);
    await refuse();
    const answered = await calculateLogged(54);
    const replayed = subscribe(anchor, true);
    await waitFor(() => expect(replayed.ids).toContain(answered));
    expect(replayed.statuses).toEqual(['BAD_USER_INPUT', 'ok']);
    expect(replayed.errors).toEqual([]);
  });

  it('takes a refused log’s id as the cursor of an answers-only feed, as recentLogs(before:) does', async () => {
    await refuse();
    const newest = await gql<{ recentLogs: Array<{ id: string; status: string }> }>(
      system.urls.router,
      '{ recentLogs(limit: 1, includeRefused: true) { id status } }',
      {},
      bearer(token),
    );
    const refused = newest.data?.recentLogs[0];
    expect(refused?.status).toBe('BAD_USER_INPUT');
    const answered = await calculateLogged(55);
    const feed = subscribe(refused?.id);
    await waitFor(() => expect(feed.ids.length + feed.errors.length).toBeGreaterThan(0));
    expect(feed.errors).toEqual([]);
    expect(feed.ids).toEqual([answered]);
  });
});

describe('logAdded(after:) and a refusal a retry answered', () => {
  it('delivers a refusal answered after the cursor was taken, once, though its id is older than the cursor', async () => {
    // Two factorials of ~711,000 digits each: together over MATH_MAX_DIGITS, so the second is
    // refused RESULT_TOO_LARGE and logged; the same Idempotency-Key's retry of it alone answers
    // it, under the refusal's (older) id.
    const headers = { ...bearer(token), 'Idempotency-Key': `answered-${Date.now()}` };
    const first = await gql(
      system.urls.router,
      '{ a: factorial(n: 150000) { digits } b: factorial(n: 150001) { digits } }',
      {},
      headers,
    );
    expect(JSON.stringify(first.errors)).toContain('RESULT_TOO_LARGE');
    const listed = await gql<{ recentLogs: Array<{ id: string; status: string }> }>(
      system.urls.router,
      '{ recentLogs(limit: 2, includeRefused: true) { id status } }',
      {},
      bearer(token),
    );
    const refused = listed.data?.recentLogs.find((log) => log.status === 'RESULT_TOO_LARGE');
    expect(refused).toBeDefined();
    // The client's cursor: a log newer than the refusal, taken before the retry answered it.
    const cursor = await calculateLogged(19);
    const retry = await gql<{ b: { log: { id: string; status: string } } }>(
      system.urls.router,
      '{ b: factorial(n: 150001) { log { id status } } }',
      {},
      headers,
    );
    expect(retry.data?.b.log).toEqual({ id: refused?.id, status: 'ok' });

    const everything = subscribe(cursor, true);
    const answersOnly = subscribe(cursor);
    await live(everything, 20);
    const made = await live(answersOnly, 21);
    await waitFor(() => expect(everything.ids).toContain(made[made.length - 1]));
    for (const feed of [everything, answersOnly]) {
      expect(feed.errors).toEqual([]);
      // Older than the cursor, and made just before it: both the window before the cursor and
      // the refusals answered since have it; the feed delivers it once, answered.
      const copies = feed.received.filter(({ id }) => id === refused?.id);
      expect(copies).toEqual([{ id: refused?.id, status: 'ok' }]);
    }
  });
});

describe('Redis stopped and started again', () => {
  it('every calculation answered meanwhile reaches the open subscription once', async ({
    annotate,
  }) => {
    // Subscribed after a log of its own, so every calculation made from here on reaches the feed
    // by replay or live, however long the subscription takes to start.
    const feed = subscribe(await calculateLogged(20));
    const before = await live(feed, 21);
    await redis.stop();
    const during: string[] = [];
    for (let n = 0; n < 10; n++) during.push(await calculateLogged(30 + n));
    await sleep(3_000);
    await redis.start();
    const restartedAt = performance.now();
    await vi.waitFor(() => expect(feed.ids).toEqual(expect.arrayContaining(during)), {
      timeout: 20_000,
      interval: 50,
    });
    const caughtUpMs = performance.now() - restartedAt;
    const after = await live(feed, 41);
    await annotate(
      `measured: ${during.length} calculations during the outage, all delivered ` +
        `${caughtUpMs.toFixed(0)} ms after Redis restarted; ${feed.ids.length} events, ` +
        `${new Set(feed.ids).size} distinct`,
    );
    const answered = [...before, ...during, ...after];
    expect([...feed.ids].sort()).toEqual([...new Set(answered)].sort());
    expect(feed.errors).toEqual([]);
  });
});

describe('a feed opened while Redis is down', () => {
  /** Log events math could not publish yet (Redis unreachable from it), as its /metrics says. */
  const mathUnpublished = async () =>
    metricValue(await scrapeMetrics(system.urls.math), 'math_events_unpublished');

  /**
   * Redis stopped, then started again with math reaching it before the router does (math then
   * publishes the events it kept while the router's connection is still away); `during` runs
   * while it is down, `back` once the router's path is restored.
   */
  async function outage<T>(during: () => Promise<T>, back: (value: T) => Promise<void>) {
    await redis.stop();
    routerRedis.cut();
    let down = true;
    try {
      const value = await during();
      // Math keeps the events of the logs made meanwhile: it could not publish them.
      await expect.poll(mathUnpublished, { timeout: 15_000, interval: 50 }).toBeGreaterThan(0);
      await redis.start();
      // Its connection retries every 2 s at most, then it publishes them: only once Redis has
      // taken every one of them does it count none (none is dropped below its 10,000).
      await expect.poll(mathUnpublished, { timeout: 15_000, interval: 100 }).toBe(0);
      routerRedis.restore();
      down = false;
      await back(value);
    } finally {
      if (down) await redis.start();
      routerRedis.restore();
    }
  }

  /** A user of its own: another feed of the same user would keep its channel subscribed. */
  async function ownUser(name: string) {
    const own = await signUp(system.urls.router, name, 'feed-password');
    const client = wsClient(system.urls.router, own.token);
    clients.push(client);
    return { token: own.token, client };
  }

  it('gets every log made while it is open once Redis is back, none made before it', async () => {
    const { token: own, client } = await ownUser('outage_feed_user');
    await outage(
      async () => {
        const before = await calculateLogged(90, own);
        const feed = await counted(() => subscribe(undefined, false, client));
        const during: string[] = [];
        for (let n = 0; n < 5; n++) during.push(await calculateLogged(91 + n, own));
        return { before, feed, during };
      },
      async ({ before, feed, during }) => {
        // Said on failure: whether the feed ended with an error (a failed catch-up) or was
        // never caught up (a CI run once received nothing here, errors not shown).
        await vi.waitFor(
          () =>
            expect(feed.ids, `errors: ${JSON.stringify(feed.errors)}`).toEqual(
              expect.arrayContaining(during),
            ),
          { timeout: 20_000, interval: 50 },
        );
        const later = await calculateLogged(96, own);
        await vi.waitFor(() => expect(feed.ids).toContain(later), { timeout: 15_000 });
        expect(feed.ids).not.toContain(before);
        expect([...feed.ids].sort()).toEqual([...during, later].sort());
        expect(feed.errors).toEqual([]);
      },
    );
  });

  it('with after: replays from the database at once, without waiting for Redis', async () => {
    const { token: own, client } = await ownUser('outage_cursor_user');
    await outage(
      async () => {
        const cursor = await calculateLogged(100, own);
        const made = [await calculateLogged(101, own), await calculateLogged(102, own)];
        const feed = subscribe(cursor, false, client);
        await vi.waitFor(() => expect(feed.ids).toEqual(made), { timeout: 10_000 });
        const during = await calculateLogged(103, own);
        return { feed, made, during };
      },
      async ({ feed, made, during }) => {
        await vi.waitFor(() => expect(feed.ids).toContain(during), { timeout: 20_000 });
        const later = await calculateLogged(104, own);
        await vi.waitFor(() => expect(feed.ids).toContain(later), { timeout: 15_000 });
        expect(feed.ids).toEqual([...made, during, later]);
        expect(feed.errors).toEqual([]);
      },
    );
  });
});

describe('a feed that falls more than 1,000 logs behind while Redis is away from the router', () => {
  /** `count` calculations in operations of 20 fields (each field is logged on its own). */
  async function calculateMany(count: number, as: string): Promise<void> {
    for (let made = 0; made < count; made += 20) {
      const fields = Array.from({ length: 20 }, (_, i) => `f${i}: fibonacci(n: ${i}) { digits }`);
      const answer = await gql(system.urls.router, `{ ${fields.join(' ')} }`, {}, bearer(as));
      if (answer.errors) throw new Error(JSON.stringify(answer.errors));
    }
  }

  it('ends with a refusal saying so, over graphql-ws and SSE (then complete), and logs no error', async () => {
    const own = await signUp(system.urls.router, 'behind_feed_user', 'feed-password');
    const client = wsClient(system.urls.router, own.token);
    clients.push(client);
    const feed = subscribe(undefined, false, client);
    const stream = await eventStream(system.urls.router, own.token, {
      query: 'subscription { logAdded { id } }',
    });
    let sse = '';
    const sseEnded = (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of stream.body as unknown as AsyncIterable<Uint8Array>)
        sse += decoder.decode(chunk, { stream: true });
    })();
    await vi.waitFor(
      async () => {
        const id = await calculateLogged(1, own.token);
        expect(feed.ids).toContain(id);
        expect(sse).toContain(id);
      },
      { timeout: 15_000, interval: 200 },
    );
    routerRedis.cut();
    try {
      await calculateMany(1_020, own.token);
    } finally {
      routerRedis.restore();
    }
    await vi.waitFor(() => expect(feed.errors).toHaveLength(1), { timeout: 30_000 });
    await sseEnded;
    const [refusal] = feed.errors[0] as Array<{ message: string; extensions?: { code: string } }>;
    expect(refusal?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(refusal?.message).toContain('fell more than 1,000 logs behind');
    expect(refusal?.message).not.toContain('after:');
    // graphql-sse's distinct-connections mode: the refusal as the last `next`, then `complete`.
    const events = sse.split('\n\n').filter((event) => event.startsWith('event:'));
    expect(events.slice(-2)[0]).toContain('fell more than 1,000 logs behind');
    expect(events.slice(-2)[0]).toContain('BAD_USER_INPUT');
    expect(events.slice(-1)[0]).toMatch(/^event: complete/);
    expect(system.errorLines('router').filter((line) => line.includes('unexpected error'))).toEqual(
      [],
    );
  });
});

describe('Redis unreachable from math alone', () => {
  it('every calculation answered meanwhile reaches the open subscription once', async ({
    annotate,
  }) => {
    // The router's subscription never drops, so it has no outage to catch up after: the events
    // math could not publish must be published by math once Redis answers it again.
    const feed = subscribe(await calculateLogged(50));
    const before = await live(feed, 51);
    mathRedis.cut();
    const during: string[] = [];
    for (let n = 0; n < 5; n++) during.push(await calculateLogged(60 + n));
    mathRedis.restore();
    const restoredAt = performance.now();
    await vi.waitFor(() => expect(feed.ids).toEqual(expect.arrayContaining(during)), {
      timeout: 20_000,
      interval: 50,
    });
    const caughtUpMs = performance.now() - restoredAt;
    const after = await live(feed, 71);
    await annotate(
      `measured: ${during.length} calculations while math could not reach Redis, all delivered ` +
        `${caughtUpMs.toFixed(0)} ms after its path was restored`,
    );
    expect([...feed.ids].sort()).toEqual([...new Set([...before, ...during, ...after])].sort());
    expect(feed.errors).toEqual([]);
  });
});

describe('a feed without after:', () => {
  it('never delivers a log made before it started, however late math publishes it', async () => {
    // Math's path to Redis cut: the calculation is answered and logged, its event held by math.
    mathRedis.cut();
    const before = await calculateLogged(80);
    const feed = await counted(() => subscribe());
    mathRedis.restore();
    // Once a later log arrives, math has published the held one too (its events go in order).
    const made = await live(feed, 81);
    expect(feed.ids).not.toContain(before);
    expect(feed.ids).toEqual(made.filter((id) => feed.ids.includes(id)));
    expect(feed.errors).toEqual([]);
  });
});

describe('recentLogs(before:)', () => {
  it('pages newest first with no gap and no repeat', async () => {
    const query = 'query($before: ID) { recentLogs(limit: 3, before: $before) { id } }';
    const all = await gql<{ recentLogs: Array<{ id: string }> }>(
      system.urls.router,
      '{ recentLogs(limit: 9) { id } }',
      {},
      bearer(token),
    );
    const paged: string[] = [];
    let before: string | undefined;
    for (let page = 0; page < 3; page++) {
      const answer = await gql<{ recentLogs: Array<{ id: string }> }>(
        system.urls.router,
        query,
        before ? { before } : {},
        bearer(token),
      );
      const ids = answer.data?.recentLogs.map((log) => log.id) ?? [];
      paged.push(...ids);
      before = ids[ids.length - 1];
    }
    expect(paged).toEqual(all.data?.recentLogs.map((log) => log.id));
    const bad = await gql(system.urls.router, query, { before: 'nope' }, bearer(token));
    expect(bad.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
  });
});
