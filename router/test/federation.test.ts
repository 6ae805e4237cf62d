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
  // One user's 200 subscriptions below, each with its user fetch counted in the live demand
  // budget (over 400 per event), though identical selections share one fetch: the test is of that.
  system = await startTestSystem({
    env: {
      ROUTER_WS_MAX_CONNECTIONS_PER_USER: '200',
      ROUTER_MAX_LIVE_COST_PER_USER: '100000',
      // Its 200 sockets connect at once from one address, all waiting to sign in together.
      ROUTER_WS_MAX_WAITING_PER_ADDRESS: '200',
    },
  });
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

describe('a mutation that signs in', () => {
  const password = 'correct horse battery';
  const refusal = {
    message: expect.stringMatching(
      /^user \{ logs \} cannot be read in the request that signs in \((register|login)\): the logs need the token it returns\. Ask for them with that token in the next request\.$/,
    ),
    extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }),
  };

  // User.logs needs a signed-in caller, and the payload is non-null: its error would null the
  // whole answer after the account was made or the password checked, and the token would be lost.
  it('refuses user { logs } before anything runs, so no token is lost', async () => {
    const username = `signin_logs_${Date.now().toString(36)}`;
    const register = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: `mutation ($u: String!, $p: String!) {
  register(username: $u, password: $p) { token user { id logs { id } } }
}`,
        variables: { u: username, p: password },
      }),
    });
    expect(register.status).toBe(400);
    const body = (await register.json()) as { data?: unknown; errors: unknown[] };
    expect(body.data).toBeUndefined();
    expect(body.errors).toEqual([{ ...refusal, locations: [{ line: 2, column: 58 }] }]);

    // Nothing ran: the name is still free, and the account made now signs in.
    const made = await gql<{ register: { token: string } }>(
      url,
      'mutation ($u: String!, $p: String!) { register(username: $u, password: $p) { token } }',
      { u: username, p: password },
    );
    expect(made.errors).toBeUndefined();

    // Through a fragment and an alias too, and for login.
    const login = await gql(
      url,
      `mutation ($u: String!, $p: String!) { again: login(username: $u, password: $p) { ...P } }
fragment P on AuthPayload { token user { ... on User { mine: logs(limit: 1) { id } } } }`,
      { u: username, p: password },
    );
    expect(login.errors).toEqual([{ ...refusal, locations: [{ line: 2, column: 56 }] }]);

    // Left out by @skip, it is not asked for; renewToken has its caller, so it can have them.
    const skipped = await gql<{ login: { token: string } }>(
      url,
      `mutation ($u: String!, $p: String!, $no: Boolean!) {
  login(username: $u, password: $p) { token user { logs @skip(if: $no) { id } } }
}`,
      { u: username, p: password, no: true },
    );
    expect(skipped.errors).toBeUndefined();
    const renewed = await gql<{ renewToken: { user: { logs: unknown[] } } }>(
      url,
      'mutation { renewToken { user { logs { id } } } }',
      {},
      bearer(skipped.data!.login.token),
    );
    expect(renewed.errors).toBeUndefined();
    expect(renewed.data?.renewToken.user.logs).toEqual([]);
  });

  // Another field's error would null the sign-in's answer too: `a` would make its account and
  // lose its token when `b` is refused.
  it('refuses any other field beside a sign-in before anything runs, naming both', async () => {
    const username = `signin_alone_${Date.now().toString(36)}`;
    const variables = { u: username, p: password };
    const twice = await gql(
      url,
      `mutation ($u: String!, $p: String!) {
  a: register(username: $u, password: $p) { token }
  b: register(username: $u, password: $p) { token }
}`,
      variables,
    );
    expect(twice.status).toBe(400);
    expect(twice.data ?? null).toBeNull();
    expect(twice.errors).toEqual([
      {
        message:
          'register must be the only field of its mutation: an error in b would null the whole answer and lose the token register returns. Send it in a request of its own.',
        locations: [
          { line: 2, column: 3 },
          { line: 3, column: 3 },
        ],
        extensions: expect.objectContaining({ code: 'GRAPHQL_VALIDATION_FAILED' }),
      },
    ]);
    // Nothing ran: the name is still free.
    const made = await gql<{ register: { token: string } }>(
      url,
      'mutation ($u: String!, $p: String!) { register(username: $u, password: $p) { token } }',
      variables,
    );
    expect(made.errors).toBeUndefined();

    const withLogout = await gql(
      url,
      'mutation ($u: String!, $p: String!) { login(username: $u, password: $p) { token } logout }',
      variables,
      bearer(made.data!.register.token),
    );
    expect(withLogout.errors?.[0]?.message).toMatch(
      /^login must be the only field of its mutation: an error in logout /,
    );

    // One sign-in written twice under one response key is one call: not refused.
    const merged = await gql<{ login: { token: string; user: { id: string } } }>(
      url,
      `mutation ($u: String!, $p: String!) {
  login(username: $u, password: $p) { token }
  ... on Mutation { login(username: $u, password: $p) { user { id } } }
}`,
      variables,
    );
    expect(merged.errors).toBeUndefined();
    expect(merged.data?.login.token).toEqual(expect.any(String));

    // __typename cannot fail, and a field @skip leaves out is not run: both may stay.
    const alone = await gql<{ login: { token: string } }>(
      url,
      `mutation ($u: String!, $p: String!, $no: Boolean!) {
  __typename
  login(username: $u, password: $p) { token }
  logout @skip(if: $no)
}`,
      { ...variables, no: true },
    );
    expect(alone.errors).toBeUndefined();
    expect(alone.data?.login.token).toEqual(expect.any(String));
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
    // `createdAt` is not in the token: the user is fetched, once for all of them.
    const query = 'subscription { logAdded { id operation user { username createdAt } } }';
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

  it('the user`s id and username come from the token with no gateway fetch; any other field of it is fetched once per event', async () => {
    // Registered as typed, letter case kept: what auth's User.username answers, and the token says.
    const account = await signUp(url, 'Token.Owner');
    const client = wsClient(url, account.token);
    type Delivered = {
      logAdded: { id: string; user: { id: string; username: string; createdAt?: string } };
    };
    const fromToken = collect<Delivered>(
      client,
      'subscription { logAdded { id user { id username } } }',
      2,
    );
    const fetched = collect<Delivered>(
      client,
      'subscription { logAdded { id user { id createdAt } } }',
      2,
    );
    await connected(client);
    await subscriptionsOpen(url, 2);
    const before = system.router.logAdded.gatewayResolutions;
    const ids: string[] = [];
    for (const n of [5, 6]) {
      const answer = await gql<{ factorial: { log: { id: string } } }>(
        url,
        `{ factorial(n: ${n}) { log { id } } }`,
        {},
        bearer(account.token),
      );
      ids.push(answer.data!.factorial.log.id);
    }
    const tokenEvents = await fromToken.done;
    expect(tokenEvents.map((event) => event.data?.logAdded)).toEqual(
      ids.map((id) => ({ id, user: { id: account.id, username: 'Token.Owner' } })),
    );
    const me = await gql<{ me: { createdAt: string } }>(
      url,
      '{ me { createdAt } }',
      {},
      bearer(account.token),
    );
    const fetchedEvents = await fetched.done;
    expect(fetchedEvents.map((event) => event.data?.logAdded)).toEqual(
      ids.map((id) => ({ id, user: { id: account.id, createdAt: me.data!.me.createdAt } })),
    );
    // Two events: two fetches, both for the subscription selecting `createdAt`.
    expect(system.router.logAdded.gatewayResolutions - before).toBe(2);
    await client.dispose();
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
