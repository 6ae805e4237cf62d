/**
 * graphql-sse at /graphql/stream: a signed-in subscriber gets their own logAdded events with
 * fields from both subgraphs, and a stream without a valid token is refused.
 */
import { createClient, type Client } from 'graphql-sse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, eventStream, gql, signUp } from '../../tests/support/graphql.js';
import { startTestSystem, type TestSystem } from '../../tests/support/system.js';
import { waitFor } from '../../tests/support/waitFor.js';

let system: TestSystem;
let streamUrl: string;

beforeAll(async () => {
  system = await startTestSystem();
  streamUrl = `${system.urls.router}/stream`;
});
afterAll(async () => {
  await system?.stop();
});

function sseClient(token: string): Client {
  return createClient({
    url: streamUrl,
    headers: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
  });
}

/** Resolves once the router counts an open subscription (the stream is then in place). */
async function subscriptionOpen(): Promise<void> {
  await waitFor(async () => {
    const { values } = await system.router.metrics.activeSubscriptions.get();
    expect(values[0]?.value ?? 0).toBeGreaterThan(0);
  });
}

/** The first event of a subscription, or the error that ended it. */
function firstEvent<T>(client: Client, query: string) {
  let unsubscribe = () => {};
  const event = new Promise<{ data?: T | null; errors?: unknown }>((resolve, reject) => {
    unsubscribe = client.subscribe<T>(
      { query },
      { next: (value) => resolve(value as { data?: T | null }), error: reject, complete: () => {} },
    );
  });
  return { event, unsubscribe: () => unsubscribe() };
}

