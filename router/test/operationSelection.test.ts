/**
 * Which operation of a document to run is the client's to say; not saying it is a 400. Over
 * graphql-ws and SSE the same refusals as over HTTP, in the same words, with the same codes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, signUp, wsClient } from '../../tests/support/graphql.js';
import { startTestSystem, type TestSystem } from '../../tests/support/system.js';

let system: TestSystem;

beforeAll(async () => {
  system = await startTestSystem();
});
afterAll(async () => {
  await system?.stop();
});

const twoOperations = 'query A { __typename } query B { me { id } }';

type Errors = Array<{ message: string; extensions?: { code?: string } }>;

async function post(body: Record<string, unknown>) {
  const response = await fetch(system.urls.router, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as { data?: unknown; errors?: Errors };
  return { status: response.status, ...json };
}

const newUser = () =>
  signUp(system.urls.router, `chooser_${Math.random().toString(36).slice(2, 8)}`);

/** The single result of a query or mutation sent over the socket, errors included. */
async function overSocket(payload: {
  query: string;
  operationName?: string;
  extensions?: Record<string, unknown>;
}) {
  const client = wsClient(system.urls.router, (await newUser()).token);
  try {
    return await new Promise<{ data?: unknown; errors?: Errors; sent: 'next' | 'error' }>(
      (resolve, reject) => {
        let last: { data?: unknown; errors?: Errors } = {};
        client.subscribe(payload, {
          next: (value) => (last = value as typeof last),
          error: (error) =>
            Array.isArray(error)
              ? resolve({ errors: error as Errors, sent: 'error' })
              : reject(error),
          complete: () => resolve({ ...last, sent: 'next' }),
        });
      },
    );
  } finally {
    await client.dispose();
  }
}

/** A GET's query string for the body: its strings as they are, the rest as JSON. */
const searchOf = (body: Record<string, unknown>) =>
  new URLSearchParams(
    Object.entries(body).map(([name, value]) => [
      name,
      typeof value === 'string' ? value : JSON.stringify(value),
    ]),
  );

/**
 * The answer to one operation over graphql-sse: a refusal before the stream opens (JSON), or the
 * stream's one result. With GET, the body goes in the query string.
 */
async function overSse(body: Record<string, unknown>, method: 'POST' | 'GET' = 'POST') {
  const token = (await newUser()).token;
  const response = await (method === 'POST'
    ? fetch(`${system.urls.router}/stream`, {
        method,
        headers: {
          ...bearer(token),
          'content-type': 'application/json',
          accept: 'text/event-stream',
        },
        body: JSON.stringify(body),
      })
    : fetch(`${system.urls.router}/stream?${searchOf(body)}`, {
        headers: { ...bearer(token), accept: 'text/event-stream' },
      }));
  const type = response.headers.get('content-type') ?? '';
  const text = await response.text();
  if (type.startsWith('application/json'))
    return { status: response.status, type, ...(JSON.parse(text) as { errors?: Errors }) };
  const events = [...text.matchAll(/^event: (\w+)\ndata:(.*)$/gm)].map(([, event, data]) => ({
    event,
    data: data?.trim(),
  }));
  const result = JSON.parse(events[0]?.data ?? '{}') as { data?: unknown; errors?: Errors };
  return { status: response.status, type, events: events.map((e) => e.event), ...result };
}

describe('choosing the operation', () => {
  it('runs the one operationName names', async () => {
    const result = await post({ query: twoOperations, operationName: 'A' });
    expect(result).toMatchObject({ status: 200, data: { __typename: 'Query' } });
  });

  it('without operationName: 400 OPERATION_RESOLUTION_FAILURE, not a 500', async () => {
    const result = await post({ query: twoOperations });
    expect(result.status).toBe(400);
    expect(result.errors?.[0]).toMatchObject({
      message: expect.stringMatching(/operationName/),
      extensions: { code: 'OPERATION_RESOLUTION_FAILURE' },
    });
  });

  it('with an operationName the document lacks: 400 naming it', async () => {
    const result = await post({ query: twoOperations, operationName: 'C' });
    expect(result.status).toBe(400);
    expect(result.errors?.[0]?.message).toBe('Unknown operation named "C"');
  });
});

