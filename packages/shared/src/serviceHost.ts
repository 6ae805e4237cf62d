/**
 * The HTTP side every service shares: Express 5 with `/health` and `/ready`, Apollo Server
 * mounted on `/graphql`, and an orderly shutdown (stop taking requests, drain the ones in
 * flight, then release resources in reverse order of acquisition).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AddressInfo } from 'node:net';
import type { ApolloServer } from '@apollo/server';
import { GraphQLError } from 'graphql';
import {
  type ApolloServerOptions,
  type ApolloServerPlugin,
  type BaseContext,
} from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type Express, type Request, type RequestHandler, type Response } from 'express';
import { requestSignal } from './cancellation.js';
import { ConfigError, localUrlHost } from './config.js';
import { databaseUnreachable } from './databaseErrors.js';
import {
  hasClientCode,
  codedError,
  ErrorCode,
  maskedInternalError,
  RequestErrorCode,
} from './errors.js';
import { exactJsonBody, exactQueryNumbers, InexactJsonNumber } from './exactJson.js';
import { listenError } from './listenError.js';
import type { Logger } from './logger.js';
import { createMetricsRegistry, graphqlMetricsPlugin, type Registry } from './metrics.js';
import { requestIdFrom, sameSecret } from './routerContext.js';
import { serverTimeouts } from './serverTimeouts.js';
import { traceRequests, tracingApolloPlugin, type Tracing } from './tracing.js';

export type ReadinessCheck = () => Promise<void>;

/** How long `/ready` waits for one check before it counts as failed. */
export const READINESS_CHECK_TIMEOUT_MS = 2_000;

/** What Apollo Server takes as its `logger`. */
export type ApolloLogger = NonNullable<ApolloServerOptions<BaseContext>['logger']>;

/**
 * How Apollo Server's own line about a throw out of its request pipeline begins (it logs it with
 * its `logger` after the `unexpectedErrorProcessingRequest` hooks, with no request id).
 */
const APOLLO_PIPELINE_LINE = 'Unexpected error processing request';

/**
 * The property of a context given to `ApolloServer.executeOperation` that carries its mark (see
 * `ServiceHost.inProcess`). Apollo runs an operation with a shallow copy of the context it is
 * given: a property's value is the one thing the copy the plugins see shares with the caller's.
 */
const PIPELINE_MARK = Symbol('pipeline failure mark');

/** A context for `ApolloServer.executeOperation`, and what to ask if that throws. */
export interface InProcessRequest<C> {
  contextValue: C;
  /**
   * Whether the operation threw because Apollo's request pipeline threw (a plugin's or a
   * library's bug), which this host's plugin has then logged with the request id.
   */
  pipelineFailed(): boolean;
}

export interface ServiceHostOptions {
  name: string;
  logger: Logger;
  production: boolean;
  /** Named checks behind `/ready`; each throws when its dependency is not usable. */
  readiness?: Record<string, ReadinessCheck>;
  /** How long `/ready` waits for each check (READINESS_CHECK_TIMEOUT_MS unless given). */
  readinessTimeoutMs?: number;
  /** Largest JSON body `/graphql` accepts. */
  bodyLimit?: string;
  /**
   * Open a span per GraphQL request when this process exports traces (see tracing.ts), and
   * whether it continues its caller's trace (subgraphs) or starts its own (the router).
   */
  tracing?: { continueCallerTrace: boolean };
  /**
   * Whether the caller is our router (subgraphs, behind its secret; the default) or anyone (the
   * router itself, whose callers are clients). A trusted caller's `x-request-id` is adopted and
   * its deadline headers (`x-deadline-ms`, `x-deadline-at`) bound the request; otherwise this
   * host mints the request id, logs the caller's only as `clientRequestId`, and ignores the
   * deadline headers: a client that sent one would only turn its own request into a failure,
   * logged as ours.
   */
  trustedCaller?: boolean;
  /**
   * Bearer token `/metrics` asks for. Without one, `/metrics` is open in development and absent
   * in production: it tells anyone what the service does and how busy it is.
   */
  metricsToken?: string;
  /** Longest a client may take to send a request's headers; default `HEADERS_TIMEOUT_MS` (serverTimeouts.ts). */
  headersTimeoutMs?: number;
  /** Longest a client may take to send a whole request, body included; default `REQUEST_TIMEOUT_MS`. */
  requestTimeoutMs?: number;
}