describe('graphql-sse', () => {
  it('delivers a subscriber their own logAdded events with user fields filled', async () => {
    const [alice, bob] = [
      (await signUp(system.urls.router, 'sse_alice')).token,
      (await signUp(system.urls.router, 'sse_bob')).token,
    ];
    const client = sseClient(alice);
    const live = firstEvent<{ logAdded: { input: string; user: { username: string } } }>(
      client,
      'subscription { logAdded { input user { username } } }',
    );
    await subscriptionOpen();
    await gql(system.urls.router, '{ factorial(n: 13) { digits } }', {}, bearer(bob));
    await gql(system.urls.router, '{ factorial(n: 6) { digits } }', {}, bearer(alice));
    const { data } = await live.event;
    expect(data?.logAdded).toEqual({ input: '{"n":6}', user: { username: 'sse_alice' } });
    live.unsubscribe();
    client.dispose();
  });

  it('refuses a stream without a token: 401 UNAUTHENTICATED', async () => {
    const response = await fetch(streamUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: 'subscription { logAdded { id } }' }),
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    const body = (await response.json()) as {
      errors: Array<{ message: string; extensions: { code: string } }>;
    };
    expect(body.errors[0]?.extensions.code).toBe('UNAUTHENTICATED');
    // Queries are streamed here too: the message does not speak of subscribing only.
    expect(body.errors[0]?.message).toBe(
      'Send Authorization: Bearer TOKEN to open a stream (queries and subscriptions alike)',
    );
  });

  it('refuses a stream with a forged token: 401 UNAUTHENTICATED', async () => {
    const client = sseClient('not.a.token');
    const { event } = firstEvent(client, 'subscription { logAdded { id } }');
    await expect(event).rejects.toThrow(/401/);
    client.dispose();
  });

  it('streams for an Accept header that lists text/event-stream among other types', async () => {
    const { token } = await signUp(system.urls.router, 'sse_accept');
    const response = await fetch(streamUrl, {
      method: 'POST',
      headers: {
        ...bearer(token),
        'content-type': 'application/json',
        accept: 'text/event-stream, application/json;q=0.9, */*;q=0.8',
      },
      body: JSON.stringify({ query: '{ factorial(n: 5) { result } }' }),
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('data: {"data":{"factorial":{"result":"120"}}}');
  });

  it('names the stream’s request id in x-request-id, as HTTP does', async () => {
    const { token } = await signUp(system.urls.router, 'sse_request_id');
    const response = await eventStream(system.urls.router, token, '{ factorial(n: 6) { digits } }');
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    await response.text();
  });

  it.each([
    {
      what: 'a request that does not accept text/event-stream',
      init: { method: 'POST', accept: 'application/json', type: 'application/json' },
      status: 406,
      message: 'Send Accept: text/event-stream to open a stream; other requests go to /graphql',
    },
    {
      what: 'an operation that is not JSON',
      init: { method: 'POST', accept: 'text/event-stream', type: 'text/plain' },
      status: 415,
      message: 'Send the operation as JSON (Content-Type: application/json)',
    },
    {
      what: 'a method other than GET or POST',
      init: { method: 'PUT', accept: 'text/event-stream', type: 'application/json' },
      status: 405,
      message: 'Open a stream with POST (or GET)',
    },
  ])('refuses $what with $status and a message', async ({ init, status, message }) => {
    const { token } = await signUp(system.urls.router, `sse_refused_${status}`);
    const response = await fetch(streamUrl, {
      method: init.method,
      headers: { ...bearer(token), 'content-type': init.type, accept: init.accept },
      body: JSON.stringify({ query: 'subscription { logAdded { id } }' }),
    });
    expect(response.status).toBe(status);
    expect(await response.json()).toEqual({
      errors: [{ message, extensions: { code: 'BAD_REQUEST' } }],
    });
  });

  // In Apollo Server's words, as HTTP refuses them (apolloRequestRefusals.ts).
  it.each([
    ['no key', {}, 'POST body missing, invalid Content-Type, or JSON object has no keys.'],
    [
      'a null query',
      { query: null },
      'GraphQL operations must contain a non-empty `query` or a `persistedQuery` extension.',
    ],
    ['a batch', [{ query: '{ __typename }' }], 'Operation batching disabled.'],
    [
      'variables that are not an object',
      { query: '{ __typename }', variables: 'x' },
      '`variables` in a POST body should be provided as an object, not a recursively JSON-encoded string.',
    ],
    [
      'an operationName that is not a string',
      { query: '{ __typename }', operationName: 1 },
      '`operationName` in a POST body must be a string if provided.',
    ],
  ])('refuses a body with %s: 400 BAD_REQUEST, with a message', async (_what, body, message) => {
    const { token } = await signUp(
      system.urls.router,
      `sse_body_${Math.random().toString(36).slice(2, 10)}`,
    );
    const response = await fetch(streamUrl, {
      method: 'POST',
      headers: {
        ...bearer(token),
        'content-type': 'application/json',
        accept: 'text/event-stream',
      },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      errors: [{ message, extensions: { code: 'BAD_REQUEST' } }],
    });
  });

  it.each([
    [
      'no query',
      '',
      'GraphQL operations must contain a non-empty `query` or a `persistedQuery` extension.',
    ],
    ['two queries', '?query=a&query=b', "The 'query' search parameter may only be specified once."],
    [
      'variables that are not JSON',
      '?query=%7B__typename%7D&variables=nope',
      'The variables search parameter contains invalid JSON.',
    ],
    [
      'variables that are not an object',
      '?query=%7B__typename%7D&variables=5',
      'The variables search parameter should contain a JSON-encoded object.',
    ],
  ])('refuses a GET with %s: 400 BAD_REQUEST, with a message', async (_what, search, message) => {
    const { token } = await signUp(
      system.urls.router,
      `sse_get_${Math.random().toString(36).slice(2, 10)}`,
    );
    const response = await fetch(`${streamUrl}${search}`, {
      headers: { ...bearer(token), accept: 'text/event-stream' },
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      errors: [{ message, extensions: { code: 'BAD_REQUEST' } }],
    });
  });

  // A '?' is allowed unescaped in a query string (RFC 3986). Apollo Server reads the search from
  // the first '?' on; graphql-sse split the URL at every '?' and read only up to the second, so
  // variables holding one were cut short and refused 400 "Unparsable URL", with no code.
  it('answers a GET whose query string holds a second, unescaped ?, as HTTP does', async () => {
    const { token } = await signUp(system.urls.router, 'sse_get_question_mark');
    const query = encodeURIComponent('query Fib($n: Int!) { fibonacci(n: $n) { digits } }');
    const search = `?query=${query}&variables={"n":12,"note":"why?"}&operationName=Fib`;
    const overHttp = await fetch(`${system.urls.router}${search}`, {
      headers: { ...bearer(token), 'apollo-require-preflight': 'true' },
    });
    expect(await overHttp.json()).toEqual({ data: { fibonacci: { digits: 3 } } });
    const response = await fetch(`${streamUrl}${search}`, {
      headers: { ...bearer(token), accept: 'text/event-stream' },
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('data: {"data":{"fibonacci":{"digits":3}}}');
  });

  it('refuses an invalid operation with 400 before the stream opens, as HTTP does', async () => {
    const { token } = await signUp(system.urls.router, 'sse_invalid');
    const query = '{ me { id password } }';
    const response = await fetch(streamUrl, {
      method: 'POST',
      headers: {
        ...bearer(token),
        'content-type': 'application/json',
        accept: 'text/event-stream',
      },
      body: JSON.stringify({ query }),
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const overHttp = await gql(system.urls.router, query, {}, bearer(token));
    expect(overHttp.status).toBe(400);
    const { message, locations } = overHttp.errors?.[0] as { message: string; locations?: unknown };
    expect(message).toMatch(/^Cannot query field "password" on type "User"/);
    // The same error as HTTP's, but for its stack trace (development sends one over HTTP).
    expect(await response.json()).toEqual({
      errors: [{ message, locations, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }],
    });
  });

  it('refuses a mutation sent with GET: 405, POST allowed, BAD_REQUEST', async () => {
    const { token } = await signUp(system.urls.router, 'sse_get_mutation');
    const search = new URLSearchParams({ query: 'mutation { logout }' });
    const response = await fetch(`${streamUrl}?${search}`, {
      headers: { ...bearer(token), accept: 'text/event-stream' },
    });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
    expect(await response.json()).toEqual({
      errors: [
        {
          message: 'A mutation cannot be sent with GET; send it with POST',
          extensions: { code: 'BAD_REQUEST' },
        },
      ],
    });
    // Refused before it ran: the token still works.
    const me = await gql(system.urls.router, '{ me { id } }', {}, bearer(token));
    expect(me.errors).toBeUndefined();
  });
});
