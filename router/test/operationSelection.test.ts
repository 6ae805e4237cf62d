/** Which operation of a document to run is the client's to say; not saying it is a 400. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, wsClient } from '../../tests/support/graphql.js';
import { startTestSystem, type TestSystem } from '../../tests/support/system.js';

let system: TestSystem;

beforeAll(async () => {
  system = await startTestSystem();
});
afterAll(async () => {
  await system?.stop();
});

const twoOperations = 'query A { __typename } query B { me { id } }';

async function post(body: Record<string, unknown>) {
  const response = await fetch(system.urls.router, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as {
    data?: unknown;
    errors?: Array<{ message: string; extensions?: { code?: string } }>;
  };
  return { status: response.status, ...json };
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
  /** The single result of a query or mutation sent over the socket, errors included. */
  async function overSocket(payload: { query: string; operationName?: string }) {
    const { token } = await signUp(
      system.urls.router,
      `chooser_${Math.random().toString(36).slice(2, 8)}`,
    );
    const client = wsClient(system.urls.router, token);
    try {
      return await new Promise<{ data?: unknown; errors?: Array<{ message: string }> }>(
        (resolve, reject) => {
          let last: { data?: unknown; errors?: Array<{ message: string }> } = {};
          client.subscribe(payload, {
            next: (value) => (last = value as typeof last),
            error: (error) =>
              Array.isArray(error)
                ? resolve({ errors: error as typeof last.errors })
                : reject(error),
            complete: () => resolve(last),
          });
        },
      );
    } finally {
      await client.dispose();
    }
  }

  it('runs the one operationName names, through the gateway', async () => {
    const result = await overSocket({ query: twoOperations, operationName: 'B' });
    expect(result).toEqual({ data: { me: { id: expect.any(String) } } });
  });

  it('refuses a document with an unknown field before running anything', async () => {
    const result = await overSocket({ query: '{ me { id password } }' });
    expect(result.errors?.[0]?.message).toMatch(/Cannot query field "password"/);
  });
});
