/**
 * What the router does with an operation that arrives over a streaming transport (graphql-ws,
 * graphql-sse), whichever transport carried it: count it against the client's rate limit,
 * parse and validate it with the same limits as HTTP, run subscriptions here (the gateway
 * cannot) and everything else through Apollo Server and the gateway.
 */
import {
  ErrorCode,
  maskedInternalError,
  rateLimited,
  RequestErrorCode,
  tooManyRequestsMessage,
} from '@microservice-math/shared/errors';
import {
  getOperationAST,
  getVariableValues,
  GraphQLError,
  print,
  specifiedRules,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type Source,
  type ValidationRule,
} from 'graphql';
import { LRUCache } from 'lru-cache';
import type { RouterContext } from '../context.js';
import { badArgumentError, nullArgumentError } from '../gateway/argumentErrors.js';
import type { DemandControl } from '../gateway/demandControl.js';
import { operationResolutionFailure } from '../gateway/requireOperation.js';
import { signInRefusal } from '../gateway/signInAnswers.js';
import { documentToValidate } from '../gateway/subscriptionRootDirectives.js';
import { rateLimitKey, type RequestRateLimit } from '../limits/requestRateLimit.js';
import { rateLimitRefusal, type SecurityLog } from '../securityLog.js';
import {
  emptyQuery,
  isPersistedQuery,
  persistedQueryNotSupported,
} from './apolloRequestRefusals.js';
import { isRawError, subscribeSharingEvents } from './sharedEventExecution.js';
import { subscriptionDemand, type LiveDemandBudget, type ReleaseDemand } from './liveDemand.js';
import {
  ownerFetchesPerEvent,
  type GatewayExecutor,
  type LogAddedResolver,
} from './logAddedResolver.js';

export interface StreamingOperationsOptions {
  /** The gateway's API schema without resolvers; undefined until the supergraph is loaded. */
  schema: () => GraphQLSchema | undefined;
  resolver: LogAddedResolver;
  executeThroughGateway: GatewayExecutor;
  /** Parses with the operation limits that apply while parsing (the token count). */
  parse: (source: string | Source) => DocumentNode;
  /**
   * Extra validation on top of the specification's rules: the same as HTTP's (operation limits,
   * and in production the refusal of introspection).
   */
  validationRules: readonly ValidationRule[];
  /** A validation error in the router's words (operationLimits.ts), as HTTP's formatError gives it. */
  validationError: (error: GraphQLError) => GraphQLError;
  /** The cost limit HTTP operations meet in Apollo Server's plugin. */
  demand: DemandControl;
  /** What each user's open subscriptions may cost per event, together. */
  liveDemand: LiveDemandBudget;
  /** Production: validation errors say what is wrong without suggesting field names. */
  hideSuggestions: boolean;
  rateLimit: RequestRateLimit;
  securityLog: SecurityLog;
}

/** An operation admitted by its cost. */
export interface CostedOperation<C> {
  /** The context to run it with. */
  context: C;
  /**
   * A subscription's hold on its user's live demand budget: the transport calls it once the
   * subscription has ended, however it ended (a second call does nothing). Nothing is held for
   * queries and mutations.
   */
  release: ReleaseDemand;
}

const holdsNothing: ReleaseDemand = () => {};

/** An operation as a streaming transport receives it (graphql-ws' payload, graphql-sse's params). */
export interface StreamingRequest {
  query: string;
  operationName?: string | null | undefined;
  extensions?: Record<string, unknown> | null | undefined;
}

/** A document that parsed and validated, and the operation of it to run. */
export interface PreparedOperation {
  schema: GraphQLSchema;
  document: DocumentNode;
  operation: OperationDefinitionNode;
}

/**
 * Why an operation cannot run, as HTTP answers the same request: the errors, with HTTP's status
 * for them (400 but for persisted queries, which Apollo Server refuses with 200).
 */
export interface StreamingRefusal {
  errors: readonly GraphQLError[];
  status: number;
}

