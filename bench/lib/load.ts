/**
 * Load generation. `saturate` keeps a fixed number of connections busy with autocannon (the
 * most a server can answer); `paced` sends at a fixed rate whatever the answers do, so a slow
 * answer cannot hide the ones queued behind it (no coordinated omission).
 */
import { Agent, request as httpRequest } from 'node:http';
import autocannon from 'autocannon';
import { cpuMeter, type CpuTime } from './processCpu.js';
import { median, summarizeLatencies, type LatencySummary } from './stats.js';

export interface GraphQLRequest {
  url: string;
  query: string;
  headers: Record<string, string>;
  variables?: Record<string, unknown>;
}

export interface SaturationResult extends LatencySummary {
  requestsPerSecond: number;
  /** Connection errors, timeouts, non-2xx answers and answers not equal to the expected body. */
  failures: number;
}

export interface SaturateOptions {
  connections: number;
  durationSeconds: number;
  /** Every answer must be exactly this text (a verified first answer), or it counts as a failure. */
  expectBody?: string;
}

export async function saturate(
  request: GraphQLRequest,
  options: SaturateOptions,
): Promise<SaturationResult> {
  // autocannon's own histogram has 1 ms resolution; the per-response times are exact.
  const latencies: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: request.url,
        method: 'POST',
        headers: { 'content-type': 'application/json', ...request.headers },
        body: JSON.stringify({ query: request.query }),
        connections: options.connections,
        duration: options.durationSeconds,
        ...(options.expectBody === undefined ? {} : { expectBody: options.expectBody }),
      },
      (error, finished) => (error ? reject(error) : resolve(finished)),
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
    });
  });
  return {
    ...summarizeLatencies(latencies),
    requestsPerSecond: latencies.length / result.duration,
    failures: result.errors + result.timeouts + result.non2xx + result.mismatches,
  };
}

/**
 * The benchmark's own requests go through Node's http client on kept-alive connections, not
 * fetch: on two cores the load generator's CPU is taken from the system it measures, and fetch
 * (undici, with web streams) spent 3.3 ms of the benchmark's CPU per login through the router
 * against 1.4 ms here (bench 9, measured side by side), about a fifth of all the CPU a login
 * costs besides its hash.
 */
const keptAlive = new Agent({ keepAlive: true });

/** Sends one request and checks its answer; returns the body text. */
export async function post(request: GraphQLRequest): Promise<string> {
  const body = JSON.stringify({
    query: request.query,
    ...(request.variables ? { variables: request.variables } : {}),
  });
  const { status, text } = await new Promise<{ status: number; text: string }>(
    (resolve, reject) => {
      const sent = httpRequest(
        request.url,
        {
          method: 'POST',
          agent: keptAlive,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            ...request.headers,
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () =>
            resolve({
              status: response.statusCode ?? 0,
              text: Buffer.concat(chunks).toString('utf8'),
            }),
          );
          response.on('error', reject);
        },
      );
      sent.on('error', reject);
      sent.end(body);
    },
  );
  if (status < 200 || status >= 300 || text.includes('"errors"')) {
    throw new Error(`${request.url} answered ${status}: ${text.slice(0, 300)}`);
  }
  return text;
}

export interface PacedResult extends LatencySummary {
  failures: number;
  /** What the first failure said, so a table can explain its failures. */
  firstError?: string;
}

/** `ratePerSecond` requests a second for `durationMs`, each timed from its scheduled send. */
export async function paced(
  request: GraphQLRequest,
  ratePerSecond: number,
  durationMs: number,
): Promise<PacedResult> {
  const latencies: number[] = [];
  let failures = 0;
  let firstError: string | undefined;
  const pending: Promise<void>[] = [];
  const interval = 1000 / ratePerSecond;
  const start = performance.now();
  for (let i = 0; i * interval < durationMs; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    pending.push(
      post(request).then(
        () => void latencies.push(performance.now() - due),
        (error: Error) => {
          failures++;
          firstError ??= error.message;
        },
      ),
    );
  }
  await Promise.all(pending);
  return { ...summarizeLatencies(latencies), failures, ...(firstError ? { firstError } : {}) };
}

