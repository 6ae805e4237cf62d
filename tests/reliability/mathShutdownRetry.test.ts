/**
 * A rolling restart of math behind the router, as separate processes: an instance told to stop
 * (SIGTERM, with a short MATH_SHUTDOWN_GRACE_MS) cuts the calculations it still runs or has
 * queued and answers them SERVICE_UNAVAILABLE ("shutting down; send the calculation again"),
 * marking its answer with SHUTDOWN_REFUSAL_HEADER. The router sends that call once more to the
 * other, ready instance, so the caller gets every answer, and each calculation keeps exactly one
 * log row (the cut ones' refusal rows replaced by the answers, the one answered before the cut
 * not logged twice). With no other instance, the caller gets the refusal, as before: that case
 * is shown without starting processes for it, through the router by subgraphInstances.test.ts
 * and in math by subgraphs/math/test/shutdown.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, gql, signUp, type GraphQLResponse } from '../support/graphql.js';
import { metricValue, scrapeMetrics } from '../support/metrics.js';
import type { ServiceProcess } from '../support/processes.js';
import { redisUrl } from '../support/system.js';
import { waitFor } from '../support/waitFor.js';
import { storedLogsOf, type StoredLog } from './support/ownConnection.js';
import { processSet, type ProcessSet } from './support/serviceProcesses.js';

/** Short, so the computations below are still running (or queued) when it ends. */
const GRACE_MS = '300';

/**
 * One worker, so that of the two large calculations one runs and the other waits for the thread;
 * a budget and a timeout that let both finish on a loaded machine.
 */
const MATH_ENV = {
  MATH_WORKERS: '1',
  MATH_SHUTDOWN_GRACE_MS: GRACE_MS,
  MATH_TIMEOUT_MS: '60000',
  MATH_MAX_DIGITS: '50000000',
};
const ROUTER_ENV = { ROUTER_SUBGRAPH_TIMEOUT_MS: '70000' };

/**
 * One fetch to math with three root fields: a small one, answered (inline) long before the cut,
 * and two large ones (about 3 s and 1.3 s of one core each, digits only), both in the compute
 * pool when the instance is told to stop, so both are cut by its grace.
 */
const OPERATION = `{
  small: factorial(n: 10) { digits result log { id } }
  running: factorial(n: 5000000) { digits log { id } }
  queued: fibonacci(n: 50000000) { digits log { id } }
}`;

const ANSWERS = {
  small: { digits: 7, result: '3628800' },
  running: { digits: 31_323_382 },
  queued: { digits: 10_449_382 },
};

type Field = { digits: number; result?: string; log: { id: string } } | null;
type Answer = GraphQLResponse<Record<'small' | 'running' | 'queued', Field>>;

const pending = async (math: ServiceProcess) =>
  metricValue(await scrapeMetrics(math.url), 'math_pool_pending_tasks');

/**
 * Sends OPERATION through the router, waits until one of `maths` has both large calculations in
 * its pool (one running, one queued), and sends that instance SIGTERM. Resolves with the answer,
 * the instance told to stop and its exit code.
 */
async function calculationCutByShutdown(
  system: ProcessSet,
  maths: ServiceProcess[],
  token: string,
): Promise<{ answer: Answer; stopped: ServiceProcess; exitCode: number | null }> {
  const answer = gql(system.urls.router, OPERATION, {}, bearer(token)) as Promise<Answer>;
  const stopped = await waitFor(async () => {
    const counts = await Promise.all(maths.map(pending));
    const busy = maths[counts.indexOf(2)];
    expect(busy).toBeDefined();
    return busy as ServiceProcess;
  }, 30_000);
  const exitCode = await stopped.stop('SIGTERM', 20_000);
  return { answer: await answer, stopped, exitCode };
}

describe('a math instance stopped while it computes, another ready', () => {
  let system: ProcessSet;
  let maths: ServiceProcess[];
  let userId: string;
  let cut: Awaited<ReturnType<typeof calculationCutByShutdown>>;
  let other: ServiceProcess;
  let computedBefore: number;

  beforeAll(async () => {
    system = await processSet({ mathInstances: 2, ...(redisUrl ? { redisUrl } : {}) });
    await system.start('auth');
    maths = [await system.startMath(0, MATH_ENV), await system.startMath(1, MATH_ENV)];
    await system.start('router', ROUTER_ENV);
    const account = await signUp(system.urls.router, 'rolling_user', 'rolling-password');
    userId = account.id;
    const computed = await Promise.all(
      maths.map(async (m) => metricValue(await scrapeMetrics(m.url), 'math_computations_total')),
    );
    cut = await calculationCutByShutdown(system, maths, account.token);
    other = maths.find((m) => m !== cut.stopped) as ServiceProcess;
    computedBefore = computed[maths.indexOf(other)] as number;
  }, 120_000);
  afterAll(async () => {
    await system?.close();
  });

  it('the stopped instance exits 0 after its grace', () => {
    expect(cut.exitCode).toBe(0);
  });

  it('the caller gets every answer, computed by the other instance', async () => {
    expect(cut.answer.errors).toBeUndefined();
    expect(cut.answer.data).toMatchObject(ANSWERS);
    // Both large calculations were computed there: the stopped instance had finished neither.
    const computed = metricValue(await scrapeMetrics(other.url), 'math_computations_total', {
      outcome: 'ok',
    });
    expect(computed - computedBefore).toBeGreaterThanOrEqual(2);
  });

  it('each calculation has exactly one log row, ok, the one it was answered with', async () => {
    const rows: StoredLog[] = await storedLogsOf(system.databaseUrl, userId);
    const answered = cut.answer.data as Record<string, Field>;
    expect(rows.map((row) => [row.input, row.status]).sort()).toEqual(
      [
        ['{"n":10}', 'ok'],
        ['{"n":5000000}', 'ok'],
        ['{"n":50000000}', 'ok'],
      ].sort(),
    );
    expect(rows.map((row) => row.id).sort()).toEqual(
      ['small', 'running', 'queued'].map((key) => answered[key]?.log.id).sort(),
    );
    // One request: both attempts carried the router's request id.
    expect(new Set(rows.map((row) => row.request_id)).size).toBe(1);
  });

  it('logged nothing at error level', () => {
    expect(system.errorLines('router')).toEqual([]);
  });
});
