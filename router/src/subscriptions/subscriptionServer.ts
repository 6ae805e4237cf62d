/**
 * graphql-ws on the router's own port and path. `@apollo/gateway` cannot execute
 * subscriptions, so they run here against the gateway's API schema; queries and mutations sent
 * over the socket go through Apollo Server like any HTTP request.
 */
import type { Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { rateLimited } from '@microservice-math/shared/errors';
import type { Logger } from '@microservice-math/shared/logger';
import {
  GraphQLError,
  print,
  specifiedRules,
  subscribe,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type GraphQLSchema,
  type Source,
  type ValidationRule,
} from 'graphql';
import type { Extra } from 'graphql-ws/use/ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { bearerToken, type TokenVerifier } from '../auth/tokenVerifier.js';
import type { RouterContext } from '../context.js';
import { rateLimitKey, type RequestRateLimit } from '../limits/requestRateLimit.js';
import type { RouterMetrics } from '../metrics/routerMetrics.js';
import type { GatewayExecutor, LogAddedResolver } from './logAddedResolver.js';

type ConnectionExtra = Extra &
  Record<PropertyKey, unknown> & {
    context?: RouterContext;
    /** Ids of this connection's open subscriptions (not its one-shot queries). */
    subscriptions?: Set<string>;
  };

export interface SubscriptionServerOptions {
  server: Server;
  path: string;
  schema: () => GraphQLSchema | undefined;
  verifyToken: TokenVerifier;
  resolver: LogAddedResolver;
  executeThroughGateway: GatewayExecutor;
  /** Parses with the operation limits that apply while parsing (the token count). */
  parse: (source: string | Source) => DocumentNode;
  /** Extra validation (operation limits) on top of the specification's rules. */
  validationRules: readonly ValidationRule[];
  /** Production: validation errors say what is wrong without suggesting field names. */
  hideSuggestions: boolean;
  /** Each subscribe message (subscription or one-shot operation) counts as one request. */
  rateLimit: RequestRateLimit;
  metrics: RouterMetrics;
  logger: Logger;
}

export interface SubscriptionServer {
  readonly connections: number;
  close(): Promise<void>;
}

/** The same edit Apollo's hideSchemaDetailsFromClientErrors makes to HTTP validation errors. */
function withoutSuggestion(error: GraphQLError): GraphQLError {
  const message = error.message.replace(/ ?Did you mean(.+?)\?$/, '');
  if (message === error.message) return error;
  return new GraphQLError(message, { nodes: error.nodes, extensions: error.extensions });
}

/** graphql-ws sends errors with `toJSON()`, so plain error objects are rebuilt as GraphQLErrors. */
function asGraphQLErrors(
  errors: readonly {
    message: string;
    path?: readonly (string | number)[];
    extensions?: Record<string, unknown>;
  }[],
) {
  return errors.map((e) => new GraphQLError(e.message, { path: e.path, extensions: e.extensions }));
}

export function createSubscriptionServer(options: SubscriptionServerOptions): SubscriptionServer {
  const { logger, resolver, metrics } = options;
  const wss = new WebSocketServer({ server: options.server, path: options.path });
  const disposable = useServer<Record<string, unknown> | undefined, ConnectionExtra>(
    {
      schema: () => {
        const schema = options.schema();
        if (!schema) throw new GraphQLError('The supergraph is not loaded yet');
        return schema;
      },
      onConnect: async (ctx) => {
        const address = ctx.extra.request.socket.remoteAddress ?? 'unknown';
        let token: string | undefined;
        try {
          token = bearerToken(ctx.connectionParams?.['authorization']);
        } catch {
          return false; // 4403
        }
        if (!token) {
          ctx.extra.socket.close(
            4401,
            'Unauthorized: send connectionParams.authorization "Bearer TOKEN"',
          );
          return false;
        }
        try {
          const caller = await options.verifyToken(token);
          const requestId = randomUUID();
          ctx.extra.context = {
            caller,
            clientAddress: address,
            requestId,
            logger: logger.child({ requestId }),
          };
          return true;
        } catch {
          return false; // 4403 Forbidden: the token was refused
        }
      },
      context: (ctx) => ctx.extra.context as RouterContext,
      onSubscribe: async (ctx, _id, payload) => {
        const context = ctx.extra.context as RouterContext;
        const verdict = await options.rateLimit.consume(
          rateLimitKey(context.caller, context.clientAddress),
        );
        if (!verdict.allowed) {
          metrics.rateLimited.inc({ transport: 'websocket' });
          return [rateLimited(verdict.retryAfterSeconds)];
        }
        // graphql-ws closes the whole socket (4500) when a document does not parse; answer just
        // this operation with the syntax error instead. The token limit is enforced here too.
        try {
          options.parse(payload.query);
          return undefined;
        } catch (error) {
          if (error instanceof GraphQLError) return [error];
          throw error;
        }
      },
      onOperation: (ctx, id, _payload, _args, result) => {
        if (!(Symbol.asyncIterator in result)) return;
        (ctx.extra.subscriptions ??= new Set()).add(id);
        metrics.activeSubscriptions.inc();
      },
      onNext: (ctx, id) => {
        // logAdded is the only subscription field, so every subscription event is one of its.
        if (ctx.extra.subscriptions?.has(id)) metrics.logAddedDelivered.inc();
      },
      // Called however a subscription ends: completed by the client, failed, or socket closed.
      onComplete: (ctx, id) => {
        if (ctx.extra.subscriptions?.delete(id)) metrics.activeSubscriptions.dec();
      },
      validate: (schema, document) => {
        const errors = validate(schema, document, [...specifiedRules, ...options.validationRules]);
        return options.hideSuggestions ? errors.map(withoutSuggestion) : errors;
      },
      execute: async (args: ExecutionArgs) => {
        const result = await options.executeThroughGateway(
          print(args.document),
          (args.variableValues ?? {}) as Record<string, unknown>,
          args.contextValue as RouterContext,
        );
        return {
          data: result.data ?? null,
          ...(result.errors ? { errors: asGraphQLErrors(result.errors) } : {}),
        };
      },
      subscribe: (args: ExecutionArgs) =>
        subscribe({
          ...args,
          subscribeFieldResolver: resolver.subscribeFieldResolver,
          fieldResolver: resolver.fieldResolver,
        }),
      onError: (_ctx, _id, _payload, errors) => {
        logger.debug({ errors: errors.map((e) => e.message) }, 'subscription refused');
      },
    },
    wss,
  );
  return {
    get connections() {
      return wss.clients.size;
    },
    async close() {
      await disposable.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
