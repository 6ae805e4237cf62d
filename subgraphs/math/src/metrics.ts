/**
 * The math subgraph's own Prometheus metrics, on the service's registry (`/metrics`): cache
 * lookups, computations by operation and outcome, the request-log writer's queue, flushes and
 * rows, how busy the compute pool is, and the log events kept while Redis is away. The
 * calculator and the log writer report through their observer interfaces; the pool, the queue
 * and the kept events are read when Prometheus scrapes.
 */
import { Counter, Gauge, Histogram, type Registry } from '@microservice-math/shared/metrics';
import type { CacheTier } from './cache/resultCache.js';
import type { CalculatorObserver } from './calculations/calculator.js';
import type { ComputePoolStats } from './compute/pool.js';
import type { LogWriterObserver } from './logs/logWriter.js';

export interface MathMetricSources {
  poolStats(): ComputePoolStats;
  logQueueDepth(): number;
  /** Log events kept for when Redis answers again (EventBus.unpublished). */
  unpublishedEvents(): number;
}

export type MathMetrics = CalculatorObserver &
  LogWriterObserver & {
    /** A tiered cache found an entry in this tier (see createTieredCache). */
    cacheFound(tier: CacheTier): void;
  };

export function createMathMetrics(registry: Registry, sources: MathMetricSources): MathMetrics {
  const registers = [registry];
  const cacheLookups = new Counter({
    name: 'math_cache_lookups_total',
    help: 'Result cache lookups by outcome (hit, or miss: absent, unreachable, or without the text the request needs)',
    labelNames: ['outcome'] as const,
    registers,
  });
  const cacheFound = new Counter({
    name: 'math_cache_found_total',
    help: 'Result cache entries found, by tier: near (this instance’s memory, no trip to Redis) or shared (Redis)',
    labelNames: ['tier'] as const,
    registers,
  });
  const computations = new Counter({
    name: 'math_computations_total',
    help: 'Computations (cache misses that reached the compute pool) by operation and outcome',
    labelNames: ['operation', 'outcome'] as const,
    registers,
  });
  const computeSeconds = new Histogram({
    name: 'math_computation_duration_seconds',
    help: 'Time from handing a computation to the pool to its answer, queueing included',
    labelNames: ['operation'] as const,
    buckets: [0.001, 0.005, 0.025, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  });
  const flushSeconds = new Histogram({
    name: 'math_log_flush_duration_seconds',
    help: 'Time to commit one batch of request logs, retries included',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
    registers,
  });
  const batchRows = new Histogram({
    name: 'math_log_batch_rows',
    help: 'Request logs committed per batch',
    buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500],
    registers,
  });
  const rowsWritten = new Counter({
    name: 'math_log_rows_written_total',
    help: 'Request logs committed',
    registers,
  });
  const rowsFailed = new Counter({
    name: 'math_log_rows_failed_total',
    help: 'Request logs that could not be written after every retry',
    registers,
  });
  const spoolWritten = new Counter({
    name: 'math_log_spool_written_total',
    help: 'Refused requests logged late, from the spool, once the database was back',
    registers,
  });
  const spoolLost = new Counter({
    name: 'math_log_spool_lost_total',
    help: 'Refused requests never logged: the spool was full, or still held them at exit',
    registers,
  });
  new Gauge({
    name: 'math_log_queue_depth',
    help: 'Request logs waiting for the next flush',
    registers,
    collect() {
      this.set(sources.logQueueDepth());
    },
  });
  new Gauge({
    name: 'math_events_unpublished',
    help: 'Log events not yet published because Redis was unreachable: kept (10,000 at most), and published in order once Redis answers again, those being sent included',
    registers,
    collect() {
      this.set(sources.unpublishedEvents());
    },
  });
  new Gauge({
    name: 'math_pool_pending_tasks',
    help: 'Computations handed to worker threads and not settled yet (running or queued)',
    registers,
    collect() {
      this.set(sources.poolStats().pending);
    },
  });
  new Gauge({
    name: 'math_pool_threads',
    help: 'Worker threads alive in the compute pool',
    registers,
    collect() {
      this.set(sources.poolStats().threads);
    },
  });
  let threadsEndedReported = 0;
  new Counter({
    name: 'math_pool_threads_ended_total',
    help: 'Worker threads ended: stopped at a deadline, crashed, idle or closed',
    registers,
    collect() {
      const ended = sources.poolStats().threadsEnded;
      this.inc(ended - threadsEndedReported);
      threadsEndedReported = ended;
    },
  });

  return {
    cacheFound(tier) {
      cacheFound.inc({ tier });
    },
    cacheLookup(outcome) {
      cacheLookups.inc({ outcome });
    },
    computed(operation, outcome, seconds) {
      computations.inc({ operation, outcome });
      if (outcome === 'ok') computeSeconds.observe({ operation }, seconds);
    },
    flushed(rows, seconds) {
      flushSeconds.observe(seconds);
      batchRows.observe(rows);
      rowsWritten.inc(rows);
    },
    flushFailed(rows) {
      rowsFailed.inc(rows);
    },
    spoolWritten(rows) {
      spoolWritten.inc(rows);
    },
    spoolLost(rows) {
      spoolLost.inc(rows);
    },
  };
}
