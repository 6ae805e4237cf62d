/** Each service's /metrics, scraped as Prometheus would, moves when work is done. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bearer, gql } from './support/graphql.js';
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
  const response = await fetch(graphqlUrl.replace(/\/graphql$/, '/metrics'));
  expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
  const text = await response.text();
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`${name}{`) && wanted.every((label) => l.includes(label)));
  return line ? Number(line.split(' ').pop()) : 0;
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
