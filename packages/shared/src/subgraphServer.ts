/**
 * The Apollo Server of a subgraph, built the same way for auth and math: its SDL file from
 * `schema/`, the host's plugins, and what no subgraph here wants (a landing page, Apollo
 * Studio's inline traces, cache hints, batched requests, Apollo's own signal handling).
 */
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { parse, type GraphQLFormattedError } from 'graphql';
import { databaseRefusal, databaseUnreachable } from './databaseErrors.js';
import { ErrorCode } from './errors.js';
import type { RequestBase, ServiceHost } from './serviceHost.js';
import { readSubgraphSdl, type SubgraphName } from './supergraph.js';

export interface SubgraphServerOptions<C extends RequestBase> {
  subgraph: SubgraphName;
  /** The subgraph's generated-type-checked resolver map. */
  resolvers: object;
  production: boolean;
  /** The subgraph's own plugins, after the host's. */
  plugins?: ApolloServerPlugin<C>[];
}

/**
 * A resolver that met a database out of reach (a login while PostgreSQL restarts) is answered
 * SERVICE_UNAVAILABLE with a wait, which the caller may try again after, rather than as a fault
 * of ours. It is logged as a warning (serviceHost.ts): an operator needs to hear of it, and the
 * answer keeps the request id of that line, as the internal error it replaces would.
 */
function unreachableDatabaseAsUnavailable(
  host: ServiceHost,
  formatted: GraphQLFormattedError,
  error: unknown,
): GraphQLFormattedError {
  if (formatted.extensions?.['code'] !== ErrorCode.Internal) return formatted;
  if (!databaseUnreachable(unwrapResolverError(error))) return formatted;
  const { message, extensions } = databaseRefusal(
    'The database is not reachable; try again shortly',
  );
  const requestId = host.requestIdLoggedWith(error);
  return {
    message,
    ...(formatted.path ? { path: formatted.path } : {}),
    extensions: { ...extensions, ...(requestId ? { requestId } : {}) },
  };
}

/** Builds and starts the server; the caller mounts it and decides how it stops. */
export async function startSubgraphServer<C extends RequestBase>(
  host: ServiceHost,
  options: SubgraphServerOptions<C>,
): Promise<ApolloServer<C>> {
  const apollo = new ApolloServer<C>({
    schema: buildSubgraphSchema({
      typeDefs: parse(readSubgraphSdl(options.subgraph)),
      resolvers: options.resolvers as GraphQLResolverMap<unknown>,
    }),
    ...host.apolloServerOptions<C>({
      after: [
        ...(options.plugins ?? []),
        ApolloServerPluginLandingPageDisabled(),
        // Inline traces are for Apollo Studio, which this system does not report to.
        ApolloServerPluginInlineTraceDisabled(),
        // No subgraph sets cache hints, and the router reads no answer's cache-control as
        // cacheable (none means max-age 0, as no-store did). Left on, Apollo's cache-control
        // plugin wraps every field's resolver and runs per field: a tenth of math's time on a
        // 4,900-object list.
        ApolloServerPluginCacheControlDisabled(),
      ],
    }),
    formatError: (formatted, error) => unreachableDatabaseAsUnavailable(host, formatted, error),
    introspection: !options.production,
    includeStacktraceInErrorResponses: !options.production,
    allowBatchedHttpRequests: false,
    // Shutdown is the host's (stopOnSignals): left on, Apollo would stop itself on SIGTERM and
    // re-raise the signal, killing the process before its resources are released.
    stopOnTerminationSignals: false,
  });
  await apollo.start();
  return apollo;
}