/**
 * A fault of ours while an operation arriving over a stream is checked or run: logged at error
 * level with its request id, and answered as that operation's error, in the words HTTP's
 * production answers use (serviceHost.ts). Left to the libraries, graphql-ws closes the whole
 * socket (4500: every other subscription on it ends too) and graphql-sse answers 500 without a
 * code. A GraphQLError (one graphql-js made of a raw error a resolver threw, or one without a
 * code: isFault) is logged as HTTP logs it, the error it was made of with its path, and the
 * client keeps that path, as over HTTP.
 */
export function unexpectedFailure(
  context: Pick<RouterContext, 'logger' | 'requestId'>,
  error: unknown,
): GraphQLError {
  const made = error instanceof GraphQLError ? error : undefined;
  context.logger.error(
    made ? { err: made.originalError ?? made, path: made.path } : { err: error },
    'unexpected error',
  );
  const masked = maskedInternalError(context.requestId);
  if (!made?.path) return masked;
  return new GraphQLError(masked.message, { path: made.path, extensions: masked.extensions });
}

/** A fault of ours that ends a subscription's stream: unexpectedFailure, with its context. */
const streamFault = (contextValue: unknown, error: unknown) =>
  unexpectedFailure(contextValue as RouterContext, error);

export interface StreamingOperations {
  schema(): GraphQLSchema;
  /** Counts one operation for this caller; the error to answer with when over the limit. */
  admit(context: RouterContext): Promise<GraphQLError | undefined>;
  /** The document, or the syntax error (a document over the token limit is one). */
  parse(source: string): DocumentNode | GraphQLError;
  validate(schema: GraphQLSchema, document: DocumentNode): readonly GraphQLError[];
  /**
   * Every check HTTP makes of a request before its cost, in Apollo Server's order and words: no
   * persisted query, the document parses and validates, and it has the operation to run (one,
   * or the one `operationName` names). graphql-ws and graphql-sse would otherwise answer the
   * last in their own words, without a code, and run a persisted query's `query`.
   */
  prepare(request: StreamingRequest): PreparedOperation | StreamingRefusal;
  /**
   * The operation's cost, checked when it arrives (a subscription's events would otherwise each
   * be refused in turn): the refusal when it costs more than the limit, or when a subscription's
   * demand per event would take its user's open subscriptions over their budget (liveDemand.ts);
   * else the context to run it with, and what the subscription holds of the budget. A query or
   * mutation's context carries its cost to Apollo's demand-control plugin; a subscription's does
   * not, because its events' own gateway fetches reuse that context.
   */
  costed<C extends RouterContext>(
    schema: GraphQLSchema,
    document: DocumentNode,
    operationName: string | null | undefined,
    variables: Record<string, unknown> | null | undefined,
    context: C,
  ): GraphQLError | CostedOperation<C>;
  execute(args: ExecutionArgs): Promise<ExecutionResult>;
  subscribe(args: ExecutionArgs): ReturnType<typeof subscribeSharingEvents>;
}

/** The same edit Apollo's hideSchemaDetailsFromClientErrors makes to HTTP validation errors. */
function withoutSuggestion(error: GraphQLError): GraphQLError {
  const message = error.message.replace(/ ?Did you mean(.+?)\?$/, '');
  if (message === error.message) return error;
  return new GraphQLError(message, { nodes: error.nodes, extensions: error.extensions });
}

/**
 * Transports serialise errors with `toJSON()`, so the gateway's formatted errors become
 * GraphQLErrors again, locations kept: GraphQLError takes them only from nodes or a source, which
 * a formatted error no longer has, so they are set on it as they were formatted.
 */
function asGraphQLErrors(errors: readonly GraphQLFormattedError[]): GraphQLError[] {
  return errors.map((e) =>
    Object.assign(new GraphQLError(e.message, { path: e.path, extensions: e.extensions }), {
      locations: e.locations,
    }),
  );
}

/**
 * The error with the code Apollo Server gives the same failure over HTTP: a client reads one
 * code for a syntax error or an invalid operation, whichever transport it used.
 */
function withCode(error: GraphQLError, code: RequestErrorCode): GraphQLError {
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: { ...error.extensions, code },
  });
}

