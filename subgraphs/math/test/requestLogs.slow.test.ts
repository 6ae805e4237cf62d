/**
 * A load suite (run by `npm run test:slow`): 1,000 calculations at once through one math, on
 * SQLite and on PostgreSQL, leave exactly their 1,000 committed rows, batched by the group-commit
 * writer. Every other request-log behaviour is in requestLogs.test.ts.
 */
import { expect, it } from 'vitest';
import { describeOnDatabases } from '../../../tests/support/postgres.js';
import { mathOn, metricValue, newCaller } from './mathService.js';

const CALCULATION = '{ digits cached log { id } }';

/** Mixed work, so cache hits, inline and pooled computations all write logs. */
function calculation(i: number): string {
  switch (i % 3) {
    case 0:
      return `{ factorial(n: ${i % 700}) ${CALCULATION} }`;
    case 1:
      return `{ fibonacci(n: ${(i % 500) - 250}) ${CALCULATION} }`;
    default:
      return `{ power(base: "1.${i % 40}", exponent: ${i % 60}) ${CALCULATION} }`;
  }
}

interface BatchFigures {
  batches: number;
  rows: number;
  flushSeconds: number;
  /** Batches per histogram bucket ("≤ 1", "≤ 2", …), for the report. */
  buckets: Record<string, number>;
}

function batchFigures(metrics: string): BatchFigures {
  const buckets: Record<string, number> = {};
  let previous = 0;
  for (const le of ['1', '2', '5', '10', '25', '50', '100', '250', '500']) {
    const cumulative = metricValue(metrics, 'math_log_batch_rows_bucket', { le });
    buckets[`≤${le}`] = cumulative - previous;
    previous = cumulative;
  }
  return {
    batches: metricValue(metrics, 'math_log_batch_rows_count'),
    rows: metricValue(metrics, 'math_log_batch_rows_sum'),
    flushSeconds: metricValue(metrics, 'math_log_flush_duration_seconds_sum'),
    buckets,
  };
}

describeOnDatabases('request logs on $database under load', (on) => {
  const { database, skip } = on;
  const math = mathOn(on);

  it.skipIf(skip)(
    '1,000 concurrent calculations leave exactly 1,000 log rows',
    async ({ annotate }) => {
      const caller = newCaller('thousand');
      const before = batchFigures(await math().metrics());
      const started = performance.now();
      const responses = await Promise.all(
        Array.from({ length: 1000 }, (_, i) => math().call(calculation(i), {}, caller)),
      );
      const elapsedMs = performance.now() - started;

      const answeredIds = responses.map(({ status, body }) => {
        expect(status).toBe(200);
        expect(body.errors).toBeUndefined();
        return Object.values(body.data ?? {})[0].log.id as string;
      });
      const rows = await math().logRows({ userId: caller.id });
      expect(rows).toHaveLength(1000);
      expect(new Set(rows.map((r) => r.id))).toEqual(new Set(answeredIds));
      expect(rows.every((r) => r.status === 'ok')).toBe(true);

      const after = batchFigures(await math().metrics());
      const batches = after.batches - before.batches;
      const buckets = Object.fromEntries(
        Object.entries(after.buckets)
          .map(([bucket, count]) => [bucket, count - (before.buckets[bucket] ?? 0)])
          .filter(([, count]) => count !== 0),
      );
      expect(after.rows - before.rows).toBe(1000);
      await annotate(
        `measured (${database}): 1000 calculations in ${elapsedMs.toFixed(0)} ms, committed in ` +
          `${batches} batches, ${(1000 / batches).toFixed(1)} rows per batch on average; ` +
          `batches by size ${JSON.stringify(buckets)}; mean flush ` +
          `${((1000 * (after.flushSeconds - before.flushSeconds)) / batches).toFixed(1)} ms`,
      );
    },
  );
});
