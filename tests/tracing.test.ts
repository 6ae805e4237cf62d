/**
 * OpenTelemetry tracing: one trace per request through the router and the subgraphs it calls,
 * exported over OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT is set, and nothing at all otherwise.
 *
 * The services run as separate processes (as deployed) with a batch delay longer than the test,
 * so their spans reach the collector only because stopping a service flushes them.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { trace } from '@opentelemetry/api';
import { createLogger } from '@microservice-math/shared/logger';
import { startTracing } from '@microservice-math/shared/tracing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, gql } from './support/graphql.js';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './support/otlpReceiver.js';
import { redisUrl } from './support/system.js';
import { processSet, type ProcessSet } from './reliability/support/serviceProcesses.js';

const SERVER = 2;
const ERROR = 2;
const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/** A client's own trace context, as a browser or an upstream proxy would send it. */
function clientTrace() {
  const traceId = hex(16);
  const spanId = hex(8);
  return { traceId, spanId, header: { traceparent: `00-${traceId}-${spanId}-01` } };
}

function only(spans: ReceivedSpan[], predicate: (span: ReceivedSpan) => boolean): ReceivedSpan {
  const found = spans.filter(predicate);
  expect(found, spans.map((s) => `${s.service}:${s.name}`).join(', ')).toHaveLength(1);
  return found[0] as ReceivedSpan;
}

/**
 * The spans of the trace the router started for a client's request: the router does not
 * continue a client's trace, it links its own request span to the client's span.
 */
function tracedFor(spans: ReceivedSpan[], client: { traceId: string; spanId: string }) {
  const link = `${client.traceId}/${client.spanId}`;
  const roots = spans.filter((s) => s.links.includes(link));
  expect(roots.map((s) => `${s.service}:${s.kind}`)).toEqual([`router-under-test:${SERVER}`]);
  return spans.filter((s) => s.traceId === (roots[0] as ReceivedSpan).traceId);
}

function parentOf(spans: ReceivedSpan[], span: ReceivedSpan): ReceivedSpan | undefined {
  return spans.find((candidate) => candidate.spanId === span.parentSpanId);
}

/** The names of the span's ancestors, nearest first, as `service:name`. */
function ancestry(spans: ReceivedSpan[], span: ReceivedSpan): string[] {
  const names: string[] = [];
  for (let at = parentOf(spans, span); at; at = parentOf(spans, at)) {
    names.push(`${at.service}:${at.name}`);
  }
  return names;
}

describe('tracing through the router and the subgraphs, as separate processes', () => {
  let receiver: OtlpReceiver;
  let services: ProcessSet;
  const registration = clientTrace();
  const calculation = clientTrace();
  const refused = clientTrace();
  const exitCodes: Record<string, number | null> = {};

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    services = await processSet({ redisUrl });
    const tracingEnv = (service: string) => ({
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_SERVICE_NAME: `${service}-under-test`,
      OTEL_BSP_SCHEDULE_DELAY: '600000',
    });
    await services.start('auth', tracingEnv('auth'));
    await services.start('math', tracingEnv('math'));
    await services.start('router', tracingEnv('router'));

    const username = `tracer_${hex(4)}`;
    const registered = await gql<{ register: { token: string } }>(
      services.urls.router,
      'mutation Register($u: String!, $p: String!) { register(username: $u, password: $p) { token } }',
      { u: username, p: 'correct horse battery' },
      registration.header,
    );
    const token = registered.data?.register.token as string;
    expect(token).toBeTruthy();

    const calculated = await gql<{ factorial: { result: string } }>(
      services.urls.router,
      'query TracedFactorial { factorial(n: 25) { result } }',
      {},
      { ...bearer(token), ...calculation.header },
    );
    expect(calculated.data?.factorial.result).toBe('15511210043330985984000000');

    const refusal = await gql(
      services.urls.router,
      'query RefusedFactorial { factorial(n: -1) { result } }',
      {},
      { ...bearer(token), ...refused.header },
    );
    expect(refusal.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');

    // Front to back, as a deployment stops; each flushes its spans on the way out.
    for (const name of ['router', 'math', 'auth'] as const) {
      exitCodes[name] = await services.stop(name);
    }
  }, 120_000);

  afterAll(async () => {
    await services?.close();
    await receiver?.close();
  });

  it('every service exits 0 on SIGTERM, exporting its spans on the way out', () => {
    expect(exitCodes).toEqual({ router: 0, math: 0, auth: 0 });
    expect(new Set(receiver.spans.map((span) => span.service))).toEqual(
      new Set(['router-under-test', 'math-under-test', 'auth-under-test']),
    );
  });

  it("starts a trace of its own for a client's request, linked to the client's span", () => {
    const spans = tracedFor(receiver.spans, calculation);
    const server = only(spans, (s) => s.service === 'router-under-test' && s.kind === SERVER);
    expect(server.parentSpanId).toBe(''); // a root: clients choose no trace id and no sampling
    expect(server.traceId).not.toBe(calculation.traceId);
    expect(server.name).toBe('query TracedFactorial');
    expect(server.attributes).toMatchObject({
      'graphql.operation.type': 'query',
      'graphql.operation.name': 'TracedFactorial',
      'http.route': '/graphql',
      'http.response.status_code': 200,
    });
  });

  it('a calculation is one trace from the router through the gateway into math', () => {
    const spans = tracedFor(receiver.spans, calculation);
    const mathServer = only(spans, (s) => s.service === 'math-under-test' && s.kind === SERVER);
    // math's request span hangs off the gateway's fetch to math, inside the router's request.
    expect(ancestry(spans, mathServer)).toEqual([
      'router-under-test:gateway.fetch',
      'router-under-test:gateway.execute',
      'router-under-test:gateway.request',
      'router-under-test:query TracedFactorial',
    ]);
    for (const name of ['math.cache.get', 'math.compute', 'math.log.write']) {
      const step = only(spans, (s) => s.name === name);
      expect(step.service).toBe('math-under-test');
      expect(ancestry(spans, step)[0]).toBe(`math-under-test:${mathServer.name}`);
    }
    expect(only(spans, (s) => s.name === 'math.compute').attributes).toMatchObject({
      'math.operation': 'FACTORIAL',
      'math.text': true,
    });
    // Every span of the trace is connected: its parent is in the trace, or it is the root.
    const ids = new Set([...spans.map((s) => s.spanId), '']);
    expect(spans.filter((s) => !ids.has(s.parentSpanId))).toEqual([]);
    // Auth had no part in this request (the token is verified by the router itself).
    expect(spans.some((s) => s.service === 'auth-under-test')).toBe(false);
  });

  it("registration's trace reaches auth, with the password hashing as a span of its own", () => {
    const spans = tracedFor(receiver.spans, registration);
    const authServer = only(spans, (s) => s.service === 'auth-under-test' && s.kind === SERVER);
    expect(parentOf(spans, authServer)?.name).toBe('gateway.fetch');
    const hashing = only(spans, (s) => s.name === 'auth.password.hash');
    expect(hashing.parentSpanId).toBe(authServer.spanId);
  });

  it('a refused request marks the spans failed with the error code, never the message', () => {
    const spans = tracedFor(receiver.spans, refused);
    const routerServer = only(spans, (s) => s.service === 'router-under-test' && s.kind === SERVER);
    expect(routerServer.status).toBe(ERROR);
    expect(routerServer.attributes['graphql.error.codes']).toEqual(['BAD_USER_INPUT']);
    const mathServer = only(spans, (s) => s.service === 'math-under-test' && s.kind === SERVER);
    expect(mathServer.status).toBe(ERROR);
    const everything = JSON.stringify(spans);
    expect(everything).not.toMatch(/must be 0 or more/);
  });

  it("no span joins a client's trace or hangs off a client's span", () => {
    for (const client of [registration, calculation, refused]) {
      expect(receiver.spans.filter((s) => s.traceId === client.traceId)).toEqual([]);
      expect(receiver.spans.filter((s) => s.parentSpanId === client.spanId)).toEqual([]);
    }
  });
});

