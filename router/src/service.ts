/** The router as one running service: gateway, user context, subscriptions, health. */
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { EventBus } from '@microservice-math/shared/events';
import type { Logger } from '@microservice-math/shared/logger';
import { ServiceHost } from '@microservice-math/shared/serviceHost';
import {
  subgraphs,
  supergraphPath as committedSupergraph,
  type SubgraphName,
} from '@microservice-math/shared/supergraph';
import { JWKS_PATH } from '@microservice-math/shared/tokenClaims';
import { buildSchema, GraphQLError, printSchema, type GraphQLSchema } from 'graphql';
import { bearerToken, createTokenVerifier, type TokenVerifier } from './auth/tokenVerifier.js';
import type { RouterConfig } from './config.js';
import type { RouterContext } from './context.js';
import { operationProtection } from './gateway/operationLimits.js';
import { refuseHttpSubscriptions } from './gateway/refuseHttpSubscriptions.js';
import { SubgraphDataSource } from './gateway/subgraphDataSource.js';
import { watchedSupergraph } from './gateway/supergraph.js';
import {
  createLogAddedResolver,
  type GatewayExecutor,
  type LogAddedResolver,
} from './subscriptions/logAddedResolver.js';
import { createSubscriptionServer } from './subscriptions/subscriptionServer.js';

export interface RouterDeps {
  logger: Logger;
  events: EventBus;
}

export interface RouterService {
  host: ServiceHost;
  /** Exposed for tests and metrics: how often log events needed a gateway fetch. */
  logAdded: LogAddedResolver;
}

export function subgraphUrl(config: RouterConfig, name: SubgraphName): string {
  return config.subgraphUrls[name] ?? (subgraphs.find((s) => s.name === name)?.url as string);
}

async function checkReachable(url: string, timeoutMs: number): Promise<void> {
  const response = await fetch(new URL('/health', url), { signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) throw new Error(`health answered ${response.status}`);
}

/** A refused token is an HTTP 401, never a silently anonymous request. */
async function callerFrom(authorization: string | undefined, verifyToken: TokenVerifier) {
  try {
    const token = bearerToken(authorization);
    return token ? await verifyToken(token) : null;
  } catch (error) {
    if (error instanceof GraphQLError) {
      throw new GraphQLError(error.message, {
        extensions: { ...error.extensions, http: { status: 401 } },
      });
    }
    throw error;
  }
}

export async function createRouterService(
  config: RouterConfig,
  { logger, events }: RouterDeps,
): Promise<RouterService> {
  const gateway = new ApolloGateway({
    supergraphSdl: watchedSupergraph(config.supergraphPath ?? committedSupergraph, logger),
    buildService: ({ name, url }) =>
      new SubgraphDataSource(
        config.subgraphUrls[name as SubgraphName] ?? (url as string),
        config.routerSecret,
        config.subgraphTimeoutMs,
      ),
    logger: logger.child({ component: 'gateway' }),
  });
  // Registered before start so the first schema is seen; the WebSocket server validates against it.
  let apiSchema: GraphQLSchema | undefined;
  let subscriptionSchema: GraphQLSchema | undefined;
  gateway.onSchemaLoadOrUpdate(({ apiSchema: schema }) => {
    apiSchema = schema;
    // The gateway's schema resolves every field by response key; subscriptions need a copy
    // without resolvers so that their own field resolver decides where each value comes from.
    subscriptionSchema = buildSchema(printSchema(schema));
  });

  const host = new ServiceHost({
    name: 'router',
    logger,
    production: config.production,
    bodyLimit: '64kb',
    readiness: {
      supergraph: async () => {
        if (!apiSchema) throw new Error('supergraph not loaded');
      },
      auth: () => checkReachable(subgraphUrl(config, 'auth'), 2_000),
      math: () => checkReachable(subgraphUrl(config, 'math'), 2_000),
    },
  });

  const verifyToken = createTokenVerifier(
    config.jwksUrl ?? new URL(JWKS_PATH, subgraphUrl(config, 'auth')).toString(),
  );
  const protection = operationProtection();
  const apollo = new ApolloServer<RouterContext>({
    gateway,
    validationRules: protection.validationRules,
    plugins: [
      // graphql-armor's plugins are typed for a BaseContext; they read nothing of ours.
      ...(protection.plugins as ApolloServerPlugin<RouterContext>[]),
      ...host.apolloPlugins<RouterContext>(),
      refuseHttpSubscriptions<RouterContext>(),
      ...(config.playground ? [] : [ApolloServerPluginLandingPageDisabled()]),
    ],
    introspection: config.playground,
    includeStacktraceInErrorResponses: !config.production,
    allowBatchedHttpRequests: false,
    csrfPrevention: true,
  });
  await apollo.start();
  host.onClose('graphql', () => apollo.stop());

  const executeThroughGateway: GatewayExecutor = async (query, variables, contextValue) => {
    const response = await apollo.executeOperation({ query, variables }, { contextValue });
    if (response.body.kind !== 'single')
      throw new Error('incremental delivery is not supported here');
    return response.body.singleResult as Awaited<ReturnType<GatewayExecutor>>;
  };
  const logAdded = createLogAddedResolver(events, executeThroughGateway);
  const subscriptions = createSubscriptionServer({
    server: host.server,
    path: '/graphql',
    schema: () => subscriptionSchema,
    verifyToken,
    resolver: logAdded,
    executeThroughGateway,
    validationRules: protection.validationRules,
    logger,
  });
  host.onClose('subscriptions', () => subscriptions.close());

  host.mountGraphQL<RouterContext>(apollo, async (req, base) => ({
    ...base,
    caller: await callerFrom(req.headers.authorization, verifyToken),
    clientAddress: req.socket.remoteAddress ?? 'unknown',
  }));
  return { host, logAdded };
}
