/**
 * How the router talks to a subgraph. Nothing the client sent is forwarded as a header: each
 * request carries only what the router itself vouches for (the verified user, the client's
 * address, the request id, the idempotency key scoped to the user) and the shared secret that makes subgraphs trust it.
 *
 * This is the gateway's data source interface implemented over our subgraph client, doing what
 * Apollo's RemoteGraphQLDataSource (gateway 2.14) does for the features used here: the same
 * request body, the same GraphQLError for an HTTP error status (`UNAUTHENTICATED` for 401,
 * `FORBIDDEN` for 403, the answer under `extensions.response`), the same restriction of the
 * operation's cache policy by the subgraph's `cache-control`. Its fetch-shaped path built a
 * node-fetch Request and Headers, and parsed the URL, for every call.
 */
import { STATUS_CODES } from 'node:http';
import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { ErrorCode } from '@microservice-math/shared/errors';
import { GraphQLError } from 'graphql';
import {
  CLIENT_ADDRESS_HEADER,
  IDEMPOTENCY_KEY_HEADER,
  REQUEST_ID_HEADER,
  ROUTER_SECRET_HEADER,
  SESSION_ID_HEADER,
  SESSION_STARTED_HEADER,
  TOKEN_HEADER,
  USER_ID_HEADER,
  USERNAME_HEADER,
} from '@microservice-math/shared/routerContext';
import { injectTraceContext } from '@microservice-math/shared/tracing';
import { CallerGoneError } from '@microservice-math/shared/cancellation';
import { cancelled } from '@microservice-math/shared/errors';
import type { RouterContext } from '../context.js';
import type { SubgraphAnswer, SubgraphPost } from './subgraphClients.js';
import { subgraphUnavailable, whyUnreachable } from './subgraphFailure.js';

type ProcessOptions = GraphQLDataSourceProcessOptions<RouterContext>;
type SubgraphResponse = Awaited<ReturnType<GraphQLDataSource<RouterContext>['process']>>;

function isJson(answer: SubgraphAnswer): boolean {
  const type = answer.headers['content-type'];
  return (
    typeof type === 'string' &&
    (type.startsWith('application/json') || type.startsWith('application/graphql-response+json'))
  );
}

/** Apollo's parseCacheControlHeader: `max-age` and `public`/`private`, quotes removed. */
function cacheHint(header: string | string[] | undefined) {
  const directives: Record<string, string | true> = {};
  const value = Array.isArray(header) ? header.join(', ') : header;
  for (const part of value ? value.trim().split(/\s*,\s*/) : []) {
    const [name, argument] = part.split(/\s*=\s*/, 2) as [string, string | undefined];
    directives[name] = argument === undefined ? true : argument.replace(/^"|"$/g, '');
  }
  const maxAge = directives['max-age'];
  return {
    maxAge: typeof maxAge === 'string' && /^[0-9]+$/.test(maxAge) ? Number(maxAge) : 0,
    ...(directives['private'] === true ? { scope: 'PRIVATE' as const } : {}),
    ...(directives['public'] === true ? { scope: 'PUBLIC' as const } : {}),
  };
}

export class SubgraphDataSource implements GraphQLDataSource<RouterContext> {
  /** `post` keeps connections alive and gives every call a deadline of `timeoutMs`. */
  constructor(
    private readonly serviceName: string,
    private readonly url: string,
    private readonly routerSecret: string,
    private readonly timeoutMs: number,
    private readonly post: SubgraphPost,
  ) {}

  async process(options: ProcessOptions): Promise<SubgraphResponse> {
    const { request } = options;
    if (!request.query) throw new Error('Missing query');
    const { http, query, ...rest } = request;
    // The caller's connection closing aborts the call, and so the subgraph's work.
    const signal = (options.context as Partial<RouterContext>).signal;
    const answer = await this.send(
      this.headers(options, http?.headers),
      { query, ...rest },
      signal,
    );
    let body: unknown;
    try {
      body = isJson(answer) ? JSON.parse(answer.body) : answer.body;
    } catch (error) {
      throw this.unavailable(error);
    }
    if (answer.status < 200 || answer.status > 299) throw this.httpError(answer, body);
    if (typeof body !== 'object' || body === null) {
      throw this.unavailable(new Error(`Expected JSON response body, but received: ${body}`));
    }
    if ('incomingRequestContext' in options) {
      const policy = options.incomingRequestContext.overallCachePolicy;
      if (policy && 'restrict' in policy)
        policy.restrict(cacheHint(answer.headers['cache-control']));
    }
    return body as SubgraphResponse;
  }

  private headers(
    options: ProcessOptions,
    extra: Iterable<[string, string]> | undefined,
  ): Record<string, string> {
    const headers: Record<string, string> = {};
    for (const [name, value] of extra ?? []) headers[name.toLowerCase()] = value;
    headers['content-type'] = 'application/json';
    headers[ROUTER_SECRET_HEADER] = this.routerSecret;
    // The gateway's fetch span becomes the parent of the subgraph's request span.
    injectTraceContext(headers);
    // Health checks and schema loads run without a request context.
    const context = options.context as Partial<RouterContext>;
    if (!('incomingRequestContext' in options) || !context.requestId) return headers;
    headers[REQUEST_ID_HEADER] = context.requestId;
    // Already scoped to the caller by the router (http/idempotencyKey.ts), never the client's own.
    if (context.idempotencyKey) headers[IDEMPOTENCY_KEY_HEADER] = context.idempotencyKey;
    headers[CLIENT_ADDRESS_HEADER] = context.clientAddress ?? '';
    if (context.caller) {
      headers[USER_ID_HEADER] = context.caller.id;
      headers[USERNAME_HEADER] = encodeURIComponent(context.caller.username);
      if (context.caller.sessionStartedAt !== undefined)
        headers[SESSION_STARTED_HEADER] = String(context.caller.sessionStartedAt);
      if (context.caller.token)
        headers[TOKEN_HEADER] = `${context.caller.token.id} ${context.caller.token.expiresAt}`;
      if (context.caller.sessionId) headers[SESSION_ID_HEADER] = context.caller.sessionId;
    }
    return headers;
  }

  private async send(
    headers: Record<string, string>,
    body: object,
    signal: AbortSignal | undefined,
  ): Promise<SubgraphAnswer> {
    try {
      return await this.post(headers, JSON.stringify(body), signal ? { signal } : {});
    } catch (error) {
      if (error instanceof GraphQLError) throw error; // SERVICE_UNAVAILABLE, before any call
      throw this.unavailable(error);
    }
  }

  /** A call that got no usable answer: named after the subgraph, and why. */
  private unavailable(error: unknown): GraphQLError {
    // Aborted because the caller went away: nobody reads the answer, and nothing failed.
    if (error instanceof CallerGoneError) return cancelled();
    return subgraphUnavailable(this.serviceName, whyUnreachable(error, this.timeoutMs));
  }

  /** What Apollo's errorFromResponse makes of an HTTP error status. */
  private httpError(answer: SubgraphAnswer, body: unknown): GraphQLError {
    const statusText = STATUS_CODES[answer.status] ?? '';
    const code =
      answer.status === 401
        ? ErrorCode.Unauthenticated
        : answer.status === 403
          ? ErrorCode.Forbidden
          : undefined;
    return new GraphQLError(`${answer.status}: ${statusText}`, {
      extensions: {
        response: { url: this.url, status: answer.status, statusText, body },
        ...(code ? { code } : {}),
      },
    });
  }
}