/** Builds a GraphQL request's context, as Apollo's Express integration calls it. */
export type ContextFunction<C> = (args: {
  req: IncomingMessage;
  res: ServerResponse;
}) => Promise<C>;

/** What `/graphql` is made of, for a handler that answers some of its requests outside Express. */
export interface GraphQLMount<C> {
  /** The route's body parser (`express.json` with this host's limit). */
  parseBody: RequestHandler;
  /** The route's context: request id, logger, and what the service builds on them. */
  context: ContextFunction<C>;
  /** `handler` wrapped as the route wraps Apollo (its trace span, when tracing). */
  asRoute(
    handler: (req: IncomingMessage, res: ServerResponse) => void,
  ): (req: IncomingMessage, res: ServerResponse) => void;
  /** Lets Express's error handlers answer a request such a handler could not finish. */
  handOver(req: IncomingMessage, res: ServerResponse, error: unknown): void;
}

/** Answers a request before Express sees it, or returns false to leave it to Express. */
export type FirstResponder = (req: IncomingMessage, res: ServerResponse) => boolean;

export interface RequestBase extends BaseContext {
  requestId: string;
  logger: Logger;
  /**
   * Aborts when the caller goes away before its answer, or its deadline passes (see
   * cancellation.ts); absent for work no HTTP request waits on (streaming contexts, tests).
   */
  signal?: AbortSignal;
}

/** Errors a first responder hands to Express, which answers them as it always did. */
const handedOver = new WeakMap<IncomingMessage, unknown>();

/**
 * Connections the kernel completes before the event loop accepts them. Node's default, 511, is
 * less than a burst of new clients a busy service meets (1,000 at once in the busy-database
 * test): the kernel drops the SYNs past it, and clients retry their connect after 1, 3 and 7 s,
 * past undici's 10 s connect timeout on a loaded machine. Linux caps it at net.core.somaxconn.
 */
const LISTEN_BACKLOG = 4096;

export class ServiceHost {
  readonly app: Express = express();
  readonly server: Server;
  /** This service's Prometheus registry, served at `/metrics`; services add their own metrics. */
  readonly metrics: Registry;
  private readonly closers: Array<{ name: string; close: () => Promise<void> | void }> = [];
  private closing: Promise<void> | undefined;
  /** Set from the start of a drain (see `drain`) until the process ends. */
  private draining = false;
  /** Responses in progress; see `close`. */
  private readonly unanswered = new Set<ServerResponse>();
  private firstResponder: FirstResponder | undefined;
  /** Marks of in-process requests (`inProcess`) whose pipeline failure the host's plugin logged. */
  private readonly loggedPipelineFailures = new WeakSet<object>();
  /** Pipeline failures the host's plugin has logged whose line from Apollo has not come yet. */
  private pipelineLinesToCome = 0;
  /** Errors of results the host's plugin logged as unexpected, with their request's id. */
  private readonly loggedErrors = new WeakMap<object, string>();

