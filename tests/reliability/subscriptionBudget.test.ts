/**
 * One user's live subscriptions share one budget of demand per event (router/src/subscriptions/
 * liveDemand.ts), across their graphql-ws sockets and graphql-sse streams: every event a user
 * makes is delivered to each subscription they hold, so within every cap on sockets and
 * operations, 500 subscriptions of cost 22 made one request of 30 calculations cost the router
 * 3 s. A subscription over the budget is refused, naming it and what the user has live; ending
 * a subscription (completed, socket closed, stream closed) gives its share back. A fetch of the
 * log's user through the gateway weighs 400 per event, counted only for a subscription that
 * makes one: its `id` and `username` come from the token. With the default budget, the web
 * app's feed in 19 tabs and the README's subscription all run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  bearer,
  collect,
  connected,
  eventStream,
  gql,
  signUp,
  subscriptionsOpen,
  wsClient,
  type Account,
} from '../support/graphql.js';
import { metricValue, scrapeMetrics } from '../support/metrics.js';
import { startTestSystem, type TestSystem } from '../support/system.js';
import { waitFor } from '../support/waitFor.js';

/** `logAdded { id }` costs 1, and delivering each event weighs 5 more: 6 per event. */
const ID_FEED = 'subscription { logAdded { id } }';
const ID_FEED_DEMAND = 6;
/** Three `ID_FEED`s fit (18), a fourth does not. */
const BUDGET = 20;

let system: TestSystem;

beforeAll(async () => {
  system = await startTestSystem({ env: { ROUTER_MAX_LIVE_COST_PER_USER: String(BUDGET) } });
});
afterAll(async () => {
  await system?.stop();
});

const calculate = (account: Account, n: number) =>
  gql(system.urls.router, `{ factorial(n: ${n}) { digits } }`, {}, bearer(account.token));

/** The SSE stream's text up to its first `next` event's end (keep-alive comments come first). */
async function firstEvent(response: Response): Promise<string> {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = '';
  while (!/event: next\ndata: .*\n\n/.test(text)) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  return text;
}

