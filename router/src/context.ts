import { randomUUID } from 'node:crypto';
import type { Logger } from '@microservice-math/shared/logger';
import type { Caller } from '@microservice-math/shared/routerContext';
import type { RequestBase } from '@microservice-math/shared/serviceHost';

export interface RouterContext extends RequestBase {
  /** The verified caller; null for an anonymous request. */
  caller: Caller | null;
  clientAddress: string;
}

/**
 * The context of a signed-in streaming connection (graphql-ws) or request (graphql-sse): a
 * request id of its own, which its log lines and subgraph calls carry.
 */
export function streamingContext(
  caller: Caller,
  clientAddress: string | undefined,
  logger: Logger,
): RouterContext {
  const requestId = randomUUID();
  return {
    caller,
    clientAddress: clientAddress ?? 'unknown',
    requestId,
    logger: logger.child({ requestId }),
  };
}

/**
 * A query run on a streaming connection: a request id of its own, since subgraphs take it as an
 * idempotency key (math logs a calculation once per request id and field), and two queries on
 * one socket are two requests. Its log lines carry both ids.
 */
export function operationContext(connection: RouterContext): RouterContext {
  const requestId = randomUUID();
  return {
    ...connection,
    requestId,
    logger: connection.logger.child({ operationRequestId: requestId }),
  };
}