describe('choosing the operation over graphql-ws', () => {
  it('runs the one operationName names, through the gateway', async () => {
    const result = await overSocket({ query: twoOperations, operationName: 'B' });
    expect(result).toEqual({ data: { me: { id: expect.any(String) } }, sent: 'next' });
  });

  it('refuses a document with an unknown field before running anything', async () => {
    const result = await overSocket({ query: '{ me { id password } }' });
    expect(result.errors?.[0]?.message).toMatch(/Cannot query field "password"/);
  });
});

describe('choosing the operation over SSE', () => {
  it('runs the one operationName names, through the gateway', async () => {
    const result = await overSse({ query: twoOperations, operationName: 'B' });
    expect(result).toMatchObject({
      status: 200,
      type: expect.stringMatching(/^text\/event-stream/),
      events: ['next', 'complete'],
      data: { me: { id: expect.any(String) } },
    });
  });
});

/**
 * What HTTP refuses before planning, graphql-ws and SSE refuse in its words and with its code:
 * an `error` message over graphql-ws, and over SSE HTTP's status (a 400 is answered before the
 * stream opens, as JSON; a 200 is a stream of that one result).
 */
describe('the same refusals over graphql-ws and SSE as over HTTP', () => {
  const persistedQuery = { version: 1, sha256Hash: 'a'.repeat(64) };
  it.each([
    {
      what: 'a document of several operations without operationName',
      body: { query: 'query A { __typename } query B { __typename }' },
      status: 400,
      message: 'The document has several operations: say which to run with operationName',
      code: 'OPERATION_RESOLUTION_FAILURE',
    },
    {
      what: 'an operationName the document lacks',
      body: { query: 'query A { __typename }', operationName: 'B' },
      status: 400,
      message: 'Unknown operation named "B"',
      code: 'OPERATION_RESOLUTION_FAILURE',
    },
    {
      what: 'an empty operationName, for a document of one operation',
      body: { query: '{ __typename }', operationName: '' },
      status: 400,
      message: 'Unknown operation named ""',
      code: 'OPERATION_RESOLUTION_FAILURE',
    },
    {
      what: 'a persisted query, with its query',
      body: { query: '{ __typename }', extensions: { persistedQuery } },
      status: 200,
      message: 'PersistedQueryNotSupported',
      code: 'PERSISTED_QUERY_NOT_SUPPORTED',
    },
    {
      what: 'a persisted query by its hash alone',
      body: { extensions: { persistedQuery } },
      status: 200,
      message: 'PersistedQueryNotSupported',
      code: 'PERSISTED_QUERY_NOT_SUPPORTED',
      notOverSocket: true,
    },
    // Malformed requests: Apollo Server's words over HTTP (apolloRequestRefusals.ts).
    ...[
      { what: 'an empty query', body: { query: '' } },
      { what: 'no query', body: { variables: {} }, notOverSocket: true },
      {
        what: 'a body without a key',
        body: {},
        message: 'POST body missing, invalid Content-Type, or JSON object has no keys.',
        notOverSocket: true,
      },
    ].map((row) => ({
      message:
        'GraphQL operations must contain a non-empty `query` or a `persistedQuery` extension.',
      ...row,
      status: 400,
      code: 'BAD_REQUEST',
    })),
    ...[
      {
        what: 'a query that is not a string',
        body: { query: 5 },
        message: 'GraphQL queries must be strings.',
      },
      {
        what: 'variables sent as a string',
        body: { query: '{ __typename }', variables: 'x' },
        message:
          '`variables` in a POST body should be provided as an object, not a recursively JSON-encoded string.',
      },
      {
        what: 'variables that are not an object',
        body: { query: '{ __typename }', variables: 5 },
        message: '`variables` in a POST body must be an object if provided.',
      },
      {
        what: 'extensions that are not an object',
        body: { query: '{ __typename }', extensions: [] },
        message: '`extensions` in a POST body must be an object if provided.',
      },
      {
        what: 'an operationName that is not a string',
        body: { query: '{ __typename }', operationName: 5 },
        message: '`operationName` in a POST body must be a string if provided.',
      },
    ].map((row) => ({ ...row, status: 400, code: 'BAD_REQUEST', notOverSocket: true })),
  ])('$what: $code', async ({ body, status, message, code, notOverSocket }) => {
    const refusal = [{ message, extensions: expect.objectContaining({ code }) }];
    const http = await post(body);
    expect(http).toMatchObject({ status, errors: refusal });
    expect(http).not.toHaveProperty('data');

    // A subscribe message whose payload is malformed is not graphql-ws': its client will not
    // send one, and its server closes the socket (4400) for one before our code sees it.
    if (!notOverSocket) {
      const socket = await overSocket(body as Parameters<typeof overSocket>[0]);
      expect(socket).toEqual({ errors: refusal, sent: 'error' });
    }

    const sse = await overSse(body);
    expect(sse).toMatchObject({ status, errors: refusal });
    expect(sse).not.toHaveProperty('data');
    if (status === 400) expect(sse.type).toMatch(/^application\/json/);
    else
      expect(sse).toMatchObject({
        type: expect.stringMatching(/^text\/event-stream/),
        events: ['next', 'complete'],
      });
  });
});