/**
 * How much is kept of valid documents, per schema, the most recently used: texts at most, and
 * their characters together. A parsed document takes about 85 times its text (its token list
 * and locations: 3.9 KB for `subscription { logAdded { id createdAt } }`), and up to about 250
 * times for a dense one (330 × `me{id}`, 2 KB of text, parses to about 500 KB, near the parser's
 * limit of 2,000 tokens a document). So the characters bound what the cache holds: at most about
 * 16 such documents, 8 MB, whatever is sent; hundreds of ordinary texts fit.
 */
export const VALID_DOCUMENTS_KEPT = Object.freeze({ texts: 500, characters: 32 * 1024 });
/** A longer text is parsed and validated each time it is sent; it is not kept. */
const LONGEST_KEPT_TEXT = 8 * 1024;

/**
 * Documents that parsed and validated, by schema and text. Thousands of subscribers send the
 * same `subscription { logAdded { … } }`: parsed for each, every socket kept its own AST (its
 * tokens linked from end to end through its locations, about 3 KB) for as long as it stayed
 * subscribed, and each subscribe message paid for a parse and a validation that end as they
 * began. A document is never changed once parsed (execution, cost and the owner's plan only read
 * it), so subscribers of one text share one; what is per subscriber (variables, caller) is
 * beside it in their execution arguments. Per schema, because a text valid against one
 * supergraph may not be against the next; refusals are not kept (each is worked out again).
 */
function validDocumentCache() {
  const bySchema = new WeakMap<GraphQLSchema, LRUCache<string, DocumentNode>>();
  return {
    get: (schema: GraphQLSchema, text: string) => bySchema.get(schema)?.get(text),
    set(schema: GraphQLSchema, text: string, document: DocumentNode): void {
      let kept = bySchema.get(schema);
      if (!kept) {
        kept = new LRUCache({
          max: VALID_DOCUMENTS_KEPT.texts,
          maxSize: VALID_DOCUMENTS_KEPT.characters,
          maxEntrySize: LONGEST_KEPT_TEXT,
          sizeCalculation: (_document, key) => key.length,
        });
        bySchema.set(schema, kept);
      }
      kept.set(text, document);
    },
  };
}

