/**
 * Operations too deep, too aliased, too long or too large are refused before planning, each
 * with an error that says which limit it broke, and the router stays ready afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  operationLimits,
  TOO_DEEPLY_NESTED_MESSAGE,
  TOO_MANY_FIELDS_MESSAGE,
} from '@microservice-math/router/gateway/operationLimits';
import { collect, eventStream, gql, signUp, wsClient } from '../../tests/support/graphql.js';
import { startTestSystem, type TestSystem } from '../../tests/support/system.js';

let system: TestSystem;

beforeAll(async () => {
  system = await startTestSystem();
});
afterAll(async () => {
  await system?.stop();
});

/**
 * `{ me { logs(limit: 1) { user { logs(limit: 1) { … id } } } } }`, `depth` fields deep; lists
 * of one, so that demand control (tests/reliability/demandControl.test.ts) lets it through.
 */
function nested(depth: number): string {
  const fields = [
    'me',
    ...Array.from({ length: depth - 2 }, (_, i) => (i % 2 ? 'user' : 'logs(limit: 1)')),
  ];
  return `{ ${fields.join(' { ')} { id }${' }'.repeat(fields.length - 1)} }`;
}

/**
 * `nested(depth)` with each level after `me` in a fragment of its own: the same depth, written
 * as clients that colocate fragments write it.
 */
function nestedInFragments(depth: number): string {
  const levels = Array.from({ length: depth - 2 }, (_, i) =>
    i % 2 ? { type: 'RequestLog', field: 'user' } : { type: 'User', field: 'logs(limit: 1)' },
  );
  const fragments = levels.map(({ type, field }, i) => {
    const inner = i + 1 < levels.length ? `...F${i + 1}` : 'id';
    return `fragment F${i} on ${type} { ${field} { ${inner} } }`;
  });
  return `{ me { ...F0 } } ${fragments.join(' ')}`;
}

/** Each limit's refusal in the router's own words: what was found and what is accepted. */
const tooMuch = {
  depth: {
    query: nested(operationLimits.maxDepth + 2),
    message: `The operation is ${operationLimits.maxDepth + 2} fields deep; the router accepts at most ${operationLimits.maxDepth}`,
  },
  aliases: {
    query: `{ ${Array.from({ length: operationLimits.maxAliases + 1 }, (_, i) => `a${i}: me { id }`).join(' ')} }`,
    message: `The operation has ${operationLimits.maxAliases + 1} aliases; the router accepts at most ${operationLimits.maxAliases}`,
  },
  'aliases of __typename': {
    query: `{ ${Array.from({ length: operationLimits.maxAliases + 1 }, (_, i) => `a${i}: __typename`).join(' ')} }`,
    message: `The operation has ${operationLimits.maxAliases + 1} aliases; the router accepts at most ${operationLimits.maxAliases}`,
  },
  directives: {
    query: `{ __typename ${'@skip(if: false) '.repeat(operationLimits.maxDirectives + 1)}}`,
    message: `The operation has ${operationLimits.maxDirectives + 1} directives; the router accepts at most ${operationLimits.maxDirectives}`,
  },
  // Under the token limit, but more repeats than graphql-js compares ("Validation aborted.").
  'repeated fields': {
    query: `{ ${'__typename '.repeat(1_000)}}`,
    message: TOO_MANY_FIELDS_MESSAGE,
  },
  tokens: {
    query: `{ ${'__typename '.repeat(operationLimits.maxTokens)}}`,
    message: `The operation has more than ${operationLimits.maxTokens} tokens (names, values and punctuation); the router accepts at most ${operationLimits.maxTokens}`,
  },
};

