/**
 * A feed resumed with `logAdded(after:)` gets a log older than its cursor that was published
 * late, while the subscriber was away. With two math instances their events reach Redis out of
 * (createdAt, id) order: a subscriber may receive a newer log L, drop, and resume after L while an
 * older log O is still on its way; O is then published in the gap, when nobody listens for it.
 * Here math publishes through a bus that holds O's event until the test releases it (as the
 * slower instance would), and everything else is real: auth, math, the router, Redis, graphql-ws.
 */
import { randomBytes } from 'node:crypto';
import type { BusEvent, EventBus } from '@microservice-math/shared/events';
import { createEventBus } from '@microservice-math/shared/events';
import type { LogAddedEvent } from '@microservice-math/shared/logAddedEvent';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, gql, signUp, wsClient } from '../../tests/support/graphql.js';
import { createScratchDatabase, type ScratchDatabase } from '../../tests/support/postgres.js';
import { redisUrl, testDatabaseUrl } from '../../tests/support/system.js';
import { waitFor } from '../../tests/support/waitFor.js';
import { LATE_PUBLISH_WINDOW_MS } from '../src/subscriptions/logFeed.js';
import { serviceSet, testLogger, type ServiceSet } from '../../tests/support/services.js';

/** Math's event bus, but the events `hold` picks wait until `release()`. */
interface HoldingBus extends EventBus {
  hold: ((log: LogAddedEvent) => boolean) | undefined;
  /** Publishes the held events; resolves once Redis has taken them. */
  release(): Promise<void>;
}

function holdingBus(inner: EventBus): HoldingBus {
  let held: BusEvent[] = [];
  const bus: HoldingBus = {
    pubsub: inner.pubsub,
    distributed: inner.distributed,
    onReconnect: (listener) => inner.onReconnect(listener),
    isAway: () => inner.isAway(),
    unpublished: () => inner.unpublished(),
    close: () => inner.close(),
    hold: undefined,
    async publishAll(events) {
      const picked = (event: BusEvent) => bus.hold?.(event.payload as LogAddedEvent) ?? false;
      held.push(...events.filter(picked));
      return inner.publishAll(events.filter((event) => !picked(event)));
    },
    async release() {
      const events = held;
      held = [];
      expect(await inner.publishAll(events)).toBe(0);
    },
  };
  return bus;
}

const databases = [
  { name: 'SQLite', postgres: false },
  { name: 'PostgreSQL', postgres: true },
];

describe.each(databases)('logAdded(after:) on $name', ({ postgres }) => {
  const skip = !redisUrl || (postgres && !testDatabaseUrl);
  let scratch: ScratchDatabase | undefined;
  let services: ServiceSet;
  let mathBus: HoldingBus;
  let router: string;
  let token: string;
  const clients: Client[] = [];

  beforeAll(async () => {
    if (skip) return;
    scratch = postgres ? await createScratchDatabase() : undefined;
    services = serviceSet({
      REDIS_URL: redisUrl,
      REDIS_KEY_PREFIX: `test-${randomBytes(4).toString('hex')}:`,
      ...(scratch ? { DATABASE_URL: scratch.url } : {}),
    });
    mathBus = holdingBus(createEventBus(redisUrl, testLogger('math-events')));
    const auth = await services.startAuth();
    const math = await services.startMath(0, { events: mathBus });
    router = (await services.startRouter({ auth: auth.url, math: math.url })).url;
    token = (await signUp(router, `resumer_${randomBytes(3).toString('hex')}`)).token;
  });
  afterAll(async () => {
    for (const client of clients) await client.dispose();
    await services?.close();
    await mathBus?.close();
    await scratch?.drop();
  });

  /** One calculation; resolves with its log. */
  async function calculate(n: number): Promise<{ id: string; createdAt: string }> {
    const answer = await gql<{ fibonacci: { log: { id: string; createdAt: string } } }>(
      router,
      `{ fibonacci(n: ${n}) { log { id createdAt } } }`,
      {},
      bearer(token),
    );
    if (!answer.data) throw new Error(JSON.stringify(answer.errors));
    return answer.data.fibonacci.log;
  }

  /** A graphql-ws subscriber on a socket of its own; every id it receives, in order. */
  function subscribe(after: string) {
    const client = wsClient(router, token);
    clients.push(client);
    const feed = { client, ids: [] as string[], errors: [] as unknown[] };
    client.subscribe<{ logAdded: { id: string } }>(
      {
        query: 'subscription($after: ID) { logAdded(after: $after) { id } }',
        variables: { after },
      },
      {
        next: ({ data, errors }) => {
          if (data) feed.ids.push(data.logAdded.id);
          if (errors) feed.errors.push(errors);
        },
        error: (error) => feed.errors.push(error),
        complete: () => {},
      },
    );
    return feed;
  }

  /** Calculates until `feed` receives one made after it subscribed; the ids made. */
  async function live(feed: { ids: string[] }, n: number): Promise<string[]> {
    const made: string[] = [];
    await waitFor(async () => {
      made.push((await calculate(n)).id);
      expect(feed.ids).toContain(made[made.length - 1]);
    });
    return made;
  }

  it.skipIf(skip)(
    'replays an older log published while the subscriber was away, and the window before the cursor',
    async () => {
      const anchor = await calculate(1);
      const first = subscribe(anchor.id);
      await live(first, 2);

      // O is committed, its event held (the slower math instance); L is published at once.
      mathBus.hold = (log) => log.input === '{"n":71}';
      const late = await calculate(71);
      mathBus.hold = undefined;
      const cursor = await calculate(72);
      await waitFor(() => expect(first.ids).toContain(cursor.id));
      expect(first.ids).not.toContain(late.id);

      // The subscriber drops with L as its newest log; O is published in the gap.
      await first.client.dispose();
      await mathBus.release();

      const resumed = subscribe(cursor.id);
      const made = await live(resumed, 73);

      // Expected: the caller's logs within the window before the cursor (oldest first, O among
      // them), never the cursor itself, then the live ones.
      const listed = await gql<{ recentLogs: Array<{ id: string; createdAt: string }> }>(
        router,
        'query($before: ID) { recentLogs(limit: 100, before: $before) { id createdAt } }',
        { before: cursor.id },
        bearer(token),
      );
      const windowStart = Date.parse(cursor.createdAt) - LATE_PUBLISH_WINDOW_MS;
      const replayed = (listed.data?.recentLogs ?? [])
        .filter((log) => Date.parse(log.createdAt) >= windowStart)
        .map((log) => log.id)
        .reverse();
      expect(replayed).toContain(late.id);
      expect(resumed.errors).toEqual([]);
      // The log published in the gap, lost before the window replay.
      expect(resumed.ids).toContain(late.id);
      expect(resumed.ids).toEqual([...replayed, ...made]);
    },
  );
});