  constructor(private readonly options: ServiceHostOptions) {
    this.server = createServer(serverTimeouts(options), (req, res) => {
      // Every answer is what its content type says (JSON, mostly): a browser that would guess
      // otherwise (a JSON body echoing `<script>` read as HTML) is told not to.
      res.setHeader('x-content-type-options', 'nosniff');
      if (!this.firstResponder?.(req, res)) this.dispatch(req, res);
    });
    this.metrics = createMetricsRegistry(options.name);
    this.server.on('request', (_req: IncomingMessage, res: ServerResponse) => {
      if (this.draining || this.closing) endsConnection(res);
      this.unanswered.add(res);
      res.once('close', () => this.unanswered.delete(res));
    });
    this.app.disable('x-powered-by');
    // First of all: a request the first responder handed over goes to the error handlers.
    this.app.use((req, _res, next) => next(handedOver.get(req)));
    const { metricsToken } = options;
    if (metricsToken || !options.production)
      this.app.get('/metrics', async (req, res) => {
        const given = /^Bearer +(.+)$/i.exec(req.headers.authorization?.trim() ?? '')?.[1];
        if (metricsToken && !(given && sameSecret(given, metricsToken))) {
          res.status(401).setHeader('www-authenticate', 'Bearer').end();
          return;
        }
        res.setHeader('content-type', this.metrics.contentType);
        res.send(await this.metrics.metrics());
      });
    this.app.set('trust proxy', false);
    this.app.get('/health', (_req, res) => {
      res.json({ status: 'ok', service: options.name });
    });
    // A dependency that hangs (a database that accepts connections and answers nothing) must
    // not hang /ready with it: an orchestrator's probe gives up first (docker-compose's after
    // 3 s) and learns nothing, and a router polling this instance keeps it in rotation meanwhile.
    // The checks run side by side, each given READINESS_CHECK_TIMEOUT_MS.
    const checkTimeoutMs = options.readinessTimeoutMs ?? READINESS_CHECK_TIMEOUT_MS;
    // A check still running when the next probe comes (its database hangs) is waited on again,
    // not started again: probes every few seconds must not pile up queries on a hung database.
    const running = new Map<string, Promise<void>>();
    const runCheck = (name: string, check: ReadinessCheck) => {
      let pending = running.get(name);
      if (!pending) {
        pending = Promise.resolve()
          .then(check)
          .finally(() => running.delete(name));
        running.set(name, pending);
      }
      return pending;
    };
    this.app.get('/ready', async (_req, res) => {
      const checks: Record<string, string> = {};
      let ready = true;
      await Promise.all(
        Object.entries(options.readiness ?? {}).map(async ([name, check]) => {
          let timer: NodeJS.Timeout | undefined;
          const late = new Promise<never>((_resolve, reject) => {
            timer = setTimeout(
              () => reject(new Error(`did not answer within ${checkTimeoutMs} ms`)),
              checkTimeoutMs,
            );
          });
          try {
            await Promise.race([runCheck(name, check), late]);
            checks[name] = 'ok';
          } catch (error) {
            ready = false;
            checks[name] = error instanceof Error ? error.message : 'failed';
          } finally {
            clearTimeout(timer);
          }
        }),
      );
      // Read once the checks are done (they may take READINESS_CHECK_TIMEOUT_MS): a drain begun
      // meanwhile says not ready now, not at the next probe.
      if (this.draining || this.closing) ready = false;
      res
        .status(ready ? 200 : 503)
        .json({ status: ready ? 'ready' : 'not ready', service: options.name, checks });
    });
  }

  /**
   * The options every Apollo Server here takes from its host, as one: its plugins (apolloPlugins:
   * drain on stop, log and mask unexpected errors, metrics, tracing), with the server's own
   * plugins `before` and `after` them, and Apollo's logger (apolloLogger). The two go together:
   * the logger keeps Apollo's line about a pipeline failure at debug by counting the failures the
   * plugin has logged, and that count holds only when the server has both (a server with the
   * plugins and another logger leaves counted lines that never come, and a server with this
   * logger would take its own genuine lines for them, keeping them at debug). Neither is offered
   * alone. Once per host: the plugins register the host's GraphQL metrics.
   */
  apolloServerOptions<C extends RequestBase>({
    before = [],
    after = [],
  }: {
    before?: ApolloServerPlugin<C>[];
    after?: ApolloServerPlugin<C>[];
  } = {}): { logger: ApolloLogger; plugins: ApolloServerPlugin<C>[] } {
    return {
      logger: this.apolloLogger(),
      plugins: [...before, ...this.apolloPlugins<C>(), ...after],
    };
  }

  /**
   * Apollo Server's own logger (its `logger` option): its lines as JSON beside the service's,
   * not plain text on the console. Its line for a throw out of its request pipeline is kept at
   * debug when the host's plugin has logged that throw at error level, with the request id
   * Apollo's line lacks (unexpectedErrorPlugin). The line carries nothing to tell which request
   * it is about, only its words; it comes once per failure, after the plugin's, so it is matched
   * by those words against the count of failures the plugin has logged and Apollo has not yet.
   * A failure the plugin did not log (no logger in the context, or no host plugins on that
   * server) leaves Apollo's line at error level, the only one saying it.
   */
  private apolloLogger(): ApolloLogger {
    const logger = this.options.logger.child({ component: 'apollo' });
    return {
      debug: (message: unknown) => logger.debug(String(message)),
      info: (message: unknown) => logger.info(String(message)),
      warn: (message: unknown) => logger.warn(String(message)),
      error: (message: unknown) => {
        const line = String(message);
        if (this.pipelineLinesToCome > 0 && line.startsWith(APOLLO_PIPELINE_LINE)) {
          this.pipelineLinesToCome -= 1;
          logger.debug(line);
        } else logger.error(line);
      },
    };
  }

