/** The router as one running service: gateway, user context, subscriptions, limits, health. */
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { directGraphQL } from '@microservice-math/shared/directGraphQL';
import type { EventBus } from '@microservice-math/shared/events';
import { exactJsonBody, exactQueryNumbers } from '@microservice-math/shared/exactJson';
import type { Logger } from '@microservice-math/shared/logger';
import { closeRedis, createRedis } from '@microservice-math/shared/redis';
import { ServiceHost } from '@microservice-math/shared/serviceHost';
import {
  createTokenRevocations,
  isRevokedToken,
  TOKEN_REVOKED_CHANNEL,
} from '@microservice-math/shared/tokenRevocations';
import {
  subgraphs,
  supergraphPath as committedSupergraph,
  type SubgraphName,
} from '@microservice-math/shared/supergraph';
import { JWKS_PATH } from '@microservice-math/shared/tokenClaims';
import {
  buildSchema,
  NoSchemaIntrospectionCustomRule,
  printSchema,
  type GraphQLSchema,
} from 'graphql';
import { refusedTokenPlugin } from './auth/refusedToken.js';
import { cachedRevocationCheck } from './auth/revocationCheck.js';
import { createTokenVerifier } from './auth/tokenVerifier.js';
import type { RouterConfig } from './config.js';
import type { RouterContext } from './context.js';
import { createSecurityLog, rateLimitRefusal } from './securityLog.js';
import {
  demandControl,
  readDemandDirectives,
  type DemandDirectives,
} from './gateway/demandControl.js';
import { operationProtection } from './gateway/operationLimits.js';
import { refuseHttpSubscriptions } from './gateway/refuseHttpSubscriptions.js';
import { protectSignInAnswers } from './gateway/signInAnswers.js';
import { requireOperation } from './gateway/requireOperation.js';
import {
  refuseSubscriptionRootDirectives,
  subscriptionRootDirectivesRule,
} from './gateway/subscriptionRootDirectives.js';
import { keepNumericLiteralsAsWritten } from './gateway/numericLiterals.js';
import { applyScalarInputRules } from './gateway/scalarInputRules.js';
import {
  argumentSitesRule,
  badArgumentFormatted,
  refuseNullArguments,
} from './gateway/argumentErrors.js';
import { SubgraphDataSource } from './gateway/subgraphDataSource.js';
import { withoutSubgraphInternals } from './gateway/subgraphFailure.js';
import { subgraphClients } from './gateway/subgraphClients.js';
import { subgraphInstances, type SubgraphInstances } from './gateway/subgraphInstances.js';
import { watchedSupergraph } from './gateway/supergraph.js';
import { routerReadiness } from './health/readiness.js';
import { clientAddressResolver } from './http/clientAddress.js';
import { httpContext } from './http/httpContext.js';
import { createPlayground, noPlaygroundPage } from './http/playground.js';
import { requestErrorHandler } from './http/requestErrors.js';
import { createRequestRateLimit } from './limits/requestRateLimit.js';
import { createRouterMetrics, type RouterMetrics } from './metrics/routerMetrics.js';
import { gatewayExecutor } from './subscriptions/gatewayExecutor.js';
import { createLogAddedResolver, type LogAddedResolver } from './subscriptions/logAddedResolver.js';
import { liveDemandBudget } from './subscriptions/liveDemand.js';
import { createSseServer, SSE_PATH } from './subscriptions/sseServer.js';
import { streamingOperations } from './subscriptions/streamingOperations.js';
import { createSubscriptionServer } from './subscriptions/subscriptionServer.js';

export interface RouterDeps {
  logger: Logger;
  events: EventBus;
  /** How often the security log may write a line of each kind; 5 s unless given (tests shorten it). */
  securityLogEveryMs?: number;
}

export interface RouterService {
  host: ServiceHost;
  /** Exposed for tests and metrics: how often log events needed a gateway fetch. */
  logAdded: LogAddedResolver;
  metrics: RouterMetrics;
}

