/**
 * What to say when a subgraph cannot be reached. Node's fetch reports a refused connection as
 * "fetch failed" with the socket error as its cause, undici's `request` (the subgraph calls)
 * as the socket error itself, and both a deadline as a `TimeoutError`; none names the
 * subgraph, which is the first thing an operator (or a developer reading a partial answer)
 * needs to know.
 */
import { internalError } from '@microservice-math/shared/errors';
import type { GraphQLError, GraphQLFormattedError } from 'graphql';

/** "did not answer within 500 ms", "is unreachable (ECONNREFUSED)", "failed (…)". */
export function whyUnreachable(error: unknown, timeoutMs: number): string {
  if (!(error instanceof Error)) return `failed (${String(error)})`;
  if (error.name === 'TimeoutError') return `did not answer within ${timeoutMs} ms`;
  const code =
    (error.cause as { code?: unknown } | undefined)?.code ?? (error as { code?: unknown }).code;
  if (typeof code === 'string') return `is unreachable (${code})`;
  return `failed (${error.message})`;
}

/**
 * The error a subgraph's fields get while it is down. It keeps Apollo's INTERNAL_SERVER_ERROR,
 * so production masks it like any other fault of ours (the log line keeps the subgraph and the
 * reason under the request id); `serviceName` says which subgraph failed.
 */
export function subgraphUnavailable(serviceName: string, why: string): GraphQLError {
  return internalError(`The ${serviceName} subgraph ${why}`, { serviceName });
}

/**
 * For production's formatError: a formatted error without what a subgraph put on it about our
 * internals: `extensions.serviceName`, which the gateway (and `subgraphUnavailable`) add to errors
 * from a subgraph and which names an internal service ("math", "auth"), and a `stacktrace` a
 * subgraph in development mode sent (the gateway passes its extensions on). The router's log
 * keeps both.
 */
export function withoutSubgraphInternals(formatted: GraphQLFormattedError): GraphQLFormattedError {
  const extensions = formatted.extensions;
  if (!extensions || !('serviceName' in extensions || 'stacktrace' in extensions)) return formatted;
  const { serviceName: _service, stacktrace: _stack, ...kept } = extensions;
  return { ...formatted, extensions: kept };
}
