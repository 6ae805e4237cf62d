/** The router's own metrics at /metrics move with subscriptions and the events they deliver. */
import { MAX_OPERATION_LABELS } from '@microservice-math/shared/metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, collect, connected, gql, wsClient } from '../../tests/support/graphql.js';
import { startTestSystem, type TestSystem } from '../../tests/support/system.js';

let system: TestSystem;

beforeAll(async () => {
  system = await startTestSystem();
});
afterAll(async () => {
  await system?.stop();
});

async function metric(name: string): Promise<number> {
  const response = await fetch(system.urls.router.replace(/\/graphql$/, '/metrics'));
  const line = (await response.text()).split('\n').find((l) => l.startsWith(`${name}{`));
  if (!line) throw new Error(`${name} is not in /metrics`);
  return Number(line.slice(line.lastIndexOf(' ') + 1));
}

/** Gauges follow socket events a moment later; poll instead of sleeping a fixed time. */
async function eventually(name: string, expected: number): Promise<number> {
  const deadline = Date.now() + 3_000;
  let value = await metric(name);
  while (value !== expected && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    value = await metric(name);
  }
  return value;
}

describe('router metrics', () => {
  it('count open subscriptions, delivered logAdded events and gateway resolutions', async () => {
    const registered = await gql<{ register: { token: string } }>(
      system.urls.router,
      'mutation { register(username: "metered", password: "long-password") { token } }',
    );
    const token = registered.data!.register.token;
    const delivered = await metric('router_log_added_events_delivered_total');
    const resolutions = await metric('router_log_added_gateway_resolutions_total');

    const clients = [wsClient(system.urls.router, token), wsClient(system.urls.router, token)];
    const events = clients.map((client) =>
      collect(client, 'subscription { logAdded { input user { username } } }', 1),
    );
    await Promise.all(clients.map(connected));
    expect(await eventually('router_active_subscriptions', 2)).toBe(2);

    await gql(system.urls.router, '{ factorial(n: 9) { digits } }', {}, bearer(token));
    await Promise.all(events.map((e) => e.done));
    expect(await metric('router_log_added_events_delivered_total')).toBe(delivered + 2);
    // Both subscribers asked for the same selection: one fetch through the gateway served both.
    expect(await metric('router_log_added_gateway_resolutions_total')).toBe(resolutions + 1);

    await Promise.all(clients.map((client) => client.dispose()));
    expect(await eventually('router_active_subscriptions', 0)).toBe(0);
  });

  it('invented operation names cannot grow the metrics without bound', async () => {
    const names = Array.from({ length: MAX_OPERATION_LABELS + 20 }, (_, i) => `Invented${i}`);
    for (const name of names) await gql(system.urls.router, `query ${name} { __typename }`);
    const text = await (await fetch(system.urls.router.replace(/\/graphql$/, '/metrics'))).text();
    const series = text
      .split('\n')
      .filter((line) => line.startsWith('graphql_requests_total{'))
      .map((line) => /operation="([^"]*)"/.exec(line)?.[1]);
    expect(series.length).toBeLessThanOrEqual(MAX_OPERATION_LABELS + 1);
    expect(series).toContain('other');
    expect(series).not.toContain(names.at(-1));
  });
});