/**
 * The largest JSON body /graphql accepts, and the largest WebSocket message; operations are
 * also limited in tokens and depth.
 */
const BODY_LIMIT_BYTES = 64 * 1024;
const BODY_LIMIT = `${BODY_LIMIT_BYTES}b`;

/** How long a token's "not revoked" is remembered, and for how many tokens at most. */
const REVOCATION_ANSWER_MS = 1_000;
const REVOCATION_ANSWERS = 10_000;

/** Each subgraph's instance URLs: AUTH_URL/MATH_URL when set, else the one the supergraph names. */
function subgraphUrls(config: RouterConfig): Record<SubgraphName, string[]> {
  const urls = {} as Record<SubgraphName, string[]>;
  for (const { name, url } of subgraphs) urls[name] = [config.subgraphUrls[name] ?? url].flat();
  return urls;
}

export async function createRouterService(
  config: RouterConfig,
  { logger, events, securityLogEveryMs }: RouterDeps,
): Promise<RouterService> {
  const urls = subgraphUrls(config);
  // Left on, @apollo/gateway reports usage metrics to Apollo and, to label them, probes the
  // cloud providers' metadata endpoints (169.254.169.254, metadata.google.internal) at start-up.
  // A router here calls its subgraphs and Redis, nothing else; this variable is the only switch.
  process.env['APOLLO_TELEMETRY_DISABLED'] = 'true';
  const clients = subgraphClients(config.subgraphTimeoutMs);
  const instances = new Map<string, SubgraphInstances>();
  for (const [name, list] of Object.entries(urls)) {
    instances.set(
      name,
      subgraphInstances(name, list, clients.clientFor, {
        timeoutMs: config.subgraphTimeoutMs,
        logger: logger.child({ component: 'subgraphs' }),
        resendShutdownRefusals: name === 'math',
      }),
    );
  }
  const gateway = new ApolloGateway({
    supergraphSdl: watchedSupergraph(config.supergraphPath ?? committedSupergraph, logger),
    buildService: ({ name, url }) => {
      let subgraph = instances.get(name);
      if (!subgraph) {
        // A subgraph the code does not know by name (a supergraph from elsewhere).
        subgraph = subgraphInstances(name, [url as string], clients.clientFor, {
          timeoutMs: config.subgraphTimeoutMs,
          logger,
        });
        instances.set(name, subgraph);
      }
      return new SubgraphDataSource(
        name,
        (urls[name as SubgraphName] ?? [url as string]).join(', '),
        config.routerSecret,
        config.subgraphTimeoutMs,
        subgraph.post,
      );
    },
    logger: logger.child({ component: 'gateway' }),
  });
  // Registered before start so the first schema is seen; the WebSocket server validates against it.
  let apiSchema: GraphQLSchema | undefined;
  let subscriptionSchema: GraphQLSchema | undefined;
  let demandDirectives: DemandDirectives | undefined;
  gateway.onSchemaLoadOrUpdate(({ apiSchema: schema, coreSupergraphSdl }) => {
    // The API schema drops @cost and @listSize; the supergraph keeps them.
    demandDirectives = readDemandDirectives(coreSupergraphSdl);
    // The schema the gateway validates and coerces with: mutated before any request uses it.
    applyScalarInputRules(schema);
    apiSchema = schema;
    // The gateway's schema resolves every field by response key; subscriptions need a copy
    // without resolvers so that their own field resolver decides where each value comes from.
    // Printing drops the scalars' input rules: given again, so that the streaming transports
    // refuse a malformed `Numeric` before anything runs, as HTTP does.
    subscriptionSchema = buildSchema(printSchema(schema));
    applyScalarInputRules(subscriptionSchema);
  });

  const host = new ServiceHost({
    name: 'router',
    logger,
    production: config.production,
    metricsToken: config.metricsToken,
    bodyLimit: BODY_LIMIT,
    trustedCaller: false,
    // Clients are not trusted with trace ids or sampling: a trace starts here (see tracing.ts).
    tracing: config.tracing.endpoint ? { continueCallerTrace: false } : undefined,
    readiness: routerReadiness(() => apiSchema !== undefined, [...instances.values()]),
  });
  // Registered first so that it closes last, after the gateway's last subgraph call.
  host.onClose('subgraph connections', async () => {
    for (const subgraph of instances.values()) subgraph.close();
    await clients.close();
  });
  const metrics = createRouterMetrics(host.metrics);
  const rateLimit = createRequestRateLimit({
    perMinute: config.rateLimitPerMinute,
    redisUrl: config.redisUrl,
    redisKeyPrefix: config.redisKeyPrefix,
    logger,
  });
  host.onClose('rate limit', () => rateLimit.close());
  await rateLimit.ready();

  // Revocations (logout) are written by auth; with Redis every router reads the same ones.
  const revocationsRedis = config.redisUrl
    ? createRedis(config.redisUrl, logger.child({ redis: 'token-revocations' }), {
        keyPrefix: config.redisKeyPrefix,
      })
    : undefined;
  if (revocationsRedis) host.onClose('token revocations', () => closeRedis(revocationsRedis));
  const revocations = createTokenRevocations(revocationsRedis);
  const revocationCheck = cachedRevocationCheck(revocations, {
    ttlMs: REVOCATION_ANSWER_MS,
    max: REVOCATION_ANSWERS,
  });
  if (events.distributed) {
    // Logouts on any router, heard at once (auth announces each one).
    const announcements = await events.pubsub.subscribe(
      TOKEN_REVOKED_CHANNEL,
      (message: unknown) => {
        if (isRevokedToken(message)) revocations.announced(message);
      },
      {},
    );
    const stopForgetting = events.onReconnect(() => revocationCheck.forget());
    host.onClose('revocation announcements', () => {
      stopForgetting();
      events.pubsub.unsubscribe(announcements);
    });
  }
  const verifyToken = createTokenVerifier(config.jwksUrl ?? new URL(JWKS_PATH, urls.auth[0]).href, {
    isRevoked: (ids) => revocationCheck.isRevoked(ids),
  });
  const onTokenRevoked = (listener: (id: string) => void) => revocations.onRevoked(listener);
  const clientAddressOf = clientAddressResolver(config.clientProxySecret);
  // One per router: refused tokens and rate-limited requests of every transport, throttled.
  const securityLog = createSecurityLog(logger.child({ component: 'security' }), {
    everyMs: securityLogEveryMs,
    rateLimited: metrics.rateLimited,
  });
  const protection = operationProtection();
  // With the operation limits, what lets an argument's malformed value be named (argumentErrors.ts).
  // GraphiQL needs introspection; without the playground (production) nobody else should, over
  // HTTP, graphql-ws or SSE: graphql-js's rule refuses it, rather than Apollo Server's
  // `introspection: false`, whose message names the server and tells the caller how to
  // configure it.
  const validationRules = [
    ...protection.validationRules,
    argumentSitesRule,
    subscriptionRootDirectivesRule,
    ...(config.playground ? [] : [NoSchemaIntrospectionCustomRule]),
  ];
  const demand = demandControl(config.maxCost, () => demandDirectives, config.heavyOperations);
  const playground = config.playground ? createPlayground(logger) : undefined;
  const apollo = new ApolloServer<RouterContext>({
    gateway: keepNumericLiteralsAsWritten(gateway),
    validationRules,
    parseOptions: protection.parseOptions,
    formatError: (formatted, error) => {
      const ours = badArgumentFormatted(protection.formatError(formatted), error);
      // Production names no internal service in an error; development keeps the subgraph's name.
      return config.production ? withoutSubgraphInternals(ours) : ours;
    },
    ...host.apolloServerOptions<RouterContext>({
      // graphql-armor's plugins are typed for a BaseContext; they read nothing of ours.
      before: protection.plugins as ApolloServerPlugin<RouterContext>[],
      after: [
        refuseSubscriptionRootDirectives<RouterContext>(),
        requireOperation<RouterContext>(),
        // Before demand control: a refused token is the first thing a caller must hear of.
        refusedTokenPlugin(),
        refuseNullArguments<RouterContext>(),
        protectSignInAnswers<RouterContext>(),
        // Queries over graphql-ws and SSE take their turn here too (gatewayExecutor.ts).
        demand.plugin<RouterContext>((context) =>
          securityLog.rateLimited(rateLimitRefusal('costly operations at once', context)),
        ),
        refuseHttpSubscriptions<RouterContext>(),
        playground ? playground.plugin : ApolloServerPluginLandingPageDisabled(),
      ],
    }),
    introspection: true,
    includeStacktraceInErrorResponses: !config.production,
    hideSchemaDetailsFromClientErrors: config.production,
    allowBatchedHttpRequests: false,
    // No client uses automatic persisted queries. Left on, a hash that does not match its query
    // is answered 400 without a code (so logged and reported as INTERNAL_SERVER_ERROR), and
    // anyone may fill the query cache; off, any persistedQuery gets PERSISTED_QUERY_NOT_SUPPORTED.
    persistedQueries: false,
    // Shutdown is ours (stopOnSignals): Apollo's own signal handler would race it and re-raise the signal.
    stopOnTerminationSignals: false,
    csrfPrevention: true,
  });
  await apollo.start();
  host.onClose('graphql', () => apollo.stop());

  const executeThroughGateway = gatewayExecutor(apollo, host);
  const logAdded = createLogAddedResolver(
    events,
    executeThroughGateway,
    metrics.logAddedGatewayResolutions,
  );
  const operations = streamingOperations({
    schema: () => subscriptionSchema,
    resolver: logAdded,
    executeThroughGateway,
    parse: protection.parse,
    // HTTP's, introspection's refusal included: a validation error like any other (graphql-ws's
    // `error` message, SSE's 400), not a result from Apollo Server's own validation of a query.
    validationRules,
    validationError: protection.validationError,
    demand,
    liveDemand: liveDemandBudget(config.maxLiveCostPerUser),
    hideSuggestions: config.production,
    rateLimit,
    securityLog,
  });
  // What graphql-ws and graphql-sse share: operations run and callers checked the same way.
  const streaming = {
    operations,
    verifyToken,
    metrics,
    logger,
    clientAddressOf,
    securityLog,
    onTokenRevoked,
    shutdownAnswerMs: config.shutdownAnswerMs,
  };
  const subscriptions = createSubscriptionServer({
    ...streaming,
    server: host.server,
    path: '/graphql',
    maxPayload: BODY_LIMIT_BYTES,
    limits: config.socketLimits,
  });
  const sse = createSseServer({ ...streaming, streamsPerUser: config.streamsPerUser });
  // Side by side: each lets the queries and mutations it admitted finish (at most
  // config.shutdownAnswerMs) while HTTP requests in flight go on, and ends subscriptions at once.
  host.onClose('sockets and event streams', async () => {
    await Promise.all([subscriptions.close(), sse.close()]);
  });

  // These live under /graphql/ (so a proxy of /graphql reaches them) and come before it.
  host.app.use(SSE_PATH, exactJsonBody(BODY_LIMIT), exactQueryNumbers, sse.handler);
  if (playground) playground.mountAssets(host.app);
  else host.app.get('/graphql', noPlaygroundPage);
  const graphql = host.mountGraphQL<RouterContext>(
    apollo,
    httpContext({ verifyToken, rateLimit, clientAddressOf, securityLog }),
  );
  // POST /graphql answered without Express's per-request cost (see directGraphQL.ts).
  host.answerFirst(directGraphQL(apollo, graphql));
  host.app.use(requestErrorHandler(logger));
  return { host, logAdded, metrics };
}
