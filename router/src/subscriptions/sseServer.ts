/**
 * Subscriptions (and any other operation) over graphql-sse at /graphql/stream, for clients that
 * cannot open a WebSocket. Only the "distinct connections" mode is served: each operation is
 * one request carrying its own `Authorization: Bearer …` header, so every stream is
 * authenticated like any HTTP request, and nothing is kept between requests. What happens to
 * the operation itself is shared with graphql-ws (streamingOperations).
 */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { STATUS_CODES, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { requestSignal } from '@microservice-math/shared/cancellation';
import {
  cancelled,
  codedError,
  ErrorCode,
  rateLimited,
  RequestErrorCode,
  serviceUnavailable,
  unauthenticated,
} from '@microservice-math/shared/errors';
import type { Logger } from '@microservice-math/shared/logger';
import { isRecord } from '@microservice-math/shared/records';
import { revocationIds } from '@microservice-math/shared/tokenRevocations';
import type { Request, RequestHandler } from 'express';
import { GraphQLError, type ExecutionResult } from 'graphql';
import type { Response as SseResponse } from 'graphql-sse';
import { createHandler } from 'graphql-sse/lib/use/express';
import {
  atTokenExpiry,
  TOKEN_EXPIRED_MESSAGE,
  TOKEN_REVOKED_MESSAGE,
} from '../auth/tokenExpiry.js';
import { createTokenConnections, type OnTokenRevoked } from '../auth/tokenConnections.js';
import {
  authorizationHeader,
  bearerChallenge,
  bearerToken,
  type TokenVerifier,
} from '../auth/tokenVerifier.js';
import { streamingContext, type RouterContext } from '../context.js';
import type { ClientAddressOf } from '../http/clientAddress.js';
import type { RouterMetrics } from '../metrics/routerMetrics.js';
import { rateLimitRefusal, type SecurityLog } from '../securityLog.js';
import {
  emptyQuery,
  isPersistedQuery,
  malformedBody,
  malformedSearch,
} from './apolloRequestRefusals.js';
import { perUserCap } from './perUserCap.js';
import { isFault } from './sharedEventExecution.js';
import { unexpectedFailure, type StreamingOperations } from './streamingOperations.js';

export const SSE_PATH = '/graphql/stream';

/** What writing to a connection its client has closed fails with. */
const CLIENT_GONE_CODES: ReadonlySet<string> = new Set([
  'ERR_STREAM_DESTROYED',
  'ERR_STREAM_WRITE_AFTER_END',
  'ECONNRESET',
  'EPIPE',
]);

/** graphql-sse wants a context with an index signature; ours is a plain interface. */
type SseContext = RouterContext & Record<PropertyKey, unknown>;

export interface SseServerOptions {
  operations: StreamingOperations;
  verifyToken: TokenVerifier;
  metrics: RouterMetrics;
  logger: Logger;
  clientAddressOf: ClientAddressOf;
  securityLog: SecurityLog;
  /** Revocations (logout, on any router) as they are heard of. */
  onTokenRevoked: OnTokenRevoked;
  /** Streams one user may hold open at once (any operation's); the next is refused 429. */
  streamsPerUser: number;
  /** On close, how long streams of queries and mutations may take to be answered. */
  shutdownAnswerMs: number;
}

export interface SseServer {
  handler: RequestHandler;
  /**
   * Ends every subscription's stream at once, so shutdown does not wait for subscribers to
   * leave; a query's or mutation's stream is answered first (at most `shutdownAnswerMs`).
   */
  close(): Promise<void>;
}

function refusal(
  status: number,
  error: GraphQLError | readonly GraphQLError[],
  headers: Record<string, string> = {},
) {
  const errors = error instanceof GraphQLError ? [error] : error;
  return [
    JSON.stringify({ errors: errors.map((e) => e.toJSON()) }),
    {
      status,
      statusText: STATUS_CODES[status] ?? 'Bad Request',
      headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    },
  ] as const satisfies SseResponse;
}

async function callerFrom(authorization: unknown, verifyToken: TokenVerifier) {
  const token = bearerToken(authorization);
  if (!token) {
    throw unauthenticated(
      'Send Authorization: Bearer TOKEN to open a stream (queries and subscriptions alike)',
    );
  }
  return { caller: await verifyToken(token), token };
}

/**
 * Why a request cannot open a stream, for the requests graphql-sse would answer with a bare
 * status and no body, or in its own words without a code ("Missing query", "Invalid
 * variables"…); undefined for the others. graphql-sse also wants `Accept` to be exactly
 * `text/event-stream`, so a request that lists it among other types is told it accepts only that.
 */
function unstreamable(req: Request): { status: number; error: GraphQLError } | undefined {
  const refused = (status: number, message: string) => ({
    status,
    error: codedError(RequestErrorCode.BadRequest, message),
  });
  if (req.method !== 'GET' && req.method !== 'POST')
    return refused(405, 'Open a stream with POST (or GET)');
  if (!/\btext\/event-stream\b/i.test(req.headers.accept ?? ''))
    return refused(
      406,
      'Send Accept: text/event-stream to open a stream; other requests go to /graphql',
    );
  req.headers.accept = 'text/event-stream';
  if (req.method === 'POST' && !req.is('application/json'))
    return refused(415, 'Send the operation as JSON (Content-Type: application/json)');
  const problem = req.method === 'POST' ? badBody(req.body) : badSearch(searchOf(req));
  return problem ? { status: 400, error: problem } : undefined;
}

/** A GET's query string, as Apollo Server and graphql-sse read it. */
function searchOf(req: Request): URLSearchParams {
  const start = req.url.indexOf('?');
  return new URLSearchParams(start === -1 ? '' : req.url.slice(start + 1));
}

/**
 * What is wrong with a POSTed operation, as HTTP (Apollo Server) says it, in its order: a
 * malformed body, then no query, unless it is a persisted query, which operations.prepare
 * refuses whether or not `query` is sent.
 */
function badBody(body: unknown): GraphQLError | undefined {
  const malformed = malformedBody(body);
  if (malformed || !isRecord(body)) return malformed;
  return body['query'] || isPersistedQuery(body['extensions']) ? undefined : emptyQuery();
}

/** The same for a GET, whose variables and extensions are JSON in the query string. */
function badSearch(search: URLSearchParams): GraphQLError | undefined {
  const malformed = malformedSearch(search);
  if (malformed) return malformed;
  const extensions = search.get('extensions');
  // JSON: malformedSearch has checked it.
  const persisted = extensions !== null && isPersistedQuery(JSON.parse(extensions));
  return search.get('query') || persisted ? undefined : emptyQuery();
}

/**
 * Hands graphql-sse the request as the checks above read it. It refuses a request without
 * `query` ("Missing query", no code) before onSubscribe sees it; the only such request
 * `unstreamable` lets through is a persisted query, which operations.prepare refuses before it
 * reads `query`, so it is handed on with an empty one. And it reads a GET's search only up to a
 * second `?` (which RFC 3986 allows unescaped, and Apollo Server reads as part of the search), so
 * a GET's search is written back with every `?` in it escaped.
 */
function forGraphqlSse(req: Request): void {
  if (req.method === 'POST') {
    if (isRecord(req.body) && !req.body['query']) req.body['query'] = '';
    return;
  }
  const params = searchOf(req);
  if (!params.get('query')) params.set('query', '');
  const start = req.url.indexOf('?');
  req.url = `${start === -1 ? req.url : req.url.slice(0, start)}?${params}`;
}

/**
 * A stream of one result, the errors that refused the operation: graphql-sse sends it as its
 * `next` event, then `complete`. (An async iterable, so that the result has no `data`, as HTTP's
 * has none: graphql-sse takes an object only with one for a result.)
 */
async function* oneResult(errors: readonly GraphQLError[]) {
  yield { errors };
}

/**
 * A subscription's results, with its failure sent as its last result. graphql-sse has no event
 * for an error once the stream has begun: left to it, a failure (a live feed refused for falling
 * too far behind) ended the stream with no word and no `complete`, and was logged as a fault of
 * ours. A refusal (a GraphQLError our code built, with its code) is sent as it is, a fault of
 * ours (isFault) as a masked internal error, logged; then the stream completes. Not an async
 * generator: its `return()` would wait for a pending `next()`, and a feed may wait for its next
 * event indefinitely.
 */
function endingWithErrors(
  results: AsyncIterator<ExecutionResult>,
  context: RouterContext,
): AsyncIterableIterator<ExecutionResult> {
  let failed = false;
  const iterator: AsyncIterableIterator<ExecutionResult> = {
    next: () => {
      if (failed) return Promise.resolve({ value: undefined, done: true });
      return results.next().then(undefined, (error: unknown) => {
        failed = true;
        const refusal =
          error instanceof GraphQLError && !isFault(error)
            ? error
            : unexpectedFailure(context, error);
        return { value: { errors: [refusal] }, done: false };
      });
    },
    return: () => results.return?.() ?? Promise.resolve({ value: undefined, done: true }),
    // graphql-sse ends a stream's operation (its client gone) only if it looks like a generator:
    // next, return and throw. Without `throw` the feed stayed open, holding its live budget.
    throw: (error: unknown) => results.throw?.(error) ?? Promise.reject(error),
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}

/**
 * The last events of a stream ended by the router (its token expired or was revoked, the router
 * is shutting down): why, then graphql-sse's own end.
 */
function endStream(res: ServerResponse, why: GraphQLError): void {
  const refusal = { errors: [why.toJSON()] };
  res.end(`event: next\ndata: ${JSON.stringify(refusal)}\n\nevent: complete\ndata:\n\n`);
}

/**
 * What a subscription's stream is told when the router shuts down (graphql-ws closes its sockets
 * 1001 "Going away"): subscribe again, on another router or this one once it is back.
 */
export const SHUTDOWN_MESSAGE = 'The router is shutting down; subscribe again';

export function createSseServer(options: SseServerOptions): SseServer {
  const { operations, metrics, logger, securityLog } = options;
  const subscribed = new WeakSet<SseContext>();
  const open = new Set<ServerResponse>();
  /** Streams of a query or mutation: answered, then ended by graphql-sse. */
  const answering = new WeakSet<ServerResponse>();
  /** Each request's response, so that a stream can be ended when its token expires. */
  const responses = new WeakMap<object, ServerResponse>();
  /** Each request's context, once its caller is known. */
  const contexts = new WeakMap<object, SseContext>();
  const byToken = createTokenConnections(options.onTokenRevoked);
  const streamsPerUser = perUserCap(options.streamsPerUser);

  const handle = createHandler<SseContext>({
    // No reservation tokens: the "single connection" mode stays off (404).
    authenticate: () => null,
    onSubscribe: async (req, params) => {
      const clientAddress = options.clientAddressOf(req.raw);
      let caller, token;
      const authorization = authorizationHeader(req.raw);
      try {
        ({ caller, token } = await callerFrom(authorization, options.verifyToken));
      } catch (error) {
        securityLog.refusedToken(error, { transport: 'sse', clientAddress });
        if (error instanceof GraphQLError)
          return refusal(401, error, {
            'www-authenticate': bearerChallenge(authorization),
          });
        throw error;
      }
      const res = responses.get(req.raw);
      // Gone while its token was checked: its response's 'close' has been emitted already, so a
      // place, timer or revocation entry taken now would never be given back. Nobody reads this.
      if (res?.closed) return refusal(400, cancelled());
      if (res) {
        if (!streamsPerUser.take(caller.id)) {
          securityLog.rateLimited(
            rateLimitRefusal('streams per user', { transport: 'sse', clientAddress, caller }),
          );
          const tooMany = rateLimited(
            1,
            `Too many open streams: at most ${options.streamsPerUser} per user`,
          );
          return refusal(429, tooMany, { 'retry-after': '1' });
        }
        res.once('close', () => streamsPerUser.release(caller.id));
      }
      // The stream closing before its operation is answered aborts the operation's subgraph calls.
      const signal = res ? requestSignal(req.raw, res, { callerDeadlines: false }) : undefined;
      const context: SseContext = {
        ...streamingContext('sse', caller, clientAddress, logger, signal),
      };
      // Its id on the response, as HTTP's, and for a fault of ours to be logged with.
      contexts.set(req.raw, context);
      if (res && !res.headersSent) res.setHeader('x-request-id', context.requestId);
      // A query or mutation admitted before its token ended is answered, as over HTTP (a
      // logout sent on this stream would otherwise end it before saying `true`); a
      // subscription's stream, or one whose operation is not yet known, ends at once.
      if (res) {
        const end = (reason: string) =>
          answering.has(res) || endStream(res, unauthenticated(reason));
        const cancelExpiry = atTokenExpiry(token, () => end(TOKEN_EXPIRED_MESSAGE));
        const forgetStream = byToken.add(revocationIds(caller), () => end(TOKEN_REVOKED_MESSAGE));
        res.once('close', () => {
          cancelExpiry();
          forgetStream();
        });
      }
      const limited = await operations.admit(context);
      if (limited) {
        const retryAfter = String(limited.extensions['retryAfterSeconds']);
        return refusal(429, limited, { 'retry-after': retryAfter });
      }
      // HTTP's checks, in its words and with its status: graphql-sse would answer an invalid
      // operation with 200 and the errors as an event, and one it cannot pick from the
      // document with "Unable to detect operation AST" and no code.
      const prepared = operations.prepare(params);
      if ('errors' in prepared) {
        // 200 (a persisted query): answered as a stream of that one result, as over HTTP.
        if (prepared.status === 200) return oneResult(prepared.errors);
        return refusal(prepared.status, prepared.errors);
      }
      const { schema, document } = prepared;
      const operation = prepared.operation.operation;
      // graphql-sse's own refusal of this says so without a code or an Allow header.
      if (operation === 'mutation' && req.method === 'GET') {
        const getMutation = codedError(
          RequestErrorCode.BadRequest,
          'A mutation cannot be sent with GET; send it with POST',
        );
        return refusal(405, getMutation, { allow: 'POST' });
      }
      if (res && operation !== 'subscription') answering.add(res);
      const costed = operations.costed(
        schema,
        document,
        params.operationName,
        params.variables,
        context,
      );
      if (costed instanceof GraphQLError) {
        // Over the user's live demand budget: others of theirs must end first (liveDemand.ts).
        if (costed.extensions['code'] === ErrorCode.RateLimited) {
          const retryAfter = String(costed.extensions['retryAfterSeconds']);
          return refusal(429, costed, { 'retry-after': retryAfter });
        }
        return refusal(400, costed);
      }
      // One operation per stream: its hold on the live demand budget ends with the stream,
      // however it ends (completed, closed by the client, its token expired or revoked), and at
      // once when the client went away while the stream's checks were awaited.
      if (res && !res.closed) res.once('close', costed.release);
      else costed.release();
      return {
        schema,
        document,
        operationName: params.operationName,
        variableValues: params.variables,
        contextValue: costed.context,
      };
    },
    // Validated in onSubscribe, before the operation's cost: a refusal there is a 400.
    validate: () => [],
    execute: (args) => operations.execute(args),
    subscribe: async (args) => {
      const result = await operations.subscribe(args);
      if (!(Symbol.asyncIterator in result)) return result;
      return endingWithErrors(result, args.contextValue as SseContext);
    },
    onOperation: (context, _req, _args, result) => {
      if (!(Symbol.asyncIterator in result)) return;
      subscribed.add(context);
      metrics.activeSubscriptions.inc();
    },
    onNext: (context) => {
      if (subscribed.has(context)) metrics.logAddedDelivered.inc();
    },
    onComplete: (context) => {
      if (subscribed.delete(context)) metrics.activeSubscriptions.dec();
    },
  });

  return {
    handler: async (req, res) => {
      const refused = unstreamable(req);
      if (refused) {
        if (refused.status === 405) res.setHeader('allow', 'GET, POST');
        res.status(refused.status).json({ errors: [refused.error.toJSON()] });
        return;
      }
      forGraphqlSse(req);
      open.add(res);
      responses.set(req, res);
      res.once('close', () => open.delete(res));
      try {
        await handle(req, res);
      } catch (error) {
        // A client that went away while its answer was being written (ERR_STREAM_DESTROYED,
        // ECONNRESET…) is not a fault of ours: said at info, as a request log would. Its socket
        // tells, not `req.destroyed`: Node destroys a request once its body has been read.
        const code = (error as NodeJS.ErrnoException).code;
        if ((res.destroyed || req.socket.destroyed) && code && CLIENT_GONE_CODES.has(code)) {
          logger.info({ code }, 'SSE client went away before its answer');
          return;
        }
        // The request's own context once its caller is known; before that, an id of its own.
        const known = contexts.get(req);
        const requestId = known?.requestId ?? randomUUID();
        const failure = unexpectedFailure(
          known ?? { logger: logger.child({ requestId }), requestId },
          error,
        );
        if (!res.headersSent) res.status(500).json({ errors: [failure.toJSON()] });
        else res.end();
      }
    },
    async close() {
      byToken.close();
      // A subscription's stream is told why it ends, and completed; one still being opened (no
      // event sent yet) is simply closed.
      const goingAway = serviceUnavailable(SHUTDOWN_MESSAGE, 1);
      for (const res of open) {
        if (answering.has(res)) continue;
        if (res.headersSent) endStream(res, goingAway);
        else res.end();
      }
      // Streams of queries and mutations end once answered; any still open then are ended.
      const ended = Promise.all([...open].map((res) => once(res, 'close')));
      const waiting = new AbortController(); // so that no timer outlives the close
      const late = sleep(options.shutdownAnswerMs, undefined, { signal: waiting.signal }).catch(
        () => {},
      );
      await Promise.race([ended, late]);
      waiting.abort();
      for (const res of open) res.end();
    },
  };
}
