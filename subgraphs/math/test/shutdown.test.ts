/**
 * SIGTERM to the math subgraph running as its own process: a computation still running when the
 * shutdown grace ends is stopped, answered SERVICE_UNAVAILABLE and logged, and the process exits 0
 * within 10 s. SIGTERM under load is a load suite: shutdown.slow.test.ts.
 */
import { SHUTDOWN_REFUSAL_HEADER } from '@microservice-math/shared/routerContext';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../../tests/support/waitFor.js';
import { metricValue, newCaller } from './mathService.js';
import { startMathProcess, type MathProcess } from './mathProcess.js';
import { scrapeMetrics } from '../../../tests/support/metrics.js';

/** MATH_SHUTDOWN_GRACE_MS for this math: shorter than the default 5 s, still a wait to see. */
const GRACE_MS = 1_000;

let math: MathProcess | undefined;
afterEach(async () => {
  await math?.dispose();
  math = undefined;
});

describe('SIGTERM', () => {
  it('stops a computation still running after the grace, answers and logs it, exits 0 within 10 s', async ({
    annotate,
  }) => {
    // 3000000! with its 18-million-digit text takes far longer than the grace.
    const running = (math = await startMathProcess({
      MATH_TIMEOUT_MS: '120000',
      MATH_MAX_DIGITS: '20000000',
      MATH_SHUTDOWN_GRACE_MS: String(GRACE_MS),
    }));
    const caller = newCaller('long');
    // An answer with nothing cut does not carry the mark that tells the router to resend.
    const small = await running.post('{ factorial(n: 10) { digits } }', caller);
    expect(small.headers.get(SHUTDOWN_REFUSAL_HEADER)).toBeNull();
    await small.body?.cancel();
    const long = running.post('{ factorial(n: 3000000) { result } }', caller);
    // Signalled once the computation runs in a worker, as math's own gauge says.
    await waitFor(async () => {
      const metrics = await scrapeMetrics(running.base);
      expect(metricValue(metrics, 'math_pool_pending_tasks')).toBe(1);
    });
    const signalledAt = performance.now();
    running.signal('SIGTERM');

    const response = await long;
    const body = (await response.json()) as {
      data: null;
      errors: Array<{ extensions: { code: string } }>;
    };
    const ended = await running.exited;
    const exitMs = performance.now() - signalledAt;

    // A shutdown is no fault: the caller may send it again (to another instance, or this one
    // restarted), as the web app does by itself for SERVICE_UNAVAILABLE.
    expect(body.errors[0]).toMatchObject({
      message: 'The math service is shutting down; send the calculation again',
      extensions: { code: 'SERVICE_UNAVAILABLE', retryAfterSeconds: 1 },
    });
    // Marked so, for the router to send it to another instance (subgraphInstances.ts).
    expect(response.headers.get(SHUTDOWN_REFUSAL_HEADER)).toBe('1');
    expect(ended).toEqual({ code: 0, signal: null });
    expect(exitMs).toBeGreaterThanOrEqual(GRACE_MS - 100); // it had its grace
    expect(exitMs).toBeLessThan(10_000);
    // Its grace, not the default 5 s: stopped, answered, logged and closed well before that.
    expect(exitMs).toBeLessThan(GRACE_MS + 3_500);
    const rows = await running.logRows(caller.id);
    expect(rows.map((r) => [r.input, r.status])).toEqual([
      ['{"n":10}', 'ok'],
      ['{"n":3000000}', 'SERVICE_UNAVAILABLE'],
    ]);
    await annotate(`measured: exit 0 ${exitMs.toFixed(0)} ms after SIGTERM`);
  });
});
