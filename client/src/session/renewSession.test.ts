import { afterEach, describe, expect, it } from 'vitest';
import {
  createTestGraphQLClient,
  type GraphQLReply,
  type TestGraphQLClient,
} from '../testing/fakeGraphQLServer';
import { renewSession } from './renewSession';

let client: TestGraphQLClient | undefined;
afterEach(() => client?.session.dispose());

const unavailable = {
  status: 503,
  errors: [
    {
      message: 'No math instance could take the request',
      extensions: { code: 'SERVICE_UNAVAILABLE', retryAfterSeconds: 1 },
    },
  ],
};

describe('renewSession', () => {
  it('answers the fresh session', async () => {
    client = createTestGraphQLClient({
      RenewToken: () => ({
        data: {
          renewToken: {
            __typename: 'AuthPayload',
            token: 'token-2',
            expiresAt: '2026-11-26T14:00:00.000Z',
            user: { __typename: 'User', id: 'u1', username: 'ada' },
          },
        },
      }),
    });
    await expect(renewSession(client.apollo)).resolves.toMatchObject({ token: 'token-2' });
  });

  // The session tries again on a rejection, and runs out on null.
  it.each([
    [
      'the server cannot be reached',
      (): GraphQLReply => {
        throw new TypeError('Failed to fetch');
      },
      { networkError: { message: 'Failed to fetch' } },
    ],
    [
      'no instance can take it',
      (): GraphQLReply => unavailable,
      { networkError: { statusCode: 503, result: { errors: unavailable.errors } } },
    ],
    [
      'the server failed',
      (): GraphQLReply => ({ status: 500, errors: [{ message: 'Unexpected error' }] }),
      { networkError: { statusCode: 500 } },
    ],
  ])('rejects when %s, so that renewal is tried again', async (_case, reply, cause) => {
    client = createTestGraphQLClient({ RenewToken: reply });
    // The rejection is the server's own failure (a fixture's mistake would reject too).
    await expect(renewSession(client.apollo)).rejects.toMatchObject(cause);
  });

  it.each([
    [
      'the session is past its maximum age',
      {
        status: 401,
        errors: [
          { message: 'Session expired; sign in again', extensions: { code: 'UNAUTHENTICATED' } },
        ],
      },
    ],
    [
      'the server has no renewToken',
      {
        status: 400,
        errors: [
          {
            message: 'Cannot query field "renewToken" on type "Mutation".',
            extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
          },
        ],
      },
    ],
  ])('answers null when %s', async (_case, answer) => {
    client = createTestGraphQLClient({ RenewToken: () => answer });
    await expect(renewSession(client.apollo)).resolves.toBeNull();
  });
});
