import { ApolloError } from '@apollo/client/core';
import type { GraphQLFormattedError } from 'graphql';
import { describe, expect, it } from 'vitest';
import {
  UNREACHABLE_MESSAGE,
  describeFailure,
  isAbortError,
  isRefusal,
  retryAfterSecondsOf,
} from './operationErrors';

const AUTH_FIELDS = ['username', 'password'] as const;

function refused(...graphQLErrors: GraphQLFormattedError[]): ApolloError {
  return new ApolloError({ graphQLErrors });
}

/** How Apollo reports a 4xx answer whose body carries GraphQL errors. */
function refusedWithStatus(statusCode: number, errors: GraphQLFormattedError[]): ApolloError {
  const networkError = Object.assign(new Error('Response not successful'), {
    name: 'ServerError',
    statusCode,
    response: new Response(),
    result: { errors },
  });
  return new ApolloError({ networkError });
}

describe('describeFailure', () => {
  it('puts a BAD_USER_INPUT message under the argument it names, without the name prefix', () => {
    const error = refused({
      message: 'password: must be at least 8 characters',
      extensions: { code: 'BAD_USER_INPUT', argument: 'password' },
    });
    expect(describeFailure(error, AUTH_FIELDS)).toEqual({
      fields: { password: 'Must be at least 8 characters' },
      general: [],
    });
  });

  it('puts USERNAME_TAKEN under the username', () => {
    const error = refused({
      message: 'That username is taken',
      extensions: { code: 'USERNAME_TAKEN' },
    });
    expect(describeFailure(error, AUTH_FIELDS).fields).toEqual({
      username: 'That username is taken',
    });
  });

  it('shows wrong credentials above the form, not under either field', () => {
    const error = refused({
      message: 'Invalid username or password',
      extensions: { code: 'UNAUTHENTICATED' },
    });
    expect(describeFailure(error, AUTH_FIELDS)).toEqual({
      fields: {},
      general: ['Invalid username or password'],
    });
  });

  it('keeps a BAD_USER_INPUT about an argument the form does not have as a general message', () => {
    const error = refused({
      message: 'limit: must be between 1 and 100',
      extensions: { code: 'BAD_USER_INPUT', argument: 'limit' },
    });
    expect(describeFailure(error, ['n'])).toEqual({
      fields: {},
      general: ['limit: must be between 1 and 100'],
    });
  });

  it('adds the predicted and allowed digits to RESULT_TOO_LARGE', () => {
    const error = refused({
      message: 'The result would be too large',
      extensions: { code: 'RESULT_TOO_LARGE', maxDigits: 1_000_000, predictedDigits: 5_565_709 },
    });
    const [message] = describeFailure(error, ['n']).general;
    expect(message).toMatch(/^The result would be too large/);
    expect(message).toMatch(/5.565.709 digits/);
    expect(message).toMatch(/limit is 1.000.000/);
  });

  it('does not repeat sizes the RESULT_TOO_LARGE message already states', () => {
    const message = 'The result would have about 65,657,060 digits; the limit is 1,000,000';
    const error = refused({
      message,
      extensions: { code: 'RESULT_TOO_LARGE', maxDigits: 1_000_000, predictedDigits: 65_657_060 },
    });
    expect(describeFailure(error, ['n']).general).toEqual([message]);
  });

  it('adds no second figure to a message that gives the size in powers of ten', () => {
    const message = 'The result would have more than 10^300 digits; the limit is 1,000,000';
    const error = refused({
      message,
      extensions: {
        code: 'RESULT_TOO_LARGE',
        maxDigits: 1_000_000,
        predictedDigits: 1.5e308,
      },
    });
    expect(describeFailure(error, ['exponent']).general).toEqual([message]);
  });

  it('reads errors from a 400 answer, which Apollo reports as a network error', () => {
    const error = refusedWithStatus(400, [
      {
        message: 'n: must be an Int',
        extensions: { code: 'BAD_USER_INPUT', argument: 'n' },
      },
    ]);
    expect(describeFailure(error, ['n']).fields).toEqual({ n: 'Must be an Int' });
  });

  it('tells when to try again after SERVICE_UNAVAILABLE, and counts it a refusal', () => {
    const error = refused({
      message: 'The math subgraph is unreachable: no instance of it is available',
      extensions: { code: 'SERVICE_UNAVAILABLE', retryAfterSeconds: 4.5, serviceName: 'math' },
    });
    // In plain words: no "subgraph", no "instance".
    expect(describeFailure(error, []).general).toEqual([
      'The math service is not available right now. Try again in 5 s.',
    ]);
    expect(isRefusal(error)).toBe(true);
  });

  it('says the wait once, in its own words, whatever the message states', () => {
    const error = refused({
      message: 'Too many attempts; try again in 898 s',
      extensions: { code: 'RATE_LIMITED', retryAfterSeconds: 898 },
    });
    expect(describeFailure(error, []).general).toEqual(['Too many attempts. Try again in 15 min.']);
    // For a page that counts the wait down itself.
    expect(describeFailure(error, [], { wait: 'shown elsewhere' }).general).toEqual([
      'Too many attempts.',
    ]);
    const shuttingDown = refused({
      message: 'Shutting down; try again in 2 s',
      extensions: { code: 'SERVICE_UNAVAILABLE', retryAfterSeconds: 2 },
    });
    expect(describeFailure(shuttingDown, []).general).toEqual(['Shutting down. Try again in 2 s.']);
  });

  it('says the server is unreachable when there is no GraphQL answer at all', () => {
    const error = new ApolloError({ networkError: new TypeError('Failed to fetch') });
    expect(describeFailure(error, AUTH_FIELDS)).toEqual({
      fields: {},
      general: [UNREACHABLE_MESSAGE],
    });
  });

  it('says the server could not be reached when a gateway answers for the router (502, 504)', () => {
    // The web app's server answers so when the router is away (client/server.js).
    for (const statusCode of [502, 504]) {
      const networkError = Object.assign(new Error('Bad gateway'), {
        statusCode,
        result: { errors: [{ message: 'The router is not reachable' }] },
      });
      expect(describeFailure(new ApolloError({ networkError }), []).general).toEqual([
        UNREACHABLE_MESSAGE,
      ]);
    }
  });

  it('names the HTTP status of a server failure without GraphQL errors', () => {
    const networkError = Object.assign(new Error('Internal Server Error'), {
      statusCode: 500,
      result: 'Internal Server Error',
    });
    expect(describeFailure(new ApolloError({ networkError }), []).general).toEqual([
      'The server had a problem (HTTP 500). Try again shortly.',
    ]);
  });
});

