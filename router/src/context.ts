import { randomUUID } from 'node:crypto';
import type { GraphQLError } from 'graphql';
import type { Logger } from '@microservice-math/shared/logger';
import type { Caller } from '@microservice-math/shared/routerContext';
import type { RequestBase } from '@microservice-math/shared/serviceHost';
import type { CostedContext } from './gateway/demandControl.js';

/** How a request reached the router. */
export type Transport = 'http' | 'websocket' | 'sse';

export interface RouterContext extends RequestBase, CostedContext {
  /**
   * How the request came: a query sent over graphql-ws or graphql-sse runs through Apollo
   * Server's plugins as an HTTP one does, and a refusal there names its real transport.
   */
  transport: Transport;
  /** The verified caller; null for an anonymous request. */
  caller: Caller | null;
  /**
   * Over HTTP, the 401 a refused token (expired, revoked, invalid, or a malformed Authorization
   * header) is answered with, once the operation turns out to need a caller
   * (auth/refusedToken.ts); until then, and for an operation that needs none, the request is
   * anonymous.
   */
  refusedToken?: GraphQLError;
  clientAddress: string;
  /**
   * The client's `Idempotency-Key` scoped to the caller (http/idempotencyKey.ts), forwarded to
   * math; absent when the client sent none, for anonymous callers, and on streaming transports.
   */
  idempotencyKey?: string;
}

/**
 * The context of one signed-in streaming operation (graphql-ws) or request (graphql-sse): a
 * request id of its own, which its log lines and subgraph calls carry (math logs a calculation
 * once per request id and field, so two operations on one socket must not share one), and the
 * signal that aborts its subgraph calls when its client cancels it or goes away.
 */
export function streamingContext(
  transport: Exclude<Transport, 'http'>,
  caller: Caller,
  clientAddress: string | undefined,
  logger: Logger,
  signal?: AbortSignal,
): RouterContext {
  const requestId = randomUUID();
  return {
    transport,
    caller,
    clientAddress: clientAddress ?? 'unknown',
    requestId,
    logger: logger.child({ requestId }),
    ...(signal ? { signal } : {}),
  };
}
