/**
 * The math metrics on `/metrics` (Prometheus text from the service's own registry) move with
 * the work: cache lookups, computations by operation and outcome, request-log rows, batches and
 * flush time, the compute pool's pending tasks and threads, and the log events kept unpublished.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricValue, newCaller, startMath, type RunningMath } from './mathService.js';

let math: RunningMath;

beforeAll(async () => {
  math = await startMath();
});
afterAll(async () => {
  await math?.stop();
});

describe('/metrics', () => {
  it('counts a miss, a computation, a hit and their log rows', async () => {
    const caller = newCaller('metrics');
    const before = await math.metrics();
    await math.call('{ factorial(n: 3000) { digits } }', {}, caller); // pooled: 9131 digits
    await math.call('{ factorial(n: 3000) { digits } }', {}, caller); // cache hit
    const after = await math.metrics();
    const moved = (name: string, labels: Record<string, string> = {}) =>
      metricValue(after, name, labels) - metricValue(before, name, labels);

    expect(moved('math_cache_lookups_total', { outcome: 'miss' })).toBe(1);
    expect(moved('math_cache_lookups_total', { outcome: 'hit' })).toBe(1);
    expect(moved('math_computations_total', { operation: 'FACTORIAL', outcome: 'ok' })).toBe(1);
    expect(moved('math_computation_duration_seconds_count', { operation: 'FACTORIAL' })).toBe(1);
    expect(moved('math_log_rows_written_total')).toBe(2);
    expect(moved('math_log_batch_rows_sum')).toBe(2);
    expect(moved('math_log_flush_duration_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(moved('math_log_flush_duration_seconds_sum')).toBeGreaterThan(0);
    expect(metricValue(after, 'math_log_queue_depth')).toBe(0);
    expect(metricValue(after, 'math_pool_threads')).toBeGreaterThanOrEqual(1);
    expect(after).toMatch(/^math_log_rows_written_total\{service="math"\} \d+$/m);
    // Nothing kept for a Redis that is away (events.test.ts counts what is).
    expect(after).toMatch(/^math_events_unpublished\{service="math"\} 0$/m);
  });

  it('shows a running computation as a pending pool task', async () => {
    const caller = newCaller('pending');
    let done = false;
    const big = math
      .call('{ factorial(n: 200000) { result } }', {}, caller)
      .finally(() => (done = true));
    let seenPending = 0;
    while (!done && seenPending === 0) {
      seenPending = metricValue(await math.metrics(), 'math_pool_pending_tasks');
    }
    await big;
    expect(seenPending).toBe(1);
    expect(metricValue(await math.metrics(), 'math_pool_pending_tasks')).toBe(0);
  });
});
