import { afterEach, describe, expect, it } from 'vitest';
import {
  createTestGraphQLClient,
  type GraphQLReply,
  type TestGraphQLClient,
} from '../testing/fakeGraphQLServer';
import { renewSession } from './renewSession';
import { RenewalPostponed } from './session';

let client: TestGraphQLClient | undefined;
afterEach(() => client?.dispose());

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
    ['no instance can take it', unavailable, 1_000],
    [
      'it is rate-limited',
      {
        errors: [
          {
            message: 'Too many requests; try again in 42 s',
            extensions: { code: 'RATE_LIMITED', retryAfterSeconds: 41.2 },
          },
        ],
      },
      42_000,
    ],
  ])(
    'rejects when %s, saying how long to wait before renewal is tried again',
    async (_case, reply, ms) => {
      client = createTestGraphQLClient({ RenewToken: () => reply });
      const rejection = renewSession(client.apollo);
      await expect(rejection).rejects.toBeInstanceOf(RenewalPostponed);
      await expect(rejection).rejects.toMatchObject({
        retryAfterMs: ms,
        cause: { graphQLErrors: expect.anything() },
      });
    },
  );

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
