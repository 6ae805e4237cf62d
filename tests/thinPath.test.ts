/**
 * The path every user takes, through the router over real HTTP and graphql-ws: register, log
 * in, calculate, see the log in recentLogs and receive it live on logAdded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, collect, connected, gql, subscriptionsOpen, wsClient } from './support/graphql.js';
import {
  redisUrl,
  startTestSystem,
  testDatabaseUrl,
  type TestSystem,
  type TestSystemOptions,
} from './support/system.js';

const setups: Array<{ name: string; options: TestSystemOptions; skip: string | false }> = [
  { name: 'SQLite, in-process cache and events', options: {}, skip: false },
  {
    name: 'PostgreSQL and Redis',
    options: { database: 'postgres', redis: true },
    skip: !testDatabaseUrl || !redisUrl ? 'skipped: needs TEST_DATABASE_URL and REDIS_URL' : false,
  },
];

describe.each(setups)('thin path on $name', ({ options, skip }) => {
  let system: TestSystem;
  let url: string;
  const username = `Ada_${Date.now().toString(36)}`;
  const password = 'correct horse battery';

  beforeAll(async () => {
    if (skip) return;
    system = await startTestSystem(options);
    url = system.urls.router;
  });
  afterAll(async () => {
    await system?.stop();
  });

  it.skipIf(skip)('registers, logs in, calculates and sees the log, also live', async () => {
    const registered = await gql<{ register: { token: string; user: { username: string } } }>(
      url,
      `mutation($u: String!, $p: String!) { register(username: $u, password: $p) { token expiresAt user { id username } } }`,
      { u: username, p: password },
    );
    expect(registered.errors).toBeUndefined();
    expect(registered.data?.register.user.username).toBe(username);

    const loggedIn = await gql<{ login: { token: string } }>(
      url,
      `mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token user { username } } }`,
      { u: username.toLowerCase(), p: password },
    );
    expect(loggedIn.errors).toBeUndefined();
    const token = loggedIn.data?.login.token as string;

    const client = wsClient(url, token);
    const live = collect<{
      logAdded: { operation: string; input: string; user: { username: string } };
    }>(
      client,
      `subscription { logAdded { id operation input resultPreview user { username } } }`,
      1,
    );
    await connected(client);
    await subscriptionsOpen(url, 1);

    const calculated = await gql<{
      factorial: { result: string; digits: number; log: { id: string } };
    }>(url, `{ factorial(n: 10) { result digits exact cached log { id } } }`, {}, bearer(token));
    expect(calculated.errors).toBeUndefined();
    expect(calculated.data?.factorial).toMatchObject({ result: '3628800', digits: 7, exact: true });

    const recent = await gql<{
      recentLogs: Array<{ id: string; operation: string; input: string }>;
    }>(url, `{ recentLogs(limit: 5) { id operation input resultPreview } }`, {}, bearer(token));
    expect(recent.data?.recentLogs[0]).toMatchObject({
      id: calculated.data?.factorial.log.id,
      operation: 'FACTORIAL',
      input: '{"n":10}',
    });

    const [event] = await live.done;
    expect(event).toMatchObject({
      data: { logAdded: { operation: 'FACTORIAL', input: '{"n":10}', user: { username } } },
    });
    await client.dispose();
  });
});
