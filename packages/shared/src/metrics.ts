/**
 * Prometheus metrics with prom-client: one registry per service (the one-process start runs
 * several services, and each `/metrics` should show only its own), the Node.js defaults, and
 * GraphQL operations counted and timed by operation name and outcome.
 */
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

export { Counter, Gauge, Histogram, Registry } from 'prom-client';

export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** Distinct operation names a service reports before the rest are counted as one. */
export const MAX_OPERATION_LABELS = 200;

/**
 * Operation names are chosen by clients, and every distinct label value is a time series held
 * in memory for the life of the process: the first `limit` names are kept, later new ones are
 * reported as "other", so nobody can grow a service's memory by inventing names.
 */
export function boundedLabel(limit: number): (value: string) => string {
  const seen = new Set<string>();
  return (value) => {
    if (seen.has(value)) return value;
    if (seen.size >= limit) return 'other';
    seen.add(value);
    return value;
  };
}

/** Counts and times every GraphQL operation: `operation` is its name (or "anonymous"; "other"
 *  past MAX_OPERATION_LABELS names), `outcome` is "ok" or the first error code. */
export function graphqlMetricsPlugin<C extends BaseContext>(
  registry: Registry,
): ApolloServerPlugin<C> {
  const operationLabel = boundedLabel(MAX_OPERATION_LABELS);
  const requests = new Counter({
    name: 'graphql_requests_total',
    help: 'GraphQL operations handled, by operation name and outcome',
    labelNames: ['operation', 'outcome'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'graphql_request_duration_seconds',
    help: 'Time to answer a GraphQL operation, by operation name and outcome',
    labelNames: ['operation', 'outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  return {
    async requestDidStart() {
      const started = performance.now();
      return {
        async willSendResponse({ operationName, response }) {
          const body = response.body;
          const errors = body.kind === 'single' ? body.singleResult.errors : undefined;
          const code = errors?.[0]?.extensions?.['code'];
          const labels = {
            operation: operationLabel((operationName ?? 'anonymous').slice(0, 64)),
            outcome: errors ? (typeof code === 'string' ? code : 'error') : 'ok',
          };
          requests.inc(labels);
          duration.observe(labels, (performance.now() - started) / 1000);
        },
      };
    },
  };
}
