/**
 * `@skip`/`@include` at a subscription's top level is a validation error over graphql-ws and
 * graphql-sse, as over HTTP (tests/reliability/badInput.test.ts): graphql-js 16 threw on it
 * inside validation (graphql-ws closed the whole socket with 4500) or crashed executing it.
 * Directives deeper in the selection are allowed and still work.
 */
import type { FormattedExecutionResult } from 'graphql';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  collect,
  eventStream,
  gql,
  signUp,
  wsClient,
  subscriptionsOpen,
} from '../../tests/support/graphql.js';
import { metricValue, scrapeMetrics } from '../../tests/support/metrics.js';
import { waitFor } from '../../tests/support/waitFor.js';
import { startTestSystem, type TestSystem } from '../../tests/support/system.js';

let system: TestSystem;
let token: string;

beforeAll(async () => {
  system = await startTestSystem();
  token = (await signUp(system.urls.router, 'root_directives')).token;
});
afterAll(async () => {
  await system?.stop();
});

const refused = [
  {
    name: '@include(if: $s) on its field',
    query: 'subscription B($s: Boolean!) { logAdded @include(if: $s) { id } }',
    variables: { s: true },
  },
  {
    name: '@skip(if: true) on its field',
    query: 'subscription B { logAdded @skip(if: true) { id } }',
  },
  {
    name: '@skip(if: $s) in a fragment it spreads',
    query:
      'subscription B($s: Boolean = false) { ...F } fragment F on Subscription { logAdded @skip(if: $s) { id } }',
  },
  {
    name: '@skip(if: true) on one of two root fields',
    query: 'subscription B { logAdded @skip(if: true) { id } other: logAdded { id } }',
  },
  {
    name: '@include on an inline fragment',
    query: 'subscription B { ... on Subscription @include(if: true) { logAdded { id } } }',
  },
];

/**
 * Once `live` is in place (the router counts it: graphql-ws acknowledges a subscription before
 * it reaches the event bus), makes one log and answers with `live`'s first event and that log's
 * id. Each test's socket is closed before the next starts (afterEach), so the count is its own.
 */
async function calculateUntilDelivered<T>(live: { done: Promise<T[]> }, n: number) {
  await subscriptionsOpen(system.urls.router, 1);
  const calculated = await gql<{ factorial: { log: { id: string } } }>(
    system.urls.router,
    `{ factorial(n: ${n}) { log { id } } }`,
    {},
    bearer(token),
  );
  const [event] = await live.done;
  return { event: event!, made: [calculated.data!.factorial.log.id] };
}

afterEach(async () => {
  await waitFor(async () =>
    expect(
      metricValue(await scrapeMetrics(system.urls.router), 'router_active_subscriptions'),
    ).toBe(0),
  );
});

const MESSAGE =
  'Subscription "B" must not use `@skip` or `@include` directives in the top level selection.';

describe('over graphql-ws', () => {
  it.each(refused)(
    '$name: refused with an error message, and the socket’s other subscription keeps its events',
    async ({ query, variables }) => {
      const client = wsClient(system.urls.router, token);
      try {
        const live = collect<{ logAdded: { id: string } }>(
          client,
          'subscription { logAdded { id } }',
          1,
        );
        const errors = await new Promise<Array<{ message: string; extensions?: unknown }>>(
          (resolve, reject) =>
            client.subscribe(
              { query, ...(variables ? { variables } : {}) },
              {
                next: (result: FormattedExecutionResult) =>
                  reject(new Error(`ran instead of being refused: ${JSON.stringify(result)}`)),
                error: (refused) => resolve(refused as Array<{ message: string }>),
                complete: () => {},
              },
            ),
        );
        // That error alone: none of graphql-js's rules run over the document without it.
        expect(errors).toEqual([
          expect.objectContaining({
            message: MESSAGE,
            extensions: expect.objectContaining({ code: 'GRAPHQL_VALIDATION_FAILED' }),
          }),
        ]);
        const { event, made } = await calculateUntilDelivered(live, 5);
        expect(made).toContain(event.data?.logAdded.id);
      } finally {
        await client.dispose();
      }
    },
  );

  it('a directive below the top level is allowed and applied', async () => {
    const client = wsClient(system.urls.router, token);
    try {
      const live = collect<{ logAdded: Record<string, unknown> }>(
        client,
        'subscription { logAdded { id digits @include(if: false) operation @skip(if: false) } }',
        1,
      );
      const { event } = await calculateUntilDelivered(live, 6);
      expect(Object.keys(event.data?.logAdded ?? {}).sort()).toEqual(['id', 'operation']);
    } finally {
      await client.dispose();
    }
  });
});

describe('over graphql-sse', () => {
  it.each(refused)('$name: 400 GRAPHQL_VALIDATION_FAILED', async ({ query, variables }) => {
    const response = await eventStream(system.urls.router, token, {
      query,
      ...(variables ? { variables } : {}),
    });
    const text = await response.text();
    expect(response.status, text.slice(0, 200)).toBe(400);
    const { errors } = JSON.parse(text) as FormattedExecutionResult;
    expect(errors).toEqual([
      expect.objectContaining({
        message: MESSAGE,
        extensions: expect.objectContaining({ code: 'GRAPHQL_VALIDATION_FAILED' }),
      }),
    ]);
  });
});