describe('the live demand budget of one user', () => {
  it('over graphql-ws: the subscription over the budget is refused RATE_LIMITED, naming the budget and what is live; completing one frees its share', async () => {
    const user = await signUp(system.urls.router, 'budget_ws');
    const client = wsClient(system.urls.router, user.token);
    const feeds = [0, 1, 2].map(() => collect(client, ID_FEED, 1, 60_000));
    for (const feed of feeds) feed.done.catch(() => {});
    await connected(client);
    await subscriptionsOpen(system.urls.router, 3);

    const refused = collect(client, ID_FEED, 1);
    await expect(refused.done).rejects.toThrow(/RATE_LIMITED/);
    const error = (await refused.done.catch((e: Error) => e)) as Error;
    expect(error.message).toContain(
      `this subscription costs ${ID_FEED_DEMAND} per event, and your open subscriptions already cost ${3 * ID_FEED_DEMAND} of the ${BUDGET}`,
    );
    expect(JSON.parse(error.message)[0].extensions).toMatchObject({
      code: 'RATE_LIMITED',
      cost: ID_FEED_DEMAND,
      liveCost: 3 * ID_FEED_DEMAND,
      maxLiveCost: BUDGET,
    });

    // Another user's budget is their own.
    const other = await signUp(system.urls.router, 'budget_ws_other');
    const otherClient = wsClient(system.urls.router, other.token);
    const otherFeed = collect(otherClient, ID_FEED, 1);
    await subscriptionsOpen(system.urls.router, 4);
    await calculate(other, 3);
    await otherFeed.done;

    feeds[0]!.stop();
    const again = await waitFor(async () => {
      const feed = collect<{ logAdded: { id: string } }>(client, ID_FEED, 1);
      await Promise.race([feed.done, calculate(user, 4).then(() => feed.done)]);
      return feed.done;
    });
    expect(again[0]?.data?.logAdded.id).toBeTruthy();
    await Promise.all([client.dispose(), otherClient.dispose()]);
  });

  it('a subscription that alone costs more than the budget is refused COST_LIMIT_EXCEEDED: a fetch of the log`s user counts for each event', async () => {
    const user = await signUp(system.urls.router, 'budget_alone');
    const client = wsClient(system.urls.router, user.token);
    // 1 + user 1 + delivery 5 + the owner fetch 400 (`createdAt` is not in the token).
    const refused = collect(client, 'subscription { logAdded { id user { createdAt } } }', 1);
    await expect(refused.done).rejects.toThrow(/COST_LIMIT_EXCEEDED/);
    const error = (await refused.done.catch((e: Error) => e)) as Error;
    expect(JSON.parse(error.message)[0].extensions).toMatchObject({ cost: 407, maxCost: BUDGET });
    await client.dispose();
  });

  it('a log`s user answered from the token (id, username) counts no fetch: two fit the budget of 20, each delivered with no gateway fetch', async () => {
    const user = await signUp(system.urls.router, 'Budget_Token');
    const client = wsClient(system.urls.router, user.token);
    // 1 + user 1 + delivery 5 = 7: two fit (14), a third would make 21.
    const fromToken = 'subscription { logAdded { id user { id username } } }';
    const feeds = [0, 1].map(() =>
      collect<{ logAdded: { id: string; user: { id: string; username: string } } }>(
        client,
        fromToken,
        1,
        60_000,
      ),
    );
    await connected(client);
    await subscriptionsOpen(system.urls.router, 2);
    const refused = collect(client, fromToken, 1);
    await expect(refused.done).rejects.toThrow(/RATE_LIMITED/);
    const error = (await refused.done.catch((e: Error) => e)) as Error;
    expect(JSON.parse(error.message)[0].extensions).toMatchObject({ cost: 7, liveCost: 14 });

    const resolutions = async () =>
      metricValue(
        await scrapeMetrics(system.urls.router),
        'router_log_added_gateway_resolutions_total',
      );
    const before = await resolutions();
    const answer = await gql<{ factorial: { log: { id: string } } }>(
      system.urls.router,
      '{ factorial(n: 11) { log { id } } }',
      {},
      bearer(user.token),
    );
    for (const feed of feeds)
      expect((await feed.done)[0]?.data?.logAdded).toEqual({
        id: answer.data!.factorial.log.id,
        user: { id: user.id, username: 'Budget_Token' },
      });
    expect(await resolutions()).toBe(before);
    await client.dispose();
  });

  it('over graphql-ws: a subscription completed while still checked, its id reused at once: the socket is closed 4409, and nothing is held after', async () => {
    const user = await signUp(system.urls.router, 'budget_reuse');
    const socket = new WebSocket(system.urls.router.replace(/^http/, 'ws'), 'graphql-transport-ws');
    const acknowledged = new Promise<void>((resolve) => socket.once('message', () => resolve()));
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    await new Promise((resolve) => socket.once('open', resolve));
    const send = (message: object) => socket.send(JSON.stringify(message));
    send({ type: 'connection_init', payload: { authorization: `Bearer ${user.token}` } });
    await acknowledged;
    // Subscribed, completed and subscribed again in one go: the first subscription is still
    // being checked (its token, its rate) when the client ends it and reuses its id. The two
    // would share graphql-ws' one entry for the id: the first one's end ended the second unseen
    // (or a hold on the budget was overwritten and never given back). As graphql-ws does for
    // an id it still holds, the socket is closed.
    send({ id: 'a', type: 'subscribe', payload: { query: ID_FEED } });
    send({ id: 'a', type: 'complete' });
    send({ id: 'a', type: 'subscribe', payload: { query: ID_FEED } });
    expect(await closed).toEqual({
      code: 4409,
      reason: 'Subscriber for this operation id already exists',
    });

    // Nothing of those is held: three feeds fit the budget again on a new socket.
    const client = wsClient(system.urls.router, user.token);
    const feeds = [0, 1, 2].map(() => collect(client, ID_FEED, 1, 20_000));
    await subscriptionsOpen(system.urls.router, 3);
    await calculate(user, 9);
    for (const feed of feeds) expect(await feed.done).toHaveLength(1);
    await client.dispose();
  });

  it('across transports: SSE streams and graphql-ws sockets share the budget; closing a socket or a stream frees their shares', async () => {
    const user = await signUp(system.urls.router, 'budget_sse');
    const open = async () => {
      const controller = new AbortController();
      const response = await eventStream(
        system.urls.router,
        user.token,
        ID_FEED,
        controller.signal,
      );
      return { response, close: () => controller.abort() };
    };
    const client = wsClient(system.urls.router, user.token);
    const feeds = [0, 1, 2].map(() => collect(client, ID_FEED, 1, 60_000));
    for (const feed of feeds) feed.done.catch(() => {});
    await connected(client);
    await subscriptionsOpen(system.urls.router, 3);

    const refused = await open();
    expect(refused.response.status).toBe(429);
    expect(refused.response.headers.get('retry-after')).toBe('1');
    const body = (await refused.response.json()) as {
      errors: Array<{ message: string; extensions: Record<string, unknown> }>;
    };
    expect(body.errors[0]?.extensions).toMatchObject({
      code: 'RATE_LIMITED',
      liveCost: 3 * ID_FEED_DEMAND,
      maxLiveCost: BUDGET,
    });

    // The socket's close gives back all three of its shares: three streams fit.
    await client.dispose();
    const streams = await waitFor(async () => {
      const opened = await Promise.all([open(), open(), open()]);
      const statuses = opened.map((stream) => stream.response.status);
      if (statuses.some((status) => status !== 200)) {
        for (const stream of opened) stream.close();
        throw new Error(`streams answered ${statuses.join(', ')}`);
      }
      return opened;
    });
    const next = firstEvent(streams[0]!.response);
    await subscriptionsOpen(system.urls.router, 3);
    await calculate(user, 5);
    expect(await next).toContain('event: next');

    // Now the streams hold the budget: a socket's subscription is refused, until one closes.
    const late = wsClient(system.urls.router, user.token);
    await expect(collect(late, ID_FEED, 1).done).rejects.toThrow(/RATE_LIMITED/);
    // Once the router no longer counts the closed stream, its share comes back as it closes:
    // the socket's subscription is admitted, refused at once only while the share is on its way.
    const active = async () =>
      metricValue(await scrapeMetrics(system.urls.router), 'router_active_subscriptions');
    const withStreams = await active();
    streams[1]!.close();
    await waitFor(async () => expect(await active()).toBe(withStreams - 1));
    const feed = await waitFor(async () => {
      const attempt = collect(late, ID_FEED, 1, 30_000);
      await Promise.race([attempt.done, subscriptionsOpen(system.urls.router, withStreams)]);
      return attempt;
    });
    await calculate(user, 6);
    expect(await feed.done).toHaveLength(1);
    for (const stream of streams) stream.close();
    await late.dispose();
  });
});