describe('startTracing', () => {
  let receiver: OtlpReceiver;
  const logger = createLogger('tracing-test', { level: 'silent', pretty: false });

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
  });
  afterAll(() => receiver.close());

  it('does nothing when no endpoint is configured: spans are not recorded', async () => {
    const tracing = await startTracing({ endpoint: undefined, serviceName: 'off' }, logger);
    expect(tracing.enabled).toBe(false);
    const span = trace.getTracer('test').startSpan('unrecorded');
    expect(span.isRecording()).toBe(false);
    span.end();
    await tracing.shutdown();
  });

  it('loads the OpenTelemetry SDK and exporter only when tracing is on', async () => {
    // In a fresh process, as a service starts: which of the SDK's packages are loaded after
    // startTracing (CommonJS packages imported from ESM land in require's cache).
    const script = `
      import { createRequire } from 'node:module';
      import { startTracing } from '@microservice-math/shared/tracing';
      import { createLogger } from '@microservice-math/shared/logger';
      const logger = createLogger('probe', { level: 'silent', pretty: false });
      const tracing = await startTracing({ endpoint: process.argv[1] || undefined, serviceName: 'probe' }, logger);
      const loaded = Object.keys(createRequire(import.meta.url).cache);
      console.log(JSON.stringify(['sdk-trace-node', 'exporter-trace-otlp-http'].filter((name) =>
        loaded.some((file) => file.includes('/@opentelemetry/' + name + '/')))));
      await tracing.shutdown();`;
    const loadedWith = async (endpoint: string) => {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', '--conditions=source', '--input-type=module', '-e', script, endpoint],
        {
          cwd: new URL('../packages/shared/', import.meta.url),
          env: { ...process.env, NODE_OPTIONS: '' },
        },
      );
      return JSON.parse(stdout) as string[];
    };
    expect(await loadedWith('')).toEqual([]);
    expect(await loadedWith(receiver.endpoint)).toEqual([
      'sdk-trace-node',
      'exporter-trace-otlp-http',
    ]);
  }, 60_000);

  it('with an endpoint, records spans and exports them when shut down; then records no more', async () => {
    const tracing = await startTracing(
      { endpoint: `${receiver.endpoint}/`, serviceName: 'on' },
      logger,
    );
    expect(tracing.enabled).toBe(true);
    const span = trace.getTracer('test').startSpan('recorded');
    expect(span.isRecording()).toBe(true);
    span.end();
    await tracing.shutdown();
    expect(receiver.spans.map((s) => [s.service, s.name])).toEqual([['on', 'recorded']]);
    expect(trace.getTracer('test').startSpan('after').isRecording()).toBe(false);
  });
});