  /**
   * A context for `ApolloServer.executeOperation` (a server with this host's plugins), and how to
   * tell whether it threw because its request pipeline threw: Apollo then throws only a bare
   * `Error('Internal server error')`, once its `unexpectedErrorProcessingRequest` hooks have run,
   * and by then this host's has logged the cause with the request id. Each call has its own mark,
   * so a context used for several operations (a live feed's lookups) is told apart per operation.
   */
  inProcess<C extends RequestBase>(contextValue: C): InProcessRequest<C> {
    const mark = {};
    const marked = Object.assign(
      Object.create(Object.getPrototypeOf(contextValue) as object | null) as C,
      contextValue,
      { [PIPELINE_MARK]: mark },
    );
    return {
      contextValue: marked,
      pipelineFailed: () => this.loggedPipelineFailures.has(mark),
    };
  }

  /**
   * The request id an error of an operation's result was logged with, as unexpected, by this
   * host's plugin (which runs before Apollo formats the errors): for a `formatError` that answers
   * such an error with a code of the contract instead (subgraphServer.ts), so that the answer
   * still names the log line, as a masked INTERNAL_SERVER_ERROR would.
   */
  requestIdLoggedWith(error: unknown): string | undefined {
    return typeof error === 'object' && error !== null ? this.loggedErrors.get(error) : undefined;
  }

  /** Plugins every Apollo Server here needs: drain on stop, log and mask unexpected errors. */
  private apolloPlugins<C extends RequestBase>(): ApolloServerPlugin<C>[] {
    return [
      ApolloServerPluginDrainHttpServer({ httpServer: this.server }),
      unexpectedErrorPlugin<C>(this.options.production, {
        pipelineFailure: (contextValue) => {
          this.pipelineLinesToCome += 1;
          const mark = (contextValue as { [PIPELINE_MARK]?: object })[PIPELINE_MARK];
          if (mark) this.loggedPipelineFailures.add(mark);
        },
        error: (error, requestId) => this.loggedErrors.set(error, requestId),
      }),
      graphqlMetricsPlugin<C>(this.metrics),
      ...(this.options.tracing ? [tracingApolloPlugin<C>()] : []),
    ];
  }

  /** Mounts a started Apollo Server on `/graphql` with a context built per request. */
  mountGraphQL<C extends RequestBase>(
    apollo: ApolloServer<C>,
    buildContext: (req: IncomingMessage, base: RequestBase) => Promise<C> | C,
  ): GraphQLMount<C> {
    const traceRequest = this.options.tracing
      ? traceRequests(this.options.name, { route: '/graphql', ...this.options.tracing })
      : undefined;
    const parseBody = exactJsonBody(this.options.bodyLimit ?? '100kb');
    const context = async ({ req, res }: { req: IncomingMessage; res: ServerResponse }) => {
      const given = requestIdFrom(req.headers);
      const adopt = this.options.trustedCaller ?? true;
      const requestId = (adopt ? given : undefined) ?? randomUUID();
      res.setHeader('x-request-id', requestId);
      const fields = !adopt && given ? { requestId, clientRequestId: given } : { requestId };
      const base: RequestBase = {
        requestId,
        logger: this.options.logger.child(fields),
        signal: requestSignal(req, res, { callerDeadlines: adopt }),
      };
      return buildContext(req, base);
    };
    this.app.all('/graphql', otherMethods);
    this.app.use(
      '/graphql',
      ...(traceRequest ? [traceRequest] : []),
      parseBody,
      exactQueryNumbers,
      expressMiddleware(apollo, { context }),
    );
    return {
      parseBody,
      context,
      asRoute: (handler) =>
        traceRequest ? (req, res) => traceRequest(req, res, () => handler(req, res)) : handler,
      handOver: (req, res, error) => {
        // Straight to Express's error handlers (see the constructor): the span stays open.
        handedOver.set(req, error);
        this.dispatch(req, res);
      },
    };
  }

  /**
   * Lets `responder` answer requests before Express: every service's direct `POST /graphql`
   * path (directGraphQL.ts). One per host.
   */
  answerFirst(responder: FirstResponder): void {
    this.firstResponder = responder;
  }

  /** Registers a resource to release on close; closed last-registered first. */
  onClose(name: string, close: () => Promise<void> | void): void {
    this.closers.push({ name, close });
  }

