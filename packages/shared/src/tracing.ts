/**
 * OpenTelemetry tracing, off unless `OTEL_EXPORTER_OTLP_ENDPOINT` names an OTLP/HTTP collector.
 *
 * Spans are made by hand rather than by the auto-instrumentations: those patch modules as they
 * are loaded, which needs loader hooks under ESM, and would trace every Redis command and SQL
 * statement. Here each service traces what an operator asks about: one server span per GraphQL
 * request (named after its operation), the gateway's own spans (`gateway.request`, `gateway.plan`,
 * `gateway.fetch`, …, which `@apollo/gateway` makes through the global API), and the expensive
 * steps inside the subgraphs. The W3C `traceparent` header carries the trace from the router to
 * the subgraphs, so one trace shows a request through every process it touched.
 *
 * The standard `OTEL_*` knobs the SDK reads itself (`OTEL_TRACES_SAMPLER`,
 * `OTEL_BSP_SCHEDULE_DELAY`, …) keep their documented meaning.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  context,
  diag,
  DiagLogLevel,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { z } from 'zod';
import { env } from './config.js';
import type { Logger } from './logger.js';

/** The environment variables every service accepts for tracing. */
export const tracingEnvShape = {
  OTEL_EXPORTER_OTLP_ENDPOINT: env.optionalUrl(['http:', 'https:'], 'http://otel-collector:4318'),
  OTEL_SERVICE_NAME: z.preprocess(
    (value) => (value === '' ? undefined : value),
    z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/, 'expected up to 64 letters, digits, ".", "_" or "-"')
      .optional(),
  ),
};

export interface TracingConfig {
  /** Base URL of an OTLP/HTTP collector; spans go to `<endpoint>/v1/traces`. Unset: no tracing. */
  endpoint: string | undefined;
  /** `service.name` on every span this process exports. */
  serviceName: string;
}

export function tracingConfigFrom(
  e: { OTEL_EXPORTER_OTLP_ENDPOINT?: string | undefined; OTEL_SERVICE_NAME?: string | undefined },
  defaultServiceName: string,
): TracingConfig {
  return {
    endpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT,
    serviceName: e.OTEL_SERVICE_NAME ?? defaultServiceName,
  };
}

export interface Tracing {
  enabled: boolean;
  /** Exports the spans still buffered, then stops; call once, last, when the process stops. */
  shutdown(): Promise<void>;
}

/**
 * Registers this process's tracer provider when an endpoint is configured. One per process: in
 * the one-process development mode all three services share it. The SDK is loaded only then
 * (tracingProvider.ts): tracing is off by default, and loading the SDK and its exporter cost each
 * service about 0.1–0.2 s of CPU at every start.
 */
export async function startTracing(config: TracingConfig, logger: Logger): Promise<Tracing> {
  if (!config.endpoint) return { enabled: false, shutdown: async () => {} };
  // Export failures would otherwise go unreported (the API's diagnostics are silent by default).
  const log = logger.child({ component: 'tracing' });
  diag.setLogger(
    {
      error: (message) => log.warn(message),
      warn: (message) => log.warn(message),
      info: () => {},
      debug: () => {},
      verbose: () => {},
    },
    DiagLogLevel.WARN,
  );
  const { registerTracerProvider } = await import('./tracingProvider.js');
  const provider = registerTracerProvider(config.endpoint, config.serviceName);
  log.info({ endpoint: config.endpoint, serviceName: config.serviceName }, 'tracing on');
  return {
    enabled: true,
    async shutdown() {
      await provider.shutdown();
      trace.disable();
      propagation.disable();
      context.disable();
      diag.disable();
    },
  };
}

export interface TraceRequestsOptions {
  /** Names the span (`POST /graphql`): the route, never the path the client sent. */
  route: string;
  /**
   * Continue the caller's trace (its `traceparent`): right for subgraphs, which only the router
   * reaches. An internet-facing service starts a trace of its own instead, linked to the
   * caller's span, so that clients cannot choose trace ids, join other traces, or switch the
   * sampling of their own requests off.
   */
  continueCallerTrace: boolean;
}

/**
 * Middleware opening the server span of a request. It runs before the body is read and binds
 * the request and response to the span's context, so everything after it (parsing, Apollo, the
 * gateway's spans, outgoing subgraph calls) is a descendant. It takes Node's request and
 * response, so it serves Express and the router's direct GraphQL path alike.
 */
export function traceRequests(
  tracerName: string,
  { route, continueCallerTrace }: TraceRequestsOptions,
): (req: IncomingMessage, res: ServerResponse, next: () => void) => void {
  const tracer = trace.getTracer(tracerName);
  return (req, res, next) => {
    const caller = propagation.extract(ROOT_CONTEXT, req.headers);
    const callerSpan = trace.getSpanContext(caller);
    const span = tracer.startSpan(
      `${req.method} ${route}`,
      {
        kind: SpanKind.SERVER,
        attributes: { 'http.request.method': req.method ?? '', 'http.route': route },
        ...(!continueCallerTrace && callerSpan ? { links: [{ context: callerSpan }] } : {}),
      },
      continueCallerTrace ? caller : ROOT_CONTEXT,
    );
    const active = trace.setSpan(ROOT_CONTEXT, span);
    context.bind(active, req);
    context.bind(active, res);
    res.once('close', () => {
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      if (!res.writableFinished) span.setAttribute('http.response.aborted', true);
      span.end();
    });
    context.with(active, next);
  };
}

/**
 * Names the request's server span after its operation (`query Calculate`, as tracing UIs expect)
 * and marks it failed when the operation had errors, recording their codes (never messages,
 * which may hold user input).
 */
export function tracingApolloPlugin<C extends BaseContext>(): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      const span = trace.getActiveSpan();
      if (!span) return;
      return {
        async didResolveOperation({ operation, operationName }) {
          if (!operation) return;
          span.updateName(`${operation.operation}${operationName ? ` ${operationName}` : ''}`);
          span.setAttributes({
            'graphql.operation.type': operation.operation,
            ...(operationName ? { 'graphql.operation.name': operationName } : {}),
          });
        },
        async didEncounterErrors({ errors }) {
          const codes = [
            ...new Set(errors.map((e) => String(e.extensions?.['code'] ?? 'UNKNOWN'))),
          ];
          span.setAttribute('graphql.error.codes', codes);
          span.setStatus({ code: SpanStatusCode.ERROR, message: codes.join(', ') });
        },
      };
    },
  };
}

/**
 * Runs `work` in a child span of the active one. When tracing is off the API hands out
 * non-recording spans, so this costs next to nothing. Errors mark the span failed and pass on.
 */
/**
 * Tracers by name, made once: `inSpan` runs several times per calculation, and the API hands
 * out a new proxy object on every `getTracer` call. A proxy made before tracing starts still
 * reaches the provider registered later (once per process: a proxy keeps the first it reached).
 */
const tracers = new Map<string, Tracer>();

export async function inSpan<T>(
  tracerName: string,
  name: string,
  attributes: Attributes,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  let tracer = tracers.get(tracerName);
  if (!tracer) tracers.set(tracerName, (tracer = trace.getTracer(tracerName)));
  return tracer.startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.name });
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Writes the active trace context into outgoing request headers (`traceparent`, `tracestate`). */
export function injectTraceContext(headers: Record<string, string>): void {
  propagation.inject(context.active(), headers);
}
