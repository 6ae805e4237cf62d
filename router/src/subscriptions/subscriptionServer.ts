/**
 * graphql-ws on the router's own port and path. `@apollo/gateway` cannot execute
 * subscriptions, so they run here against the gateway's API schema; queries and mutations sent
 * over the socket go through Apollo Server like any HTTP request.
 */
import type { Server } from 'node:http';
import { CallerGoneError } from '@microservice-math/shared/cancellation';
import {
  cancelled,
  hasClientCode,
  codedError,
  rateLimited,
  RequestErrorCode,
  unauthenticated,
} from '@microservice-math/shared/errors';
import { inexactNumberRefusal } from '@microservice-math/shared/exactJson';
import type { Logger } from '@microservice-math/shared/logger';
import type { Caller } from '@microservice-math/shared/routerContext';
import { revocationIds } from '@microservice-math/shared/tokenRevocations';
import { GraphQLError, type ExecutionArgs } from 'graphql';
import { CloseCode, type SubscribePayload } from 'graphql-ws';
import type { Extra } from 'graphql-ws/use/ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import {
  atTokenExpiry,
  TOKEN_EXPIRED_CLOSE_CODE,
  TOKEN_EXPIRED_MESSAGE,
  TOKEN_REVOKED_MESSAGE,
} from '../auth/tokenExpiry.js';
import { createTokenConnections, type OnTokenRevoked } from '../auth/tokenConnections.js';
import { bearerToken, connectionAuthorization, type TokenVerifier } from '../auth/tokenVerifier.js';
import { streamingContext, type RouterContext } from '../context.js';
import type { ClientAddressOf } from '../http/clientAddress.js';
import type { RouterMetrics } from '../metrics/routerMetrics.js';
import { rateLimitRefusal, type SecurityLog } from '../securityLog.js';
import type { ReleaseDemand } from './liveDemand.js';
import { perUserCap } from './perUserCap.js';
import { unexpectedFailure, type StreamingOperations } from './streamingOperations.js';

/** Standard "Try Again Later": this user already holds as many sockets as allowed. */
export const TOO_MANY_SOCKETS_CLOSE_CODE = 1013;

/**
 * How long a socket whose token was revoked or expired waits for the answers to the operations
 * it had already admitted, as HTTP answers a request admitted before a logout. Its own `logout`
 * is one of them: closed at the revocation, the socket would never tell the caller `true`. The
 * wait is only for answers in flight; a socket with none closes at once.
 */
const ANSWER_GRACE_MS = 2_000;
/** graphql-ws's own code and reason for sockets of a server going away. */
const GOING_AWAY = { code: 1001, reason: 'Going away' };

type ConnectionExtra = Extra &
  Record<PropertyKey, unknown> & {
    /** The connection's caller and address; each operation gets a context of its own. */
    connection?: { caller: Caller; clientAddress: string };
    /** Ids of this connection's open subscriptions (not its one-shot queries). */
    subscriptions?: Set<string>;
    /** Cancels the close at the token's expiry, and forgets the socket by its token. */
    forgetToken?: () => void;
    /** The connection's token, checked again (revocation) with every operation. */
    token?: string;
  };

export interface SubscriptionServerOptions {
  server: Server;
  path: string;
  /** Bytes; a larger message closes the socket with 1009 before it is read. */
  maxPayload: number;
  limits: {
    connectionsPerUser: number;
    operationsPerConnection: number;
    waitingPerAddress: number;
  };
  operations: StreamingOperations;
  verifyToken: TokenVerifier;
  metrics: RouterMetrics;
  logger: Logger;
  clientAddressOf: ClientAddressOf;
  securityLog: SecurityLog;
  /** Revocations (logout, on any router) as they are heard of. */
  onTokenRevoked: OnTokenRevoked;
  /** On close, how long admitted queries and mutations may take to be answered. */
  shutdownAnswerMs: number;
}

export interface SubscriptionServer {
  close(): Promise<void>;
}

