/**
 * The Apollo Server of a subgraph, built the same way for auth and math: its SDL file from
 * `schema/`, the host's plugins, and what no subgraph here wants (a landing page, Apollo
 * Studio's inline traces, cache hints, batched requests, Apollo's own signal handling).
 */
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { parse } from 'graphql';
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
    plugins: [
      ...host.apolloPlugins<C>(),
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
    logger: host.apolloLogger(),
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