  /**
   * Express, with an end of our own instead of its final handler, whose HTML pages ("Cannot GET
   * /x", or an error's stack outside production) would name the framework and echo the request:
   * a path nothing serves is a JSON 404, an error no handler answered a JSON status.
   */
  private dispatch(req: IncomingMessage, res: ServerResponse): void {
    this.app(req as Request, res as Response, (error?: unknown) => {
      if (res.headersSent) return void res.end();
      if (error === undefined) return void sendJson(res, 404, 'Not found');
      if (error instanceof InexactJsonNumber)
        return void sendJson(res, error.status, error.graphqlError.toJSON());
      const status = (error as { status?: unknown }).status;
      if (typeof status === 'number' && status >= 400 && status < 500)
        return void sendJson(res, status, 'Bad request');
      this.options.logger.error({ err: error, url: req.url }, 'unexpected error outside GraphQL');
      sendJson(res, 500, 'Internal server error');
    });
  }

  async listen(port: number, host?: string): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      const refused = (error: NodeJS.ErrnoException) =>
        reject(listenError(this.options.name, port, error));
      this.server.once('error', refused);
      this.server.listen({ port, host, backlog: LISTEN_BACKLOG }, () => {
        this.server.off('error', refused);
        resolve();
      });
    });
    return (this.server.address() as AddressInfo).port;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /**
   * The first phase of a shutdown: `/ready` says 503 at once, so routers and load balancers stop
   * sending work here; for `ms` this service keeps listening and answering whatever still comes
   * (nothing sent by a caller that has not noticed yet is refused or lost), each answer with
   * `Connection: close` so that its caller opens its next connection elsewhere. Connections still
   * idle at the end are closed then. (Closing them at the start would race callers sending on
   * them at that moment: a request whose bytes are in flight would be lost with the socket.)
   */
  async drain(ms: number): Promise<void> {
    if (this.draining || this.closing) return;
    this.draining = true;
    this.unanswered.forEach(endsConnection);
    if (ms > 0) await sleep(ms);
    // One turn of the event loop first: bytes that arrived while it was busy (a request on a
    // connection that still looks idle) are read and parsed, so that connection is not closed.
    await new Promise((resolve) => setImmediate(resolve));
    this.server.closeIdleConnections();
  }

  /**
   * Closes in order. From here on every response not yet started says `Connection: close`: a
   * client must not send its next request on a connection that is about to end, or that request
   * would be processed and its answer lost with the connection.
   */
  close(): Promise<void> {
    if (!this.closing) this.unanswered.forEach(endsConnection);
    this.closing ??= this.closeInOrder();
    return this.closing;
  }

  private async closeInOrder(): Promise<void> {
    for (const { name, close } of [...this.closers].reverse()) {
      try {
        this.options.logger.debug({ resource: name }, 'closing');
        await close();
      } catch (error) {
        this.options.logger.error({ err: error, resource: name }, 'error while closing');
      }
    }
    if (this.server.listening) {
      await new Promise<void>((resolve) => this.server.close(() => resolve()));
    }
  }
}

const ALLOWED_METHODS = 'GET, POST, OPTIONS';

/**
 * `/graphql` serves GET and POST (and HEAD, as GET). Apollo Server answers other methods only
 * after its CSRF check, which refuses a browser's CORS preflight with a 400: OPTIONS is answered
 * 204 with what is allowed (and no CORS grant, so other origins stay refused), anything else 405.
 */
function otherMethods(req: Request, res: Response, next: () => void): void {
  if (req.method === 'GET' || req.method === 'POST' || req.method === 'HEAD') return next();
  res.setHeader('allow', ALLOWED_METHODS);
  if (req.method === 'OPTIONS') return void res.status(204).end();
  const message = `${req.method} is not served here: send the operation with POST (or a query with GET)`;
  sendJson(res, 405, codedError(RequestErrorCode.BadRequest, message).toJSON());
}

/** A GraphQL-shaped JSON error: a message alone, or a formatted error. */
function sendJson(res: ServerResponse, status: number, error: string | object): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify({ errors: [typeof error === 'string' ? { message: error } : error] }));
}

function endsConnection(res: ServerResponse): void {
  if (!res.headersSent) res.setHeader('connection', 'close');
}

/**
 * Errors with a contract code are the client's to read. Anything else is a fault of ours: it is
 * logged with the request id, and in production the client sees only the code and that id.
 */
