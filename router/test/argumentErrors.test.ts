/**
 * A value that does not fit its argument's type is BAD_USER_INPUT naming the field and argument
 * over graphql-ws and graphql-sse too, refused before anything runs (a graphql-ws `error`
 * message, SSE 400), as over HTTP (tests/reliability/badInput.test.ts has the
 * HTTP table), whether written in the operation or sent as a variable, subscriptions included.
 */
import type { FormattedExecutionResult } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventStream, signUp, wsClient } from '../../tests/support/graphql.js';
import { startTestSystem, type TestSystem } from '../../tests/support/system.js';

let system: TestSystem;
let token: string;

beforeAll(async () => {
  system = await startTestSystem();
  token = (await signUp(system.urls.router, 'argument_errors')).token;
});
afterAll(async () => {
  await system?.stop();
});

const cases = [
  {
    name: 'a float literal for an Int',
    payload: { query: '{ factorial(n: 1.5) { result } }' },
    message: 'factorial(n:): Int cannot represent non-integer value: 1.5',
    extensions: { argument: 'n', field: 'factorial' },
  },
  {
    name: 'a boolean literal for a Numeric',
    payload: { query: '{ power(base: true, exponent: 2) { result } }' },
    message: 'power(base:): Numeric: expected a number or a numeric string, found true',
    extensions: { argument: 'base', field: 'power' },
  },
  {
    name: 'a float variable for an Int',
    payload: { query: 'query($n: Int!) { factorial(n: $n) { result } }', variables: { n: 1.5 } },
    message:
      'factorial(n:): Variable "$n" got invalid value 1.5; Int cannot represent non-integer value: 1.5',
    extensions: { argument: 'n', field: 'factorial' },
  },
  {
    name: 'an object variable for a Numeric',
    payload: {
      query: 'query($b: Numeric!) { power(base: $b, exponent: 2) { result } }',
      variables: { b: { v: 2 } },
    },
    message:
      'power(base:): Variable "$b" got invalid value { v: 2 }; Numeric: expected a number or a numeric string',
    extensions: { argument: 'base', field: 'power' },
  },
  {
    name: 'a boolean variable for a subscription ID',
    payload: {
      query: 'subscription($a: ID) { logAdded(after: $a) { id } }',
      variables: { a: true },
    },
    message:
      'logAdded(after:): Variable "$a" got invalid value true; ID cannot represent value: true',
    extensions: { argument: 'after', field: 'logAdded' },
  },
  {
    name: 'a nullable variable with a default, sent as null, for an Int!',
    payload: {
      query: 'query($n: Int = 5) { factorial(n: $n) { result } }',
      variables: { n: null },
    },
    message:
      'factorial(n:): Variable "$n" got invalid value null; Expected non-nullable type "Int!" not to be null.',
    extensions: { argument: 'n', field: 'factorial' },
  },
  {
    name: 'a nullable variable with a default, sent as null, for a subscription’s @include(if:)',
    payload: {
      query: 'subscription($i: Boolean = true) { logAdded { id digits @include(if: $i) } }',
      variables: { i: null },
    },
    message:
      '@include(if:): Variable "$i" got invalid value null; Expected non-nullable type "Boolean!" not to be null.',
    extensions: { argument: 'if' },
  },
];

/**
 * The errors graphql-ws refused the operation with (an `error` message, as HTTP's 400: nothing
 * ran); a `next` result fails the test.
 */
function overSocket(payload: { query: string; variables?: Record<string, unknown> }) {
  const client = wsClient(system.urls.router, token);
  return new Promise<{ message: string; extensions?: Record<string, unknown> }>(
    (resolve, reject) => {
      client.subscribe(payload, {
        next: (result: FormattedExecutionResult) =>
          reject(new Error(`ran instead of being refused: ${JSON.stringify(result)}`)),
        error: (errors) => resolve((errors as Array<{ message: string }>)[0]!),
        complete: () => {},
      });
    },
  ).finally(() => client.dispose());
}

async function overEventStream(payload: { query: string; variables?: Record<string, unknown> }) {
  const response = await eventStream(system.urls.router, token, payload);
  // Refused before the stream opens, as over HTTP: 400 with the errors as JSON, no event.
  const text = await response.text();
  expect(response.headers.get('content-type'), text.slice(0, 200)).toMatch(/^application\/json/);
  expect(response.status).toBe(400);
  return (JSON.parse(text) as FormattedExecutionResult).errors![0]!;
}

describe.each([
  ['graphql-ws', overSocket],
  ['graphql-sse', overEventStream],
] as const)('over %s', (_transport, send) => {
  it.each(cases)('$name: BAD_USER_INPUT naming the argument', async (c) => {
    const error = await send(c.payload);
    expect(error.message).toBe(c.message);
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', ...c.extensions });
  });
});
