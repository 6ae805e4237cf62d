/**
 * Demand control: an operation's cost counts the sizes of the lists it asks for (the `limit`
 * argument, else the declared `@listSize`), through nested fields and across subgraphs, and an
 * operation over the limit is refused before the gateway plans it: over HTTP, with variables,
 * and over graphql-ws (queries and subscriptions alike).
 */
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, collect, gql, signUp, wsClient, type Account } from '../support/graphql.js';
import { startTestSystem, type TestSystem } from '../support/system.js';

let system: TestSystem;
let user: Account;
const MAX_COST = 5_000;

/** A million log lookups were asked for by this one request before demand control. */
const NESTED = `query($n: Int!) {
  recentLogs(limit: $n) { user { logs(limit: $n) { user { logs(limit: $n) { id } } } } }
}`;
// recentLogs: 100 × (1 + user (1 + 100 × (1 + user (1 + 100 × 1))))
const NESTED_LITERAL = NESTED.replace('query($n: Int!)', 'query').replaceAll('$n', '100');
const NESTED_COST = 100 * (1 + 1 + 100 * (1 + 1 + 100));

beforeAll(async () => {
  // The light-query probe below sends as fast as answers come; the request limit is not under test.
  system = await startTestSystem({ env: { ROUTER_RATE_LIMIT_PER_MINUTE: '100000' } });
  user = await signUp(system.urls.router, 'demand_user');
  // 100 logs, so that every list below comes back full.
  for (let n = 0; n < 100; n += 20) {
    const fields = Array.from({ length: 20 }, (_, i) => `f${i}: fibonacci(n: ${n + i}) { digits }`);
    const result = await gql(system.urls.router, `{ ${fields.join(' ')} }`, {}, bearer(user.token));
    expect(result.errors).toBeUndefined();
  }
});
afterAll(async () => {
  await system?.stop();
});

describe('an operation over the cost limit', () => {
  it('nested lists over HTTP, limits from variables: 400 COST_LIMIT_EXCEEDED with the cost, nothing run', async () => {
    const result = await gql(system.urls.router, NESTED, { n: 100 }, bearer(user.token));
    expect(result.status).toBe(400);
    expect(result.data ?? null).toBeNull();
    expect(result.errors?.[0]?.extensions).toMatchObject({
      code: 'COST_LIMIT_EXCEEDED',
      cost: NESTED_COST,
      maxCost: MAX_COST,
    });
  });

  it('the same with literal limits', async () => {
    const result = await gql(system.urls.router, NESTED_LITERAL, {}, bearer(user.token));
    expect(result.errors?.[0]?.extensions?.['code']).toBe('COST_LIMIT_EXCEEDED');
  });

  it('without limits, each list counts its declared size (@listSize assumedSize)', async () => {
    const result = await gql(
      system.urls.router,
      '{ recentLogs(limit: 100) { user { logs { user { logs { id } } } } } }',
      {},
      bearer(user.token),
    );
    // logs without a limit argument still count 20 (their default), not 1
    expect(result.errors?.[0]?.extensions).toMatchObject({
      code: 'COST_LIMIT_EXCEEDED',
      cost: 100 * (1 + 1 + 20 * (1 + 1 + 20)),
    });
  });

  it('over graphql-ws, as a query and as a subscription: refused with the same code', async () => {
    const client = wsClient(system.urls.router, user.token);
    const query = collect(client, NESTED_LITERAL, 1);
    await expect(query.done).rejects.toThrow(/COST_LIMIT_EXCEEDED/);
    const subscription = collect(
      client,
      'subscription { logAdded { user { logs(limit: 100) { user { logs(limit: 100) { id } } } } } }',
      1,
    );
    await expect(subscription.done).rejects.toThrow(/COST_LIMIT_EXCEEDED/);
    await client.dispose();
  });
});

describe('the costliest operation the limit allows', () => {
  // 100 × (1 + 1 + 48) = 5,000: 4,800 logs read, one query per level.
  const COSTLIEST = '{ recentLogs(limit: 100) { id user { logs(limit: 48) { id } } } }';

  it('is answered in full', async ({ annotate }) => {
    await gql(system.urls.router, COSTLIEST, {}, bearer(user.token)); // warm: plans, JIT
    const started = performance.now();
    const result = await gql<{ recentLogs: Array<{ user: { logs: unknown[] } }> }>(
      system.urls.router,
      COSTLIEST,
      {},
      bearer(user.token),
    );
    const elapsed = performance.now() - started;
    expect(result.errors).toBeUndefined();
    expect(result.data?.recentLogs).toHaveLength(100);
    expect(result.data?.recentLogs.every((log) => log.user.logs.length === 48)).toBe(true);
    await annotate(
      `↳ costliest allowed operation (cost ${MAX_COST}) answered in ${elapsed.toFixed(0)} ms`,
    );
  });

  it('light queries keep answering while it runs', async ({ annotate }) => {
    const heavy = Array.from({ length: 4 }, () =>
      gql(system.urls.router, COSTLIEST, {}, bearer(user.token)),
    );
    const latencies: number[] = [];
    let running = true;
    void Promise.all(heavy).finally(() => (running = false));
    while (running || latencies.length < 20) {
      const started = performance.now();
      const light = await gql(system.urls.router, '{ me { id } }', {}, bearer(user.token));
      latencies.push(performance.now() - started);
      expect(light.errors).toBeUndefined();
    }
    for (const result of await Promise.all(heavy)) expect(result.errors).toBeUndefined();
    latencies.sort((a, b) => a - b);
    const p99 = latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * 0.99))]!;
    await annotate(
      `↳ ${latencies.length} light queries during 4 costliest operations: p99 ${p99.toFixed(1)} ms`,
    );
  });
});