describe('retryAfterSecondsOf', () => {
  it('reads RATE_LIMITED retryAfterSeconds, rounded up to whole seconds', () => {
    const error = refused({
      message: 'Too many attempts; try again in 29.2 s',
      extensions: { code: 'RATE_LIMITED', retryAfterSeconds: 29.2 },
    });
    expect(retryAfterSecondsOf(error)).toBe(30);
  });

  it('reads SERVICE_UNAVAILABLE retryAfterSeconds too', () => {
    const error = refused({
      message: 'The math subgraph is unreachable',
      extensions: { code: 'SERVICE_UNAVAILABLE', retryAfterSeconds: 5 },
    });
    expect(retryAfterSecondsOf(error)).toBe(5);
  });

  it('is undefined for other errors', () => {
    expect(
      retryAfterSecondsOf(refused({ message: 'x', extensions: { code: 'UNAUTHENTICATED' } })),
    ).toBeUndefined();
  });
});

describe('isAbortError', () => {
  it('recognises a cancelled fetch wrapped by Apollo', () => {
    const networkError = new DOMException('The operation was aborted.', 'AbortError');
    expect(isAbortError(new ApolloError({ networkError }))).toBe(true);
  });

  it('does not mistake a failed fetch for a cancellation', () => {
    expect(isAbortError(new ApolloError({ networkError: new TypeError('Failed to fetch') }))).toBe(
      false,
    );
  });
});