describe('the default budget', () => {
  let defaults: TestSystem;
  beforeAll(async () => {
    defaults = await startTestSystem();
  });
  afterAll(async () => {
    await defaults?.stop();
  });

  it('runs the web app`s feed in 19 tabs and the README`s subscription, each delivered; the probe`s costly subscriptions stop at 1', async () => {
    const user = await signUp(defaults.urls.router, 'budget_tabs');
    // The web app's own document (client/src/logs/recentLogs.ts): cost 5, demand 10 per event.
    const webFeed = `subscription LogAdded($after: ID) {
      logAdded(after: $after, includeRefused: true) {
        id operation input resultPreview digits cached durationMs status createdAt
      }
    }`;
    const readme = 'subscription { logAdded { operation input resultPreview user { username } } }';
    // 19 tabs and a playground: the 20 sockets a user may hold.
    const tabs = Array.from({ length: 19 }, () => wsClient(defaults.urls.router, user.token));
    const feeds = tabs.map((tab) => collect(tab, webFeed, 1, 60_000));
    const playground = wsClient(defaults.urls.router, user.token);
    const readmeFeed = collect<{ logAdded: { user: { username: string } } }>(
      playground,
      readme,
      1,
      60_000,
    );
    await subscriptionsOpen(defaults.urls.router, 20);
    await gql(defaults.urls.router, '{ factorial(n: 7) { digits } }', {}, bearer(user.token));
    await Promise.all(feeds.map((feed) => feed.done));
    expect((await readmeFeed.done)[0]?.data?.logAdded.user.username).toBe('budget_tabs');
    await Promise.all([...tabs, playground].map((tab) => tab.dispose()));

    // The README's subscription fetches nothing (`user { username }` is the token's): 6 + 5.
    // The probe's subscription: cost 22, with the owner fetch 427 per event; 500 were accepted
    // before the live budget, 2 with the fetch weighed 200.
    const probe =
      'subscription { logAdded { id user { username createdAt logs(limit: 20) { id } } } }';
    const attacker = await signUp(defaults.urls.router, 'budget_probe');
    const socket = wsClient(defaults.urls.router, attacker.token);
    const refusals: string[] = [];
    const outcomes = Array.from({ length: 5 }, () =>
      collect(socket, probe, 1, 60_000).done.then(
        () => 'delivered',
        (error: Error) => {
          refusals.push(error.message);
          return 'refused';
        },
      ),
    );
    await waitFor(() => expect(refusals).toHaveLength(4));
    for (const refusal of refusals)
      expect(refusal).toContain(
        'this subscription costs 427 per event, and your open subscriptions already cost 427 of the 500',
      );
    await gql(defaults.urls.router, '{ factorial(n: 8) { digits } }', {}, bearer(attacker.token));
    expect((await Promise.all(outcomes)).sort()).toEqual([
      'delivered',
      'refused',
      'refused',
      'refused',
      'refused',
    ]);
    await socket.dispose();
  });
});
