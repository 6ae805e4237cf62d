/** The router's own metrics at /metrics move with subscriptions and the events they deliver. */
import { MAX_OPERATION_LABELS } from '@microservice-math/shared/metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, collect, connected, gql, wsClient } from '../../tests/support/graphql.js';
import { metricSamples, metricValue, scrapeMetrics } from '../../tests/support/metrics.js';
import { startTestSystem, type TestSystem } from '../../tests/support/system.js';
import { waitFor } from '../../tests/support/waitFor.js';

let system: TestSystem;

beforeAll(async () => {
  // Two subscriptions that each fetch the log's user weigh more than the default live budget.
  system = await startTestSystem({ env: { ROUTER_MAX_LIVE_COST_PER_USER: '2000' } });
});
afterAll(async () => {
  await system?.stop();
});

async function metric(name: string): Promise<number> {
  return metricValue(await scrapeMetrics(system.urls.router), name);
}

/** Gauges follow socket events a moment later. */
async function eventually(name: string, expected: number): Promise<number> {
  return waitFor(async () => {
    const value = await metric(name);
    expect(value).toBe(expected);
    return value;
  });
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
      collect(client, 'subscription { logAdded { input user { username createdAt } } }', 1),
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
    const series = metricSamples(await scrapeMetrics(system.urls.router))
      .filter((sample) => sample.name === 'graphql_requests_total')
      .map((sample) => sample.labels['operation']);
    expect(series.length).toBeLessThanOrEqual(MAX_OPERATION_LABELS + 1);
    expect(series).toContain('other');
    expect(series).not.toContain(names.at(-1));
  });
});
