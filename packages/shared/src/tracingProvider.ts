/**
 * The OpenTelemetry SDK half of tracing.ts, loaded only when tracing is on: a tracer provider
 * that batches spans to an OTLP/HTTP collector, registered as the process's global one.
 */
import { hostname } from 'node:os';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

/**
 * Longest an export may take. Shutdown exports what is buffered: with an unreachable collector
 * the SDK's defaults (10 s, 30 s) would outlast a container's stop grace and get it killed.
 */
const EXPORT_TIMEOUT_MS = 3_000;

/** Registers the global tracer provider exporting to `<endpoint>/v1/traces`; returns it. */
export function registerTracerProvider(
  endpoint: string,
  serviceName: string,
): { shutdown(): Promise<void> } {
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: serviceName,
      // Replicas share a service name; the instance tells them apart.
      'service.instance.id': `${hostname()}:${process.pid}`,
    }),
    spanProcessors: [
      new BatchSpanProcessor(
        new OTLPTraceExporter({
          url: `${endpoint.replace(/\/+$/, '')}/v1/traces`,
          timeoutMillis: EXPORT_TIMEOUT_MS,
        }),
        { exportTimeoutMillis: EXPORT_TIMEOUT_MS },
      ),
    ],
  });
  // Also installs the AsyncLocalStorage context manager. Trace context only: the default would
  // also carry W3C baggage, which the router would then pass on from clients to subgraphs.
  provider.register({ propagator: new W3CTraceContextPropagator() });
  return provider;
}
