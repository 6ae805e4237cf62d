/** Queries that span both subgraphs, and what the router says about subscriptions over HTTP. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  collect,
  connected,
  gql,
  signUp,
  subscriptionsOpen,
  wsClient,
} from '../../tests/support/graphql.js';
import { startTestSystem, type TestSystem } from '../../tests/support/system.js';

let system: TestSystem;
let url: string;

beforeAll(async () => {
  // The fan-out test below opens 200 sockets as one user, over the default cap of 20 per user.
  system = await startTestSystem({ env: { ROUTER_WS_MAX_CONNECTIONS_PER_USER: '200' } });
  url = system.urls.router;
});
afterAll(async () => {
  await system?.stop();
});

describe('one request across both subgraphs', () => {
  it('me { logs } goes from auth to math, and recentLogs { user } from math to auth', async () => {
    const token = (await signUp(url, 'federated')).token;
    await gql(
      url,
      '{ a: factorial(n: 5) { digits } b: fibonacci(n: 12) { digits } }',
      {},
      bearer(token),
    );

    const mine = await gql<{
      me: { username: string; logs: Array<{ operation: string; resultPreview: string }> };
    }>(url, '{ me { username logs(limit: 5) { operation resultPreview } } }', {}, bearer(token));
    expect(mine.errors).toBeUndefined();
    expect(mine.data?.me.username).toBe('federated');
    expect(mine.data?.me.logs).toEqual([
      { operation: 'FIBONACCI', resultPreview: '144' },
      { operation: 'FACTORIAL', resultPreview: '120' },
    ]);

    const recent = await gql<{
      recentLogs: Array<{ operation: string; user: { username: string; createdAt: string } }>;
    }>(url, '{ recentLogs { operation user { username createdAt } } }', {}, bearer(token));
    expect(recent.errors).toBeUndefined();
    expect(recent.data?.recentLogs).toHaveLength(2);
    for (const log of recent.data!.recentLogs) {
      expect(log.user.username).toBe('federated');
      expect(new Date(log.user.createdAt).getTime()).toBeGreaterThan(0);
    }
  });
});

describe('logAdded', () => {
  it('delivers a user their own events with user fields filled, and never another user’s', async () => {
    const aliceToken = (await signUp(url, 'alice_live')).token;
    const bobToken = (await signUp(url, 'bob_live')).token;
    const alice = wsClient(url, aliceToken);
    const bob = wsClient(url, bobToken);
    const aliceEvents = collect<{ logAdded: { input: string; user: { username: string } } }>(
      alice,
      'subscription { logAdded { input user { username } } }',
      2,
    );
    const bobEvents = collect<{ logAdded: { input: string; user: { username: string } } }>(
      bob,
      'subscription { logAdded { input user { username } } }',
      1,
    );
    await Promise.all([connected(alice), connected(bob)]);
    await subscriptionsOpen(url, 2);

    await gql(url, '{ factorial(n: 7) { digits } }', {}, bearer(aliceToken));
    await gql(url, '{ fibonacci(n: 30) { digits } }', {}, bearer(bobToken));
    await gql(url, '{ factorial(n: 8) { digits } }', {}, bearer(aliceToken));

    const got = await aliceEvents.done;
    expect(got.map((e) => e.data?.logAdded)).toEqual([
      { input: '{"n":7}', user: { username: 'alice_live' } },
      { input: '{"n":8}', user: { username: 'alice_live' } },
    ]);
    const [bobEvent] = await bobEvents.done;
    expect(bobEvent?.data?.logAdded).toEqual({ input: '{"n":30}', user: { username: 'bob_live' } });
    await Promise.all([alice.dispose(), bob.dispose()]);
  });

  it('200 subscribers with one selection: one event, one gateway resolution, 200 deliveries', async () => {
    const token = (await signUp(url, 'fan_out')).token;
    const clients = Array.from({ length: 200 }, () => wsClient(url, token));
    const query = 'subscription { logAdded { id operation user { username } } }';
    const subscriptions = clients.map((client) =>
      collect<{ logAdded: { user: { username: string } } }>(client, query, 1, 20_000),
    );
    await Promise.all(clients.map(connected));
    await subscriptionsOpen(url, 200);

    const before = system.router.logAdded.gatewayResolutions;
    await gql(url, '{ factorial(n: 12) { digits } }', {}, bearer(token));
    const delivered = await Promise.all(subscriptions.map((s) => s.done));
    expect(delivered.every(([event]) => event?.data?.logAdded.user.username === 'fan_out')).toBe(
      true,
    );
    expect(system.router.logAdded.gatewayResolutions - before).toBe(1);
    await Promise.all(clients.map((client) => client.dispose()));
  });

  it('a subscription POSTed over HTTP gets a 400 that names both ways to subscribe', async () => {
    const token = (await signUp(url, 'http_subscriber')).token;
    const result = await gql(url, 'subscription { logAdded { id } }', {}, bearer(token));
    expect(result.status).toBe(400);
    expect(result.errors?.[0]?.message).toBe(
      'Subscriptions are served over WebSocket (graphql-ws protocol) at this same /graphql URL, ' +
        'or as server-sent events (graphql-sse protocol) at /graphql/stream',
    );
  });
});
