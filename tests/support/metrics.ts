/** Reading a service's `/metrics` (Prometheus text format) the way Prometheus scrapes it. */

export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Every sample line of `text` (comments and blank lines skipped). */
export function metricSamples(text: string): MetricSample[] {
  const samples: MetricSample[] = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)(?: \d+)?$/.exec(line);
    if (!match) continue;
    const labels = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]),
    ) as Record<string, string>;
    samples.push({ name: match[1] as string, labels, value: Number(match[3]) });
  }
  return samples;
}

/**
 * The sum of a metric's samples over those whose labels include `labels`; 0 when there are none
 * (a counter that has not moved yet has no sample).
 */
export function metricValue(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): number {
  return metricSamples(text)
    .filter((s) => s.name === name)
    .filter((s) => Object.entries(labels).every(([key, value]) => s.labels[key] === value))
    .reduce((sum, s) => sum + s.value, 0);
}

/**
 * The `METRICS_TOKEN` test processes run with (tests/support/processes.ts): production serves
 * `/metrics` only to its bearer. Services without a token ignore the header.
 */
export const TEST_METRICS_TOKEN = 'test-metrics-token-0123456789';

/** The `/metrics` text of the service whose GraphQL endpoint (or base URL) is `graphqlUrl`. */
export async function scrapeMetrics(graphqlUrl: string): Promise<string> {
  const url = graphqlUrl.replace(/\/graphql$/, '').replace(/\/$/, '') + '/metrics';
  const response = await fetch(url, {
    headers: { authorization: `Bearer ${TEST_METRICS_TOKEN}` },
  });
  if (!response.ok) throw new Error(`${graphqlUrl} /metrics answered ${response.status}`);
  if (!/^text\/plain/.test(response.headers.get('content-type') ?? '')) {
    throw new Error(`${graphqlUrl} /metrics is not Prometheus text`);
  }
  return response.text();
}