export function streamingOperations(options: StreamingOperationsOptions): StreamingOperations {
  const { resolver } = options;
  // The text each parsed document came from: queries and mutations are handed to Apollo Server
  // as sent, so its document cache (keyed by the text) spares re-parsing and re-validating them.
  const sources = new WeakMap<DocumentNode, string>();
  const validDocuments = validDocumentCache();
  const operations: StreamingOperations = {
    schema() {
      const schema = options.schema();
      if (!schema) throw new GraphQLError('The supergraph is not loaded yet');
      return schema;
    },
    async admit(context) {
      const key = rateLimitKey(context.caller, context.clientAddress);
      const verdict = await options.rateLimit.consume(key);
      if (verdict.allowed) return undefined;
      options.securityLog.rateLimited(rateLimitRefusal('requests per minute', context));
      return rateLimited(
        verdict.retryAfterSeconds,
        tooManyRequestsMessage(verdict.retryAfterSeconds),
      );
    },
    parse(source) {
      try {
        const document = options.parse(source);
        sources.set(document, source);
        return document;
      } catch (error) {
        if (error instanceof GraphQLError) return withCode(error, RequestErrorCode.ParseFailed);
        throw error;
      }
    },
    validate(schema, document) {
      // What Apollo Server's plugin does over HTTP (subscriptionRootDirectives.ts).
      const errors = validate(schema, documentToValidate(document), [
        ...specifiedRules,
        ...options.validationRules,
      ]).map(options.validationError);
      return (options.hideSuggestions ? errors.map(withoutSuggestion) : errors).map((error) =>
        badArgumentError(withCode(error, RequestErrorCode.ValidationFailed)),
      );
    },
    prepare(request) {
      if (isPersistedQuery(request.extensions))
        return { errors: [persistedQueryNotSupported()], status: 200 };
      // Apollo Server's refusal over HTTP, where parsing would say "Unexpected <EOF>".
      if (request.query === '') return { errors: [emptyQuery()], status: 400 };
      const schema = operations.schema();
      let document = validDocuments.get(schema, request.query);
      if (!document) {
        const parsed = operations.parse(request.query);
        if (parsed instanceof GraphQLError) return { errors: [parsed], status: 400 };
        const invalid = operations.validate(schema, parsed);
        if (invalid.length > 0) return { errors: invalid, status: 400 };
        validDocuments.set(schema, request.query, parsed);
        document = parsed;
      }
      const operation = getOperationAST(document, request.operationName);
      if (!operation)
        return { errors: [operationResolutionFailure(request.operationName)], status: 400 };
      return { schema, document, operation };
    },
    costed(schema, document, operationName, variables, context) {
      const operation = getOperationAST(document, operationName);
      if (!operation) return { context, release: holdsNothing };
      // As execution will see them. Variables that do not coerce are refused here, before any
      // field runs, as HTTP refuses them (BAD_USER_INPUT naming the argument, 400 over SSE).
      const coerced = getVariableValues(
        schema,
        operation.variableDefinitions ?? [],
        variables ?? {},
      );
      const [notCoerced] = coerced.errors ?? [];
      if (notCoerced)
        return badArgumentError(
          new GraphQLError(notCoerced.message, {
            nodes: notCoerced.nodes,
            extensions: { ...notCoerced.extensions, code: ErrorCode.BadUserInput },
          }),
        );
      const values = coerced.coerced;
      const nullArgument = nullArgumentError(schema, document, operation, values);
      if (nullArgument) return nullArgument;
      // Refused before it runs, as over HTTP, not answered as a result with no data.
      const signIn = signInRefusal(document, operation, values ?? {});
      if (signIn) return signIn;
      const operationCost = options.demand.cost(
        schema,
        document,
        operation,
        variables ?? undefined,
        values,
      );
      const refused = options.demand.refusal(operationCost);
      if (refused) return refused;
      if (operation.operation !== 'subscription')
        return { context: { ...context, operationCost }, release: holdsNothing };
      // Both transports refuse anonymous callers; the resolver refuses them too.
      const userId = context.caller?.id;
      if (!userId) return { context, release: holdsNothing };
      const ownerFetches = ownerFetchesPerEvent(schema, document, operation, variables);
      const demand = subscriptionDemand(operationCost, ownerFetches);
      const release = options.liveDemand.hold(userId, demand);
      if (!(release instanceof GraphQLError)) return { context, release };
      // Over the budget with the others open (not too costly by itself): a rate limit.
      if (release.extensions['code'] === ErrorCode.RateLimited)
        options.securityLog.rateLimited(rateLimitRefusal('live demand per user', context));
      return release;
    },
    async execute(args) {
      try {
        const result = await options.executeThroughGateway(
          sources.get(args.document) ?? print(args.document),
          (args.variableValues ?? {}) as Record<string, unknown>,
          args.contextValue as RouterContext,
          args.operationName ?? undefined,
        );
        return {
          data: result.data ?? null,
          ...(result.errors ? { errors: asGraphQLErrors(result.errors) } : {}),
        };
      } catch (error) {
        return {
          data: null,
          errors: [unexpectedFailure(args.contextValue as RouterContext, error)],
        };
      }
    },
    async subscribe(args) {
      let result: Awaited<ReturnType<typeof subscribeSharingEvents>>;
      try {
        result = await subscribeSharingEvents(
          {
            ...args,
            subscribeFieldResolver: resolver.subscribeFieldResolver,
            fieldResolver: resolver.fieldResolver,
          },
          sources.get(args.document),
          streamFault,
        );
      } catch (error) {
        // graphql-js passes on what is not a GraphQLError (a TypeError of its own included).
        return { errors: [unexpectedFailure(args.contextValue as RouterContext, error)] };
      }
      if (Symbol.asyncIterator in result || !result.errors) return result;
      // A subscribe resolver's raw error (a Redis SUBSCRIBE refused, a catch-up's fault), which
      // graphql-js hands back located with its own message, is a fault of ours: reported.
      // Variables that failed coercion, as HTTP names them: BAD_USER_INPUT naming the argument.
      const context = args.contextValue as RouterContext;
      return {
        ...result,
        errors: result.errors.map((error) =>
          isRawError(error) ? unexpectedFailure(context, error) : badArgumentError(error),
        ),
      };
    },
  };
  return operations;
}