function unexpectedErrorPlugin<C extends RequestBase>(
  production: boolean,
  logged: {
    /** A throw out of the request pipeline, logged for the request whose context this is. */
    pipelineFailure(contextValue: C): void;
    /** An error of an operation's result, logged with this request id. */
    error(error: object, requestId: string): void;
  },
): ApolloServerPlugin<C> {
  return {
    // A throw out of Apollo's request pipeline (a plugin's or a library's bug) is answered 500
    // by Apollo, which logs it without the request id the response carries (x-request-id).
    async unexpectedErrorProcessingRequest({ requestContext, error }) {
      const { logger } = requestContext.contextValue as Partial<C>;
      if (!logger) return;
      // A plugin that waits with the request's signal (auth's login reservations) throws
      // CANCELLED when the caller goes away or the service drains: no fault of ours.
      if (error instanceof GraphQLError && error.extensions['code'] === ErrorCode.Cancelled)
        logger.info('request cancelled before its operation ran');
      else logger.error({ err: error }, 'unexpected error processing the request');
      logged.pipelineFailure(requestContext.contextValue);
    },
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue }) {
          for (const error of errors) {
            // Typed as GraphQLErrors, but the gateway passes some subgraph failures on as plain
            // Errors (no extensions); reading through them must not replace the error itself.
            if (hasClientCode(error.extensions)) continue;
            // The database out of reach is no fault of ours: the subgraph's formatError answers
            // it SERVICE_UNAVAILABLE (subgraphServer.ts), naming this line's request id.
            const unreachable = databaseUnreachable(unwrapResolverError(error));
            if (unreachable)
              contextValue.logger.warn(
                { err: error.originalError ?? error, reason: unreachable, path: error.path },
                'database out of reach; answered SERVICE_UNAVAILABLE',
              );
            else
              contextValue.logger.error(
                { err: error.originalError ?? error, path: error.path },
                'unexpected error',
              );
            logged.error(error, contextValue.requestId);
          }
        },
        async willSendResponse({ response, contextValue }) {
          if (response.body.kind !== 'single' || !response.body.singleResult.errors) return;
          response.body.singleResult.errors = response.body.singleResult.errors.map((error) => {
            if (hasClientCode(error.extensions)) return error;
            if (!production)
              return {
                ...error,
                extensions: { ...error.extensions, requestId: contextValue.requestId },
              };
            const { message, extensions } = maskedInternalError(contextValue.requestId);
            return { message, ...(error.path ? { path: error.path } : {}), extensions };
          });
        },
      };
    },
  };
}

/** Runs `stop` once on SIGINT/SIGTERM, then exits 0 (or 1 if stopping failed). */
export function stopOnSignals(logger: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    // Exit only once the last lines are written (a pretty-printing transport runs in a thread).
    const exit = (code: number) => logger.flush(() => process.exit(code));
    stop().then(
      () => {
        logger.info('stopped');
        exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        exit(1);
      },
    );
  };
  // `on`, not `once`: libraries using signal-exit re-raise a signal when they see no other
  // listener, which would kill the process in the middle of its shutdown.
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}

export interface StandaloneService {
  logger: Logger;
  host: ServiceHost;
  port: number;
  /** The address to listen on (the config's `listenHost`); undefined: every interface. */
  listenHost: string | undefined;
  /** Logged as "<description> ready", with the GraphQL URL. */
  description: string;
  /** Released after the host has closed (e.g. the event bus other resources publish on). */
  release?: () => Promise<void>;
  /** Shut down last, so that spans of the shutdown itself are exported. */
  tracing?: Tracing;
  /** How long to keep answering after the signal before closing (see `ServiceHost.drain`). */
  drainMs?: number;
}

/**
 * The body of every `main.ts`: start the service, listen, stop in order on SIGINT/SIGTERM. A bad
 * configuration prints only its message (it names the variable) and exits 1.
 */
export async function runStandalone(start: () => Promise<StandaloneService>): Promise<void> {
  try {
    const service = await start();
    const port = await service.host.listen(service.port, service.listenHost);
    service.logger.info(
      {
        url: `http://${localUrlHost(service.listenHost)}:${port}/graphql`,
        address: (service.host.server.address() as AddressInfo).address,
      },
      `${service.description} ready`,
    );
    stopOnSignals(service.logger, async () => {
      await service.host.drain(service.drainMs ?? 0);
      await service.host.close();
      await service.release?.();
      await service.tracing?.shutdown();
    });
  } catch (error) {
    console.error(error instanceof ConfigError ? error.message : error);
    process.exit(1);
  }
}
