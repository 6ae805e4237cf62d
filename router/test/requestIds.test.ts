/**
 * Request ids are the router's own: a client's `x-request-id` never becomes the id that logs,
 * errors and subgraph calls carry (an attacker could otherwise plant ids in the logs or collide
 * with another request's). It is kept, sanitised, as a separate `clientRequestId` log field.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql } from '../../tests/support/graphql.js';
import { startTestSystem, type TestSystem } from '../../tests/support/system.js';

let system: TestSystem;

beforeAll(async () => {
  system = await startTestSystem();
});
afterAll(async () => {
  await system?.stop();
});

describe('request ids', () => {
  it('a client-chosen x-request-id is replaced by one the router generates', async () => {
    const result = await gql(
      system.urls.router,
      '{ __typename }',
      {},
      {
        'x-request-id': 'attacker-chosen-id-0001',
      },
    );
    const id = result.headers.get('x-request-id');
    expect(id).not.toBe('attacker-chosen-id-0001');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
  });
});