export interface LoadSettings {
  connections: number;
  /**
   * Per target, before the rounds. A gateway process needs several seconds of load before its
   * throughput stops climbing (V8 optimizes the hot paths gradually); measuring earlier would
   * judge it on code that is still being compiled.
   */
  warmupSeconds: number;
  durationSeconds: number;
  rounds: number;
}

export interface Compared {
  /** Medians over the rounds. */
  requestsPerSecond: number;
  p50: number;
  p99: number;
  /** Lowest and highest requests/s of a round, to show the spread. */
  requestsPerSecondRange: [number, number];
  failures: number;
  rounds: SaturationResult[];
  /**
   * CPU each watched process (and the load generator) spent per answered request, the median
   * over the rounds of user and of system time separately, in microseconds.
   */
  cpuPerRequest: Record<string, CpuTime>;
}

/**
 * Saturates each target in turn, round after round (A B C, A B C, …), so that slow drift on the
 * machine (another process, thermal limits) falls on every target alike, and reports the median
 * round of each. Each target's answers must all equal its first, verified answer. The CPU of
 * `watch` (name → pid) is read around every round.
 */
export async function compareUnderLoad<K extends string>(
  targets: Record<K, GraphQLRequest>,
  settings: LoadSettings,
  watch: Record<string, number> = {},
): Promise<Record<K, Compared>> {
  const names = Object.keys(targets) as K[];
  const expected = {} as Record<K, string>;
  for (const name of names) {
    expected[name] = await post(targets[name]);
    await saturate(targets[name], {
      connections: settings.connections,
      durationSeconds: settings.warmupSeconds,
    });
  }
  const rounds = Object.fromEntries(names.map((n) => [n, [] as SaturationResult[]])) as Record<
    K,
    SaturationResult[]
  >;
  const cpu = Object.fromEntries(names.map((n) => [n, [] as Record<string, CpuTime>[]])) as Record<
    K,
    Record<string, CpuTime>[]
  >;
  for (let round = 0; round < settings.rounds; round++) {
    for (const name of names) {
      const meter = cpuMeter(watch);
      const result = await saturate(targets[name], {
        connections: settings.connections,
        durationSeconds: settings.durationSeconds,
        expectBody: expected[name],
      });
      cpu[name].push(meter.perRequest(result.count));
      console.log(
        `${name}, round ${round + 1}: ${Math.round(result.requestsPerSecond)} req/s, ` +
          `p50 ${result.p50.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms, ${result.failures} failures`,
      );
      rounds[name].push(result);
    }
  }
  const compared = {} as Record<K, Compared>;
  for (const name of names) {
    const runs = rounds[name];
    const rps = runs.map((r) => r.requestsPerSecond);
    compared[name] = {
      requestsPerSecond: median(rps),
      p50: median(runs.map((r) => r.p50)),
      p99: median(runs.map((r) => r.p99)),
      requestsPerSecondRange: [Math.min(...rps), Math.max(...rps)],
      failures: runs.reduce((sum, r) => sum + r.failures, 0),
      rounds: runs,
      cpuPerRequest: medianCpu(cpu[name]),
    };
  }
  return compared;
}

/** Per process, the median over rounds of user and of system time. */
function medianCpu(rounds: Record<string, CpuTime>[]): Record<string, CpuTime> {
  const processes = Object.keys(rounds[0] ?? {});
  return Object.fromEntries(
    processes.map((name) => [
      name,
      {
        user: median(rounds.map((r) => (r[name] as CpuTime).user)),
        system: median(rounds.map((r) => (r[name] as CpuTime).system)),
      },
    ]),
  );
}
