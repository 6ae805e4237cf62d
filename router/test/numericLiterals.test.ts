/**
 * A `Numeric` literal reaches math as written, through the router, on every path: the gateway
 * reads custom-scalar literals with parseInt/parseFloat when it plans, and prints the double back
 * into the subgraph request, so without care the base below arrives rounded and 1e400 as Infinity.
 */
import { createClient as createSseClient } from 'graphql-sse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, gql, signUp, wsClient } from '../../tests/support/graphql.js';
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

/** Either streaming client (graphql-ws and graphql-sse subscribe alike): the first result of cubing BIG. */
function firstCubeOfBig(client: {
  subscribe<T>(
    payload: { query: string },
    sink: { next(value: { data?: T | null }): void; error(error: unknown): void; complete(): void },
  ): unknown;
}): Promise<{ data?: PowerAnswer | null }> {
  return new Promise((resolve, reject) => {
    client.subscribe<PowerAnswer>(
      { query: `{ power(base: ${BIG}, exponent: 3) { result } }` },
      { next: (value) => resolve(value), error: reject, complete: () => {} },
    );
  });
}

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
