/**
 * Several instances of a subgraph behind one router (MATH_URL lists two math processes): calls
 * are spread over both; with one killed, only calls already in flight on it may fail and every
 * later one succeeds; with both gone, calls are refused with SERVICE_UNAVAILABLE and a retry
 * hint, the router's /ready says 503, and all recovers when an instance comes back.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { gql, signUp, bearer } from '../support/graphql.js';
import type { ServiceProcess } from '../support/processes.js';
import { calculate, failuresByReason, inLanes, type Outcome } from './support/load.js';
import { scrapeMetrics } from '../support/metrics.js';
import { processSet, type ProcessSet } from './support/serviceProcesses.js';

const LANES = 8;
const KILL_AT = 80;

describe('two math instances behind the router, one killed', () => {
  let system: ProcessSet;
  let token: string;
  let maths: ServiceProcess[];
  let outcomes: Outcome[];
  let killedAt = 0;
  let servedBy: number[];

  const mathRequests = async (math: ServiceProcess) => {
    const text = await scrapeMetrics(math.url);
    return text
      .split('\n')
      .filter(
        (line) =>
          /^graphql_requests_total\{/.test(line) || /^\w+_graphql_requests_total/.test(line),
      )
      .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
  };

  beforeAll(async () => {
    system = await processSet({ mathInstances: 2 });
    await system.start('auth');
    // A loaded machine must not turn a slow answer into COMPUTATION_TIMEOUT here.
    const slowOk = { MATH_TIMEOUT_MS: '60000' };
    maths = [await system.startMath(0, slowOk), await system.startMath(1, slowOk)];
    await system.start('router', {
      ROUTER_RATE_LIMIT_PER_MINUTE: '1000000',
      ROUTER_SUBGRAPH_TIMEOUT_MS: '70000',
    });
    token = (await signUp(system.urls.router, 'failover_user', 'failover-password')).token;

    const before = await Promise.all(maths.map(mathRequests));
    for (let i = 0; i < 20; i++)
      await calculate(system.urls.router, token, `{ fibonacci(n: ${i + 10}) { digits } }`);
    const after = await Promise.all(maths.map(mathRequests));
    servedBy = after.map((count, i) => count - (before[i] as number));

    let sent = 0;
    outcomes = await inLanes(
      LANES,
      () => sent >= KILL_AT + 200,
      async (i) => {
        sent++;
        if (i === KILL_AT) {
          killedAt = performance.now();
          void (maths[1] as ServiceProcess).stop('SIGKILL');
        }
        return calculate(
          system.urls.router,
          token,
          `{ factorial(n: ${(i * 7919) % 2000}) { digits log { id } } }`,
        );
      },
    );
  }, 90_000);
  afterAll(async () => {
    await system?.close();
  });

  it('spreads calls over both instances', () => {
    expect(
      servedBy.every((count) => count > 0),
      JSON.stringify(servedBy),
    ).toBe(true);
  });

  it('fails only calls already in flight when the instance died; every later one succeeds', async ({
    annotate,
  }) => {
    const late = outcomes.filter((o) => o.sentAt > killedAt);
    await annotate(
      `measured: ${outcomes.length} calculations, ${late.length} sent after the kill, ` +
        `not answered: ${JSON.stringify(failuresByReason(outcomes))} (calls spread ${servedBy.join('/')})`,
    );
    expect(late.filter((o) => !o.data)).toEqual([]);
    expect(late.length).toBeGreaterThan(100);
  });

  it('stays ready while one instance is left', async () => {
    const ready = await fetch(system.urls.router.replace(/\/graphql$/, '/ready'));
    expect(ready.status).toBe(200);
  });

  it('refuses with SERVICE_UNAVAILABLE and a retry hint when no instance is left, then recovers', async () => {
    await (maths[0] as ServiceProcess).stop('SIGKILL');
    await vi.waitFor(
      async () => {
        const ready = await fetch(system.urls.router.replace(/\/graphql$/, '/ready'));
        expect(ready.status).toBe(503);
      },
      { timeout: 10_000, interval: 100 },
    );
    const refused = await gql(
      system.urls.router,
      '{ factorial(n: 5) { digits } }',
      {},
      bearer(token),
    );
    expect(refused.errors?.[0]?.extensions).toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      retryAfterSeconds: expect.any(Number),
    });

    maths[1] = await system.startMath(1, { MATH_TIMEOUT_MS: '60000' });
    await vi.waitFor(
      async () => {
        const answer = await gql(
          system.urls.router,
          '{ factorial(n: 6) { digits } }',
          {},
          bearer(token),
        );
        expect(answer.data).toEqual({ factorial: { digits: 3 } });
      },
      { timeout: 10_000, interval: 100 },
    );
    expect((await fetch(system.urls.router.replace(/\/graphql$/, '/ready'))).status).toBe(200);
  });
});