describe('a persisted query by its hash alone, sent with GET', () => {
  it('is one PERSISTED_QUERY_NOT_SUPPORTED, 200, over SSE (its stream’s event) as over HTTP', async () => {
    const search = searchOf({
      extensions: { persistedQuery: { version: 1, sha256Hash: 'b'.repeat(64) } },
    });
    const response = await fetch(`${system.urls.router}?${search}`, {
      headers: { 'apollo-require-preflight': 'true' },
    });
    const refusal = [
      {
        message: 'PersistedQueryNotSupported',
        extensions: expect.objectContaining({ code: 'PERSISTED_QUERY_NOT_SUPPORTED' }),
      },
    ];
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ errors: refusal });
    const sse = await overSse(Object.fromEntries(search), 'GET');
    expect(sse).toEqual({
      status: 200,
      type: expect.stringMatching(/^text\/event-stream/),
      events: ['next', 'complete'],
      errors: refusal,
    });
  });
});

describe('a sign-in whose answer could be nulled, over graphql-ws and SSE as over HTTP', () => {
  // Refused before anything runs (signInAnswers.ts). Over graphql-ws it had come as a result
  // with no data (`next`, then `complete`), not as the refusal HTTP makes of it.
  it.each([
    {
      what: 'another field beside it',
      query:
        'mutation { login(username: "nobody_here", password: "not a password") { token } logout }',
      code: 'GRAPHQL_VALIDATION_FAILED',
    },
    {
      what: 'user { logs } under it',
      query:
        'mutation { login(username: "nobody_here", password: "not a password") { user { logs { id } } } }',
      code: 'BAD_USER_INPUT',
    },
  ])('$what: 400 $code, an `error` message over graphql-ws', async ({ query, code }) => {
    const http = await post({ query });
    expect(http).toMatchObject({
      status: 400,
      errors: [{ extensions: expect.objectContaining({ code }) }],
    });
    expect(http).not.toHaveProperty('data');
    // Without the stack trace a development router adds to HTTP's errors.
    const refusal = (http as { errors: Errors }).errors.map((error) => {
      const { stacktrace: _stack, ...extensions } = error.extensions as Record<string, unknown>;
      return { ...error, extensions };
    });
    expect(await overSocket({ query })).toEqual({ errors: refusal, sent: 'error' });
    const sse = await overSse({ query });
    expect(sse).toMatchObject({
      status: 400,
      type: expect.stringMatching(/^application\/json/),
      errors: refusal,
    });
  });
});