export function createSubscriptionServer(options: SubscriptionServerOptions): SubscriptionServer {
  const { logger, metrics, operations, securityLog } = options;
  const { limits } = options;
  /** Open, authenticated sockets by user id. */
  const socketsPerUser = perUserCap(limits.connectionsPerUser);
  /**
   * Sockets not yet signed in, by client address: without a cap, a client that never signs in
   * could hold as many sockets as it opens (each for graphql-ws' 3 s wait for connection_init,
   * then open another).
   */
  const waitingPerAddress = perUserCap(limits.waitingPerAddress);
  const refuseWaiting = (address: string) =>
    securityLog.rateLimited(
      rateLimitRefusal('waiting sockets per address', {
        transport: 'websocket',
        clientAddress: address,
      }),
    );
  const wss = new WebSocketServer({
    server: options.server,
    path: options.path,
    maxPayload: options.maxPayload,
    // Past its address's cap an upgrade is refused before any socket exists (HTTP 429): nothing
    // is held for it, even for a client that would never answer a close.
    verifyClient: ({ req }, accept) => {
      const address = options.clientAddressOf(req);
      if (!waitingPerAddress.full(address)) return accept(true);
      refuseWaiting(address);
      accept(
        false,
        429,
        `Too many connections waiting to sign in: at most ${limits.waitingPerAddress} per address`,
        // ws writes this answer itself, outside ServiceHost: its plain text, marked as such (the
        // key spelled as ws spells its own text/html default, which it replaces).
        {
          'retry-after': '3',
          'Content-Type': 'text/plain; charset=utf-8',
          'x-content-type-options': 'nosniff',
        },
      );
    },
  });
  /** How a waiting socket gives its place back: once, when its connection is decided or it closes. */
  const stopWaiting = new WeakMap<WebSocket, () => void>();
  /** `onConnect`, giving the socket's waiting place back once it has decided, either way. */
  const decided =
    <Ctx extends { extra: { socket: WebSocket } }>(onConnect: (ctx: Ctx) => Promise<boolean>) =>
    async (ctx: Ctx): Promise<boolean> => {
      try {
        return await onConnect(ctx);
      } finally {
        stopWaiting.get(ctx.extra.socket)?.();
      }
    };
  /**
   * Each socket's operations in flight, by operation id, from their subscribe message until they
   * have ended (onComplete, or refused by onSubscribe): aborted (and with them their subgraph
   * calls, and so math's computations) when the client completes one before its answer, or the
   * socket closes. An aborted one stays until it has ended, so its id is not reused meanwhile.
   */
  const inFlight = new WeakMap<WebSocket, Map<string, AbortController>>();
  /** Each socket's subscriptions' holds on their user's live demand budget, by operation id. */
  const liveDemand = new WeakMap<WebSocket, Map<string, ReleaseDemand>>();
  const releaseDemand = (socket: WebSocket, id: string) => {
    liveDemand.get(socket)?.get(id)?.();
    liveDemand.get(socket)?.delete(id);
  };
  const abortOperation = (socket: WebSocket, id: string) =>
    inFlight.get(socket)?.get(id)?.abort(new CallerGoneError());
  /** Acknowledged sockets, closed in turn when the router closes. */
  const connected = new Set<ConnectionExtra>();
  /** Sockets waiting for their admitted operations' answers before they close. */
  const closing = new WeakMap<
    WebSocket,
    { close: () => void; timer: NodeJS.Timeout; closed: Promise<void> }
  >();
  /** Whether the socket has operations in flight that are not subscriptions. */
  const awaitingAnswers = (extra: ConnectionExtra) =>
    [...(inFlight.get(extra.socket)?.keys() ?? [])].some((id) => !extra.subscriptions?.has(id));
  /**
   * Closes the socket once the queries and mutations it already admitted are answered, or after
   * `graceMs`; at once if it has none. Resolves when it has been told to close.
   */
  const closeWhenAnswered = (
    extra: ConnectionExtra,
    { code, reason }: { code: number; reason: string },
    graceMs: number,
  ): Promise<void> => {
    const socket = extra.socket;
    const already = closing.get(socket);
    if (already) return already.closed;
    let closed!: () => void;
    const done = new Promise<void>((resolve) => (closed = resolve));
    const close = () => {
      clearTimeout(closing.get(socket)?.timer);
      closing.delete(socket);
      if (socket.readyState === socket.OPEN) socket.close(code, reason);
      closed();
    };
    if (!awaitingAnswers(extra)) close();
    else closing.set(socket, { close, timer: setTimeout(close, graceMs), closed: done });
    return done;
  };
  /** A token ended: its socket closes (4403) once its admitted operations are answered. */
  const endConnection = (extra: ConnectionExtra, reason: string) =>
    void closeWhenAnswered(extra, { code: TOKEN_EXPIRED_CLOSE_CODE, reason }, ANSWER_GRACE_MS);
  /** An operation was answered, or turned out to be a subscription: a closing socket may close. */
  const answered = (extra: ConnectionExtra) => {
    const pending = closing.get(extra.socket);
    if (!pending || awaitingAnswers(extra)) return;
    // graphql-ws sends the operation's `complete` message after onComplete returns.
    setImmediate(pending.close);
  };
  const byToken = createTokenConnections(options.onTokenRevoked);
  /**
   * Subscribe messages holding a number JSON cannot carry exactly (exactJson.ts), by operation
   * id: noted from the message's text before graphql-ws parses it, refused in onSubscribe.
   */
  const inexactNumbers = new WeakMap<WebSocket, Map<string, GraphQLError>>();
  /**
   * An operation's checks before it runs, once graphql-ws has it: the token still good, the
   * request rate, the document, its cost and the user's live demand budget. Its execution
   * arguments, or the errors to answer it with. One aborted meanwhile (the client completed it,
   * or the socket closed) is refused before it holds any of the budget.
   */
  const check = async (
    extra: ConnectionExtra,
    id: string,
    payload: SubscribePayload,
    contextValue: RouterContext,
    controller: AbortController,
  ): Promise<ExecutionArgs | GraphQLError[]> => {
    const socket = extra.socket;
    // A revocation not heard of (Redis's announcement lost) ends the socket at its next operation.
    try {
      await options.verifyToken(extra.token as string);
    } catch (error) {
      securityLog.refusedToken(error, {
        transport: 'websocket',
        clientAddress: contextValue.clientAddress,
      });
      endConnection(extra, 'Token revoked or expired; sign in again');
      return [unauthenticated('Token revoked or expired; sign in again')];
    }
    const refused = await operations.admit(contextValue);
    if (refused) return [refused];
    if (controller.signal.aborted) return [cancelled()];
    // HTTP's checks, in its words: graphql-ws would close the whole socket (4500) when a
    // document does not parse, and say "Unable to identify operation" without a code.
    const prepared = operations.prepare(payload);
    if ('errors' in prepared) return [...prepared.errors];
    const { schema, document } = prepared;
    const costed = operations.costed(
      schema,
      document,
      payload.operationName,
      payload.variables,
      contextValue,
    );
    if (costed instanceof GraphQLError) return [costed];
    // Released in onComplete, which graphql-ws calls for every operation onSubscribe admits,
    // even once the socket has closed meanwhile; and in onClose, should one fail instead.
    if (!liveDemand.has(socket)) liveDemand.set(socket, new Map());
    liveDemand.get(socket)?.set(id, costed.release);
    return {
      schema,
      document,
      operationName: payload.operationName,
      variableValues: payload.variables,
      contextValue: costed.context,
    };
  };
  const disposable = useServer<Record<string, unknown> | undefined, ConnectionExtra>(
    {
      // The socket stops waiting (its place in waitingPerAddress) once this has decided.
      onConnect: decided(async (ctx) => {
        const address = options.clientAddressOf(ctx.extra.request);
        const refused = (error: unknown) => {
          securityLog.refusedToken(error, { transport: 'websocket', clientAddress: address });
          return refuseToken(ctx.extra.socket, error);
        };
        let token: string | undefined;
        try {
          token = bearerToken(connectionAuthorization(ctx.connectionParams));
        } catch (error) {
          return refused(error);
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
          // Dropped while its token was verified: graphql-ws has already run onClose for it,
          // with no connection to release, so a place taken now would never be given back.
          if (ctx.extra.socket.readyState !== ctx.extra.socket.OPEN) return false;
          if (!socketsPerUser.take(caller.id)) {
            securityLog.rateLimited(
              rateLimitRefusal('sockets per user', {
                transport: 'websocket',
                clientAddress: address,
                caller,
              }),
            );
            ctx.extra.socket.close(
              TOO_MANY_SOCKETS_CLOSE_CODE,
              `Too many connections: at most ${limits.connectionsPerUser} per user`,
            );
            return false;
          }
          ctx.extra.connection = { caller, clientAddress: address };
          ctx.extra.token = token;
          const extra = ctx.extra;
          const cancelExpiry = atTokenExpiry(token, () =>
            endConnection(extra, TOKEN_EXPIRED_MESSAGE),
          );
          const forgetSocket = byToken.add(revocationIds(caller), () =>
            endConnection(extra, TOKEN_REVOKED_MESSAGE),
          );
          connected.add(extra);
          // The upgrade request (its headers, about 1.3 KB) has been read for the caller's
          // address above; kept in graphql-ws' extra, it would stay for the socket's lifetime.
          (extra as { request?: unknown }).request = undefined;
          ctx.extra.forgetToken = () => {
            cancelExpiry();
            forgetSocket();
          };
          return true;
        } catch (error) {
          return refused(error);
        }
      }),
      // Each subscribe message (subscription or one-shot operation) counts as one request. The
      // operation is parsed and validated here, once: given execution arguments, graphql-ws
      // does neither again.
      onSubscribe: async (ctx, id, payload) => {
        const inexact = inexactNumbers.get(ctx.extra.socket)?.get(id);
        if (inexact !== undefined) {
          inexactNumbers.get(ctx.extra.socket)?.delete(id);
          return [inexact];
        }
        // Counted before the first await: graphql-ws has already added this one to the socket's
        // operations, beside those admitted and those still being checked. Counted after it, a
        // burst of operations sent together would each see the whole burst and all be refused.
        if (Object.keys(ctx.subscriptions).length > limits.operationsPerConnection) {
          securityLog.rateLimited(
            rateLimitRefusal('operations per socket', {
              transport: 'websocket',
              clientAddress: ctx.extra.connection?.clientAddress ?? 'unknown',
              caller: ctx.extra.connection?.caller,
            }),
          );
          return [
            rateLimited(
              1,
              `Too many operations on this connection: at most ${limits.operationsPerConnection} at once`,
            ),
          ];
        }
        const connection = ctx.extra.connection as NonNullable<ConnectionExtra['connection']>;
        const socket = ctx.extra.socket;
        // graphql-ws forgets an id as soon as the client completes it, and takes it again at
        // once, while the first operation may still be checked or starting. Both would then
        // share graphql-ws' one entry for the id: the first one's end would end the second, or
        // deliver under its id, and its onComplete would give back the second one's hold on the
        // live demand budget in place of its own, which nothing would then give back.
        // So the id is refused as graphql-ws refuses one it still holds: the socket is closed
        // (4409; graphql-ws' reason names the id, the client's own text of any length, ours
        // does not), which ends the first operation too (an error message for the second would
        // leave graphql-ws' entry for the id to the first one for as long as it is sent).
        if (inFlight.get(socket)?.has(id)) {
          socket.close(
            CloseCode.SubscriberAlreadyExists,
            'Subscriber for this operation id already exists',
          );
          return [operationIdInUse()];
        }
        const controller = new AbortController();
        // In flight from now: a complete message for it, or the socket closing, while it is still
        // checked aborts it, so it starts nothing and holds nothing of the live demand budget,
        // which onComplete or onClose would not give back.
        if (!inFlight.has(socket)) inFlight.set(socket, new Map());
        inFlight.get(socket)?.set(id, controller);
        // The operation's own context (and request id), which a fault of ours is logged with.
        const contextValue = streamingContext(
          'websocket',
          connection.caller,
          connection.clientAddress,
          logger,
          controller.signal,
        );
        let checked: Awaited<ReturnType<typeof check>>;
        try {
          checked = await check(ctx.extra, id, payload, contextValue, controller);
        } catch (error) {
          checked = [unexpectedFailure(contextValue, error)];
        }
        if (Array.isArray(checked) && inFlight.get(socket)?.get(id) === controller) {
          inFlight.get(socket)?.delete(id);
          answered(ctx.extra);
        }
        return checked;
      },
      onOperation: (ctx, id, _payload, _args, result) => {
        if (!(Symbol.asyncIterator in result)) return;
        (ctx.extra.subscriptions ??= new Set()).add(id);
        metrics.activeSubscriptions.inc();
        answered(ctx.extra);
      },
      onNext: (ctx, id) => {
        // logAdded is the only subscription field, so every subscription event is one of its.
        if (ctx.extra.subscriptions?.has(id)) metrics.logAddedDelivered.inc();
      },
      // Called however a subscription ends: completed by the client, failed, or socket closed.
      onComplete: (ctx, id) => {
        inFlight.get(ctx.extra.socket)?.delete(id);
        releaseDemand(ctx.extra.socket, id);
        if (ctx.extra.subscriptions?.delete(id)) metrics.activeSubscriptions.dec();
        answered(ctx.extra);
      },
      // Every socket that connected ends here, however it closed.
      onClose: (ctx) => {
        const socket = ctx.extra.socket;
        connected.delete(ctx.extra);
        closing.get(socket)?.close(); // already closed: only its timer and waiter are left
        for (const id of inFlight.get(socket)?.keys() ?? []) abortOperation(socket, id);
        for (const id of liveDemand.get(socket)?.keys() ?? []) releaseDemand(socket, id);
        ctx.extra.forgetToken?.();
        if (ctx.extra.connection) socketsPerUser.release(ctx.extra.connection.caller.id);
      },
      execute: (args: ExecutionArgs) => operations.execute(args),
      subscribe: (args: ExecutionArgs) => operations.subscribe(args),
      onError: (_ctx, _id, _payload, errors) => {
        logger.debug({ errors: errors.map((e) => e.message) }, 'subscription refused');
      },
    },
    wss,
  );
  // ws passes the HTTP server's own errors on, and graphql-ws prints them with a stack as
  // "Internal error emitted on the WebSocket server" and closes every socket. One at listen (a
  // port in use) is the host's to report, in one line (serviceHost.ts); a later one is logged.
  wss.removeAllListeners('error');
  wss.on('error', (error: Error) => {
    if (options.server.listening) logger.error({ err: error }, 'HTTP server error');
  });
  // Each socket's own listeners, made once for all of them (each reads its socket as `this`)
  // rather than three closures a socket.
  // Ahead of graphql-ws's own listener, which parses the message and calls onSubscribe at once.
  // graphql-ws reads a binary frame as text too (String(data)), so these read both.
  function noteInexactNumbers(this: WebSocket, data: RawData) {
    if (!Buffer.isBuffer(data)) return;
    const text = data.toString('utf8');
    const refusal = inexactNumberRefusal(text);
    if (refusal === undefined) return;
    const { type, id } = JSON.parse(text) as { type?: unknown; id?: unknown };
    if (type !== 'subscribe' || typeof id !== 'string') return;
    if (!inexactNumbers.has(this)) inexactNumbers.set(this, new Map());
    inexactNumbers.get(this)?.set(id, refusal);
  }
  // graphql-ws drops an operation the client completes while it is still being answered, but
  // tells nobody: its subgraph calls would run on. Any message may be one, whatever its size:
  // an operation's id is the client's choice and unbounded (a bound here once let a long id's
  // computation run to the end). Only one naming "complete" is parsed again, at most once more
  // than graphql-ws parses it.
  function abortCompleted(this: WebSocket, data: RawData) {
    if (!Buffer.isBuffer(data)) return;
    const id = completedId(data);
    if (id !== undefined) abortOperation(this, id);
  }
  // graphql-ws prints every socket error with console.error, and an oversized message is one
  // (ws has already closed that socket with 1009): a client could fill the console at will.
  // Its listener is replaced with one that logs through our logger, as a client's doing.
  function socketError(this: WebSocket, error: Error & { code?: string }) {
    logger.debug({ code: error.code, reason: error.message }, 'WebSocket refused a message');
    if (this.readyState === this.OPEN) this.close(1011, 'Internal server error');
  }
  wss.on('connection', (socket, request) => {
    socket.prependListener('message', noteInexactNumbers);
    socket.on('message', abortCompleted);
    // Listening (`on`, not `once`: a later error finds a listener too) before graphql-ws's own
    // listeners are removed, so the socket is never without one.
    const theirs = socket.listeners('error') as Array<(error: Error) => void>;
    socket.on('error', socketError);
    for (const listener of theirs) socket.removeListener('error', listener);
    const address = options.clientAddressOf(request);
    // ws 8 verifies an upgrade and emits its connection in one call stack, so a verified socket
    // finds its place free; should a later ws interleave them, the one past the cap goes at once.
    if (!waitingPerAddress.take(address)) {
      refuseWaiting(address);
      socket.terminate();
      return;
    }
    let waiting = true;
    const release = () => {
      if (!waiting) return;
      waiting = false;
      waitingPerAddress.release(address);
    };
    stopWaiting.set(socket, release);
    socket.once('close', release);
  });
  return {
    async close() {
      byToken.close();
      // As the HTTP server drains its requests, each socket's admitted queries and mutations
      // are answered before it closes; its subscriptions end with it.
      await Promise.all(
        [...connected].map((extra) =>
          closeWhenAnswered(extra, GOING_AWAY, options.shutdownAnswerMs),
        ),
      );
      await disposable.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/** The operation id of a graphql-ws `complete` message; undefined for any other message. */
function completedId(data: Buffer): string | undefined {
  // graphql-ws parses every message itself: parse again only what can be a complete message
  // (its type written out, or with escapes that may spell it).
  if (!data.includes('"complete"') && !data.includes('\\u')) return undefined;
  try {
    const message = JSON.parse(data.toString('utf8')) as { type?: unknown; id?: unknown };
    return message.type === 'complete' && typeof message.id === 'string' ? message.id : undefined;
  } catch {
    return undefined; // graphql-ws answers malformed messages itself
  }
}

/**
 * Closes a socket whose token was refused: 4403 with the reason HTTP gives for the same token
 * (`Token expired; sign in again`, `Token revoked; sign in again`, `Invalid token`), so that a
 * client reconnecting with it knows to sign in again; graphql-ws' own refusal says `Forbidden`.
 * Anything else (a fault of ours) stays `Forbidden`: its message is not the client's to read.
 */
function refuseToken(socket: WebSocket, error: unknown): false {
  const message = error instanceof Error ? error.message : '';
  // A close reason is at most 123 bytes (RFC 6455); ws throws on a longer one.
  const told =
    error instanceof GraphQLError &&
    hasClientCode(error.extensions) &&
    Buffer.byteLength(message) <= 123;
  socket.close(TOKEN_EXPIRED_CLOSE_CODE, told ? message : 'Forbidden');
  return false;
}

/**
 * A subscribe message whose id an earlier operation on the socket still has: completed by the
 * client but not yet ended here. Answered on a socket already closing, so never sent: graphql-ws
 * needs an answer from onSubscribe.
 */
function operationIdInUse(): GraphQLError {
  return codedError(
    RequestErrorCode.BadRequest,
    'This operation id is still in use on this connection: the operation completed with it has not ended yet. Use a new id for each operation',
  );
}
