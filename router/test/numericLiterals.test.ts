/**
 * A `Numeric` literal reaches math as written, through the router, on every path: the gateway
 * reads custom-scalar literals with parseInt/parseFloat when it plans, and prints the double back
 * into the subgraph request, so without care the base below arrives rounded and 1e400 as Infinity.
 */
import { createClient as createSseClient } from 'graphql-sse';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, eventStream, gql, signUp, wsClient } from '../../tests/support/graphql.js';
import { startTestSystem, type TestSystem } from '../../tests/support/system.js';

let system: TestSystem;
let url: string;
let token: string;

beforeAll(async () => {
  system = await startTestSystem();
  url = system.urls.router;
  token = (await signUp(url, 'literal_user')).token;
});
afterAll(async () => {
  await system?.stop();
});

const BIG = '123456789012345678901234567890';
const BIG_CUBED = (BigInt(BIG) ** 3n).toString();

interface PowerAnswer {
  power: { result: string; exact: boolean; input: string } | null;
}

describe('Numeric literals over HTTP', () => {
  it('a 30-digit integer literal is used exactly', async () => {
    const answer = await gql<PowerAnswer>(
      url,
      `{ power(base: ${BIG}, exponent: 3) { result exact input } }`,
      {},
      bearer(token),
    );
    expect(answer.errors).toBeUndefined();
    expect(answer.data?.power).toEqual({
      result: BIG_CUBED,
      exact: true,
      input: `{"base":"${BIG}","exponent":"3"}`,
    });
  });

  it('a literal beyond the double range is answered, and its siblings too', async () => {
    const answer = await gql<{ a: { result: string } | null; b: { result: string } | null }>(
      url,
      '{ a: power(base: 1e400, exponent: 1) { result } b: power(base: 2, exponent: 10) { result } }',
      {},
      bearer(token),
    );
    expect(answer.status).toBe(200);
    expect(answer.errors).toBeUndefined();
    expect(answer.data?.a?.result).toBe(`1${'0'.repeat(400)}`);
    expect(answer.data?.b?.result).toBe('1024');
  });

  it('a long decimal literal keeps every digit', async () => {
    const answer = await gql<PowerAnswer>(
      url,
      '{ power(base: 0.1000000000000000000000000001, exponent: 1) { result } }',
      {},
      bearer(token),
    );
    expect(answer.data?.power?.result).toBe('0.1000000000000000000000000001');
  });

  it('a variable default written as a literal is used exactly', async () => {
    const answer = await gql<PowerAnswer>(
      url,
      `query($b: Numeric = ${BIG}) { power(base: $b, exponent: 3) { result } }`,
      {},
      bearer(token),
    );
    expect(answer.errors).toBeUndefined();
    expect(answer.data?.power?.result).toBe(BIG_CUBED);
  });

  it('a variable given as a string is used exactly', async () => {
    const answer = await gql<PowerAnswer>(
      url,
      'query($b: Numeric!) { power(base: $b, exponent: 3) { result } }',
      { b: BIG },
      bearer(token),
    );
    expect(answer.data?.power?.result).toBe(BIG_CUBED);
  });

  it('a literal with a huge written exponent is a BAD_USER_INPUT, not a 500', async () => {
    const answer = await gql<PowerAnswer>(
      url,
      '{ power(base: 1e99999999999, exponent: 1) { result } }',
      {},
      bearer(token),
    );
    expect(answer.status).toBe(200);
    expect(answer.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
  });
});

interface StreamingClient {
  subscribe<T>(
    payload: { query: string; variables?: Record<string, unknown> },
    sink: {
      next(value: { data?: T | null; errors?: unknown }): void;
      error(error: unknown): void;
      complete(): void;
    },
  ): unknown;
}

/** Either streaming client (graphql-ws and graphql-sse subscribe alike): its first result. */
function firstResult(
  client: StreamingClient,
  payload: { query: string; variables?: Record<string, unknown> },
): Promise<{ data?: PowerAnswer | null; errors?: unknown }> {
  return new Promise((resolve, reject) => {
    client.subscribe<PowerAnswer>(payload, {
      next: (value) => resolve(value),
      error: reject,
      complete: () => {},
    });
  });
}

const firstCubeOfBig = (client: StreamingClient) =>
  firstResult(client, { query: `{ power(base: ${BIG}, exponent: 3) { result } }` });

describe('Numeric literals over streaming transports', () => {
  it('graphql-ws runs a query with the literal as written', async () => {
    const client = wsClient(url, token);
    try {
      const result = await firstCubeOfBig(client);
      expect(result.data?.power?.result).toBe(BIG_CUBED);
    } finally {
      await client.dispose();
    }
  });

  it('a variable of the wrong kind is refused with its location, as over HTTP', async () => {
    const payload = {
      query: 'query($b: Numeric!) { power(base: $b, exponent: 2) { result } }',
      variables: { b: true },
    };
    const refusal = {
      message:
        'power(base:): Variable "$b" got invalid value true; Numeric: expected a number or a numeric string',
      locations: [{ line: 1, column: 7 }],
      extensions: expect.objectContaining({
        code: 'BAD_USER_INPUT',
        argument: 'base',
        field: 'power',
      }),
    };
    const overHttp = await gql(url, payload.query, payload.variables, bearer(token));
    expect(overHttp.errors).toEqual([expect.objectContaining(refusal)]);
    // Refused before it runs, as over HTTP: a graphql-ws `error` message, an SSE 400.
    const ws = wsClient(url, token);
    try {
      await expect(firstResult(ws, payload)).rejects.toEqual([expect.objectContaining(refusal)]);
    } finally {
      await ws.dispose();
    }
    const overSse = await eventStream(url, token, payload);
    expect(overSse.status).toBe(400);
    expect(((await overSse.json()) as { errors: unknown }).errors).toEqual([
      expect.objectContaining(refusal),
    ]);
  });

  it('graphql-sse runs a query with the literal as written', async () => {
    const client = createSseClient({
      url: `${url}/stream`,
      headers: { authorization: `Bearer ${token}` },
      retryAttempts: 0,
    });
    try {
      const result = await firstCubeOfBig(client);
      expect(result.data?.power?.result).toBe(BIG_CUBED);
    } finally {
      client.dispose();
    }
  });
});

/**
 * JSON numbers are doubles: `-9007199254740993` parses to -9007199254740992, and
 * `0.10000000000000000001` to 0.1, before any GraphQL code sees them. Such a number cannot be
 * used exactly, nor noticed once parsed, so the request is refused on every transport, naming
 * the number and asking for it as a string; a number a double holds as written is used.
 */
describe('Numeric variables sent as JSON numbers', () => {
  const POWER = 'query($b: Numeric!, $e: Numeric!) { power(base: $b, exponent: $e) { result } }';
  /** The raw text of a request whose variables are `variables`, numbers written as given. */
  const body = (variables: string) => `{"query":${JSON.stringify(POWER)},"variables":${variables}}`;
  /** The refusal names what JSON loses: digits, or (out of a double's range) the number itself. */
  const reasons: Record<string, string> = {
    '1e400':
      'is too large to be read exactly as a JSON number: JSON numbers past about 1.8 × 10^308 are read as Infinity',
    '-1e400':
      'is too large to be read exactly as a JSON number: JSON numbers past about -1.8 × 10^308 are read as -Infinity',
    '1e-400':
      'is too small to be read exactly as a JSON number: JSON numbers closer to 0 than about 2.5 × 10^-324 are read as 0',
    '2e-1000':
      'is too small to be read exactly as a JSON number: JSON numbers closer to 0 than about 2.5 × 10^-324 are read as 0',
  };
  const refusal = (number: string) =>
    `The number ${number} given for $e ${reasons[number] ?? 'cannot be read exactly from JSON, which keeps about 16 significant digits'}; send it as a string ("${number}")`;
  const post = async (path: string, text: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(token), ...headers },
      body: text,
    });
    return {
      status: response.status,
      body: (await response.json()) as {
        data?: PowerAnswer;
        errors?: Array<{ message: string; extensions?: { code?: string } }>;
      },
    };
  };

  it('a number a double holds as written is used', async () => {
    const answer = await post('', body('{"b": 12.5, "e": 2}'));
    expect(answer.body.data?.power?.result).toBe('156.25');
  });

  it.each([
    ['an integer beyond 2^53', '-9007199254740993'],
    ['a decimal with more digits than a double', '0.10000000000000000001'],
    ['a number beyond the double range', '1e400'],
    ['a negative number beyond the double range', '-1e400'],
    ['a number below the smallest double', '1e-400'],
    ['a number far below the smallest double', '2e-1000'],
  ])('%s is refused over HTTP, naming it', async (_, number) => {
    const answer = await post('', body(`{"b": -1, "e": ${number}}`));
    expect(answer.status).toBe(400);
    expect(answer.body.errors?.[0]?.message).toBe(refusal(number));
    expect(answer.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  // What body-parser reads is what is checked: it drops a BOM, and reads charsets (utf-7,
  // utf-32) this check cannot, which are refused rather than let past it.
  it('behind a UTF-8 BOM too', async () => {
    const answer = await post('', `\uFEFF${body('{"b": -1, "e": 0.10000000000000000001}')}`);
    expect(answer.status).toBe(400);
    expect(answer.body.errors?.[0]?.message).toBe(refusal('0.10000000000000000001'));
  });

  it.each(['utf-7', 'utf-32le'])(
    'a body in %s is refused 415, not read past the check',
    async (charset) => {
      const answer = await post('', body('{"b": -1, "e": 0.10000000000000000001}'), {
        'content-type': `application/json; charset=${charset}`,
      });
      expect(answer.status).toBe(415);
      expect(answer.body.errors?.[0]?.message).toBe('The request body must be JSON in UTF-8');
    },
  );

  it('in a GET query string too', async () => {
    const search = new URLSearchParams({
      query: POWER,
      variables: '{"b": -1, "e": -9007199254740993}',
    });
    const response = await fetch(`${url}?${search}`, {
      headers: { 'apollo-require-preflight': 'true', ...bearer(token) },
    });
    expect(response.status).toBe(400);
    const answer = (await response.json()) as { errors: Array<{ message: string }> };
    expect(answer.errors[0]?.message).toBe(refusal('-9007199254740993'));
  });

  // An Int cannot be sent as a string: the advice is its range (the string is for Numeric).
  it('for an Int variable, the refusal gives its range, over HTTP and in a GET query string', async () => {
    const logs = 'query($l: Int){ recentLogs(limit: $l) { id } }';
    const intRefusal =
      'The number 1e400 cannot be $l, an Int: send a whole number from -2147483648 to 2147483647';
    const answer = await post('', `{"query":${JSON.stringify(logs)},"variables":{"l":1e400}}`);
    expect(answer.status).toBe(400);
    expect(answer.body.errors?.[0]?.message).toBe(intRefusal);
    expect(answer.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const search = new URLSearchParams({ query: logs, variables: '{"l": 1e400}' });
    const response = await fetch(`${url}?${search}`, {
      headers: { 'apollo-require-preflight': 'true', ...bearer(token) },
    });
    expect(response.status).toBe(400);
    expect(
      ((await response.json()) as { errors: Array<{ message: string }> }).errors[0]?.message,
    ).toBe(intRefusal);
  });

  it.each(['-9007199254740993', '1e400', '2e-1000'])('%s over SSE', async (number) => {
    const answer = await post('/stream', body(`{"b": -1, "e": ${number}}`), {
      accept: 'text/event-stream',
    });
    expect(answer.status).toBe(400);
    expect(answer.body.errors?.[0]?.message).toBe(refusal(number));
  });

  it.each(['-9007199254740993', '1e400', '2e-1000'])(
    '%s over graphql-ws: that operation is refused, the socket stays open',
    async (number) => {
      const socket = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws');
      const messages: Array<{ type: string; id?: string; payload?: unknown }> = [];
      const arrived = (type: string, id?: string) =>
        new Promise<{ payload?: unknown }>((resolve) => {
          const look = () => {
            const found = messages.find((m) => m.type === type && m.id === id);
            if (found) resolve(found);
            else socket.once('message', look);
          };
          look();
        });
      socket.on('message', (data) => messages.push(JSON.parse(String(data))));
      await new Promise((resolve) => socket.once('open', resolve));
      socket.send(JSON.stringify({ type: 'connection_init', payload: bearer(token) }));
      await arrived('connection_ack');
      socket.send(
        `{"type":"subscribe","id":"inexact","payload":${body(`{"b": -1, "e": ${number}}`)}}`,
      );
      socket.send(`{"type":"subscribe","id":"exact","payload":${body('{"b": -1, "e": 3}')}}`);
      const refused = await arrived('error', 'inexact');
      expect(refused.payload).toEqual([
        expect.objectContaining({
          message: refusal(number),
          extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }),
        }),
      ]);
      const answered = await arrived('next', 'exact');
      expect(answered.payload).toEqual({ data: { power: { result: '-1' } } });
      socket.close();
    },
  );
});