describe('operation limits', () => {
  it('an operation within every limit runs', async () => {
    const result = await gql(system.urls.router, nested(operationLimits.maxDepth - 1));
    expect(result.errors).toBeUndefined();
  });

  it('depth is counted in fields, not in fragment spreads', async () => {
    const within = await gql(system.urls.router, nestedInFragments(operationLimits.maxDepth));
    expect(within.errors).toBeUndefined();
    const over = await gql(system.urls.router, nestedInFragments(operationLimits.maxDepth + 1));
    expect(over.status).toBe(400);
    expect(over.errors?.[0]?.message).toMatch(/^The operation is \d+ fields deep/);
  });

  it.each(Object.entries(tooMuch))(
    'too many %s: 400 naming the limit',
    async (_, { query, message }) => {
      const result = await gql(system.urls.router, query);
      expect(result.status).toBe(400);
      expect(result.data ?? null).toBeNull();
      expect(result.errors?.[0]?.message).toBe(message);
    },
  );

  it('a body over 64 kB: 413 with a GraphQL-shaped JSON error', async () => {
    const response = await fetch(system.urls.router, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ __typename }${' '.repeat(70_000)}` }),
    });
    expect(response.status).toBe(413);
    const body = (await response.json()) as { errors: Array<{ message: string }> };
    expect(body.errors[0]?.message).toMatch(/larger than the router accepts \(65536 bytes\)/);
  });

  it('a body that is not JSON: 400 saying so', async () => {
    const response = await fetch(system.urls.router, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query": ',
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { errors: Array<{ message: string }> };
    expect(body.errors[0]?.message).toBe('The request body is not valid JSON');
  });

  it.each(['42', '"{ __typename }"', 'null'])(
    'a body that is JSON but not an object (%s): 400 saying what to send',
    async (text) => {
      const response = await fetch(system.urls.router, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: text,
      });
      expect(response.status).toBe(400);
      const body = (await response.json()) as { errors: Array<{ message: string }> };
      expect(body.errors[0]?.message).toBe(
        'The request body must be a JSON object: {"query": "…", "variables": {…}}',
      );
    },
  );

  describe('over WebSocket', () => {
    let token: string;
    beforeAll(async () => {
      const registered = await gql<{ register: { token: string } }>(
        system.urls.router,
        'mutation { register(username: "limits_ws", password: "long-password") { token } }',
      );
      token = registered.data!.register.token;
    });

    it('a subscription too deep gets an error naming the limit', async () => {
      const client = wsClient(system.urls.router, token);
      const selection = nested(operationLimits.maxDepth + 1).replace(/^\{ me/, '{ user');
      const deep = `subscription { logAdded ${selection} }`;
      await expect(collect(client, deep, 1).done).rejects.toThrow(
        `fields deep; the router accepts at most ${operationLimits.maxDepth}"`,
      );
      await client.dispose();
    });

    it('a subscription repeating too many fields gets the router’s words for it', async () => {
      const client = wsClient(system.urls.router, token);
      const repeated = `subscription { logAdded { ${'id '.repeat(1_000)}} }`;
      await expect(collect(client, repeated, 1).done).rejects.toThrow(TOO_MANY_FIELDS_MESSAGE);
      await client.dispose();
    });

    it('a subscription over the token limit gets the parser’s error', async () => {
      const client = wsClient(system.urls.router, token);
      const long = `subscription { logAdded { ${'id '.repeat(operationLimits.maxTokens)}} }`;
      await expect(collect(client, long, 1).done).rejects.toThrow(tooMuch.tokens.message);
      await client.dispose();
    });
  });

  describe('over SSE', () => {
    let token: string;
    beforeAll(async () => {
      token = (await signUp(system.urls.router, 'limits_sse')).token;
    });

    it.each(['depth', 'aliases', 'directives'] as const)(
      'too many %s: 400 before the stream opens, in HTTP’s words and with its code',
      async (limit) => {
        const { query, message } = tooMuch[limit];
        const response = await eventStream(system.urls.router, token, query);
        expect(response.status).toBe(400);
        expect(response.headers.get('content-type')).toMatch(/^application\/json/);
        const body = (await response.json()) as {
          errors: Array<{ message: string; extensions?: { code?: string } }>;
        };
        expect(body.errors[0]).toMatchObject({
          message,
          extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
        });
      },
    );

    it('an operation within every limit still streams its result', async () => {
      const response = await eventStream(
        system.urls.router,
        token,
        nested(operationLimits.maxDepth - 1),
      );
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const text = await response.text();
      expect(text).toMatch(/^event: next\ndata: \{"data":\{"me":\{"logs":\[\]\}\}\}$/m);
      expect(text).toContain('event: complete');
    });
  });

  describe('the same codes on every transport', () => {
    let token: string;
    beforeAll(async () => {
      token = (await signUp(system.urls.router, 'limits_codes')).token;
    });
    const codeOver = {
      http: async (query: string) =>
        (await gql(system.urls.router, query)).errors?.[0]?.extensions?.['code'],
      sse: async (query: string) => {
        // Refused before the stream opens: 400 and JSON, as over HTTP.
        const response = await eventStream(system.urls.router, token, query);
        expect(response.status).toBe(400);
        const body = (await response.json()) as {
          errors?: Array<{ extensions?: { code?: string } }>;
        };
        return body.errors?.[0]?.extensions?.code;
      },
      websocket: async (query: string) => {
        const client = wsClient(system.urls.router, token);
        try {
          await collect(client, query, 1).done;
        } catch (error) {
          const [first] = JSON.parse((error as Error).message) as Array<{
            extensions?: { code?: string };
          }>;
          return first?.extensions?.code;
        } finally {
          await client.dispose();
        }
      },
    };
    it.for(
      ['http', 'sse', 'websocket'].flatMap((transport) => [
        [transport, 'a syntax error', 'GRAPHQL_PARSE_FAILED', '{ me { id }'],
        [transport, 'an unknown field', 'GRAPHQL_VALIDATION_FAILED', '{ nope }'],
        [transport, 'too many aliases', 'GRAPHQL_VALIDATION_FAILED', tooMuch.aliases.query],
        [transport, 'too deep', 'GRAPHQL_VALIDATION_FAILED', tooMuch.depth.query],
      ]) as Array<[keyof typeof codeOver, string, string, string]>,
    )('%s: %s is %s', async ([transport, , code, query]) => {
      expect(await codeOver[transport](query)).toBe(code);
    });
  });

  // Lists nested to the token limit: graphql-js's parser recurses once per level and ran out of
  // stack before it counted the last token (from about 1,600 levels down, on Node 20, depending
  // on how deep the call that parses is), which HTTP answered "Maximum call stack size exceeded"
  // and SSE as an internal error (500). Whichever limit such a document meets first is said in
  // the router's words, with the parser's code, on every transport.
  describe('a document nested as deep as the token limit allows', () => {
    const lists = operationLimits.maxTokens - 5; // "{ power ( base :" and a list per token left
    const query = `{ power(base: ${'['.repeat(lists)}1${']'.repeat(lists)}, exponent: 2) { result } }`;
    const routersWords = [tooMuch.tokens.message, TOO_DEEPLY_NESTED_MESSAGE];
    let token: string;
    beforeAll(async () => {
      token = (await signUp(system.urls.router, 'limits_nested')).token;
    });
    const refusalOver = {
      http: async () => {
        const result = await gql(system.urls.router, query);
        expect(result.status).toBe(400);
        return result.errors?.[0];
      },
      sse: async () => {
        const response = await eventStream(system.urls.router, token, query);
        expect(response.status).toBe(400);
        return ((await response.json()) as { errors: Array<Record<string, unknown>> }).errors[0];
      },
      websocket: async () => {
        const client = wsClient(system.urls.router, token);
        try {
          await collect(client, query, 1).done;
        } catch (error) {
          return (JSON.parse((error as Error).message) as Array<Record<string, unknown>>)[0];
        } finally {
          await client.dispose();
        }
      },
    };
    it.each(Object.keys(refusalOver) as Array<keyof typeof refusalOver>)(
      '%s: refused in the router’s words, GRAPHQL_PARSE_FAILED',
      async (transport) => {
        const error = await refusalOver[transport]();
        expect(routersWords).toContain(error?.['message']);
        expect(error?.['extensions']).toMatchObject({ code: 'GRAPHQL_PARSE_FAILED' });
      },
    );
  });

  it('after all of that the router is still ready and answering', async () => {
    for (const { query } of Object.values(tooMuch)) await gql(system.urls.router, query);
    const ready = await fetch(system.urls.router.replace(/\/graphql$/, '/ready'));
    expect(ready.status).toBe(200);
    const result = await gql(system.urls.router, '{ __typename }');
    expect(result.data).toEqual({ __typename: 'Query' });
  });
});
