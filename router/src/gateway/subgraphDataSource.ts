/**
 * How the router talks to a subgraph. Nothing the client sent is forwarded as a header: each
 * request carries only what the router itself vouches for (the verified user, the client's
 * address, the request id) and the shared secret that makes subgraphs trust it.
 */
import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { GraphQLError } from 'graphql';
import {
  CLIENT_ADDRESS_HEADER,
  REQUEST_ID_HEADER,
  ROUTER_SECRET_HEADER,
  USER_ID_HEADER,
  USERNAME_HEADER,
} from '@microservice-math/shared/routerContext';
import type { RouterContext } from '../context.js';
import { subgraphUnavailable, whyUnreachable } from './subgraphFailure.js';
import type { Fetcher } from './subgraphFetcher.js';

export class SubgraphDataSource extends RemoteGraphQLDataSource<RouterContext> {
  /** `fetcher` keeps connections alive and gives every call a deadline of `timeoutMs`. */
  constructor(
    private readonly serviceName: string,
    url: string,
    private readonly routerSecret: string,
    private readonly timeoutMs: number,
    fetcher: Fetcher,
  ) {
    super({ url, fetcher });
  }

  /**
   * The gateway passes a failed call on as it was thrown (a refused connection, a deadline; no
   * subgraph named); answers the subgraph did give (HTTP errors) are GraphQLErrors already.
   */
  override didEncounterError(error: Error): void {
    if (error instanceof GraphQLError) throw error;
    throw subgraphUnavailable(this.serviceName, whyUnreachable(error, this.timeoutMs));
  }

  override willSendRequest({
    request,
    context,
  }: GraphQLDataSourceProcessOptions<RouterContext>): void {
    const headers = request.http?.headers;
    if (!headers) return;
    headers.set(ROUTER_SECRET_HEADER, this.routerSecret);
    // Health checks and schema loads run without a request context.
    if (!('requestId' in context)) return;
    headers.set(REQUEST_ID_HEADER, context.requestId);
    headers.set(CLIENT_ADDRESS_HEADER, context.clientAddress);
    if (context.caller) {
      headers.set(USER_ID_HEADER, context.caller.id);
      headers.set(USERNAME_HEADER, encodeURIComponent(context.caller.username));
    }
  }
}
