/** Each service's /metrics, scraped as Prometheus would, moves when work is done. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bearer, gql } from './support/graphql.js';
import { metricValue, scrapeMetrics } from './support/metrics.js';
import { startTestSystem, type TestSystem } from './support/system.js';

let system: TestSystem;
beforeAll(async () => {
  system = await startTestSystem();
});
afterAll(async () => {
  await system?.stop();
});

async function counter(
  graphqlUrl: string,
  name: string,
  labels: Record<string, string>,
): Promise<number> {
  return metricValue(await scrapeMetrics(graphqlUrl), name, labels);
}

it('counts GraphQL operations by name and outcome on the router and on the subgraph that served them', async () => {
  const registered = await gql<{ register: { token: string } }>(
    system.urls.router,
    'mutation { register(username: "metered", password: "long-password") { token } }',
  );
  const token = registered.data!.register.token;
  const labels = { operation: 'Metered', outcome: 'ok' };
  const mathLabels = { operation: 'Metered__math__0', outcome: 'ok', service: 'math' };
  const before = {
    router: await counter(system.urls.router, 'graphql_requests_total', labels),
    // The gateway names the subgraph operation after the client's (Metered__math__0).
    math: await counter(system.urls.math, 'graphql_requests_total', mathLabels),
  };
  await gql(system.urls.router, 'query Metered { factorial(n: 25) { digits } }', {}, bearer(token));
  await gql(system.urls.router, 'query Metered { factorial(n: 26) { digits } }', {}, bearer(token));
  const refused = await gql(
    system.urls.router,
    'query Metered { factorial(n: -1) { digits } }',
    {},
    bearer(token),
  );
  expect(refused.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');

  expect(await counter(system.urls.router, 'graphql_requests_total', labels)).toBe(
    before.router + 2,
  );
  expect(
    await counter(system.urls.router, 'graphql_requests_total', {
      operation: 'Metered',
      outcome: 'BAD_USER_INPUT',
    }),
  ).toBe(1);
  expect(await counter(system.urls.math, 'graphql_requests_total', mathLabels)).toBe(
    before.math + 2,
  );
});
