/**
 * Apollo Server answers an error with the HTTP status (and headers) in its `extensions.http`.
 * The router's refusals before execution (a refused token, a malformed header, a rate limit, an
 * operation it will not run) are coded errors from the shared constructors with that one
 * extension added here.
 */
import { HeaderMap } from '@apollo/server';
import { rateLimited, tooManyRequestsMessage } from '@microservice-math/shared/errors';
import { type GraphQLErrorOptions, GraphQLError } from 'graphql';

/** `error` answered as HTTP `status`, with `headers` when given; its code and message unchanged. */
export function withHttpStatus(
  error: GraphQLError,
  status: number,
  headers: Record<string, string> = {},
): GraphQLError {
  const http = { status, headers: new HeaderMap(Object.entries(headers)) };
  // Apollo reads `http.headers` as its HeaderMap; @graphql-tools (a bench-only dependency) declares
  // the same extension as a plain record, so the literal is typed as what Apollo expects.
  const extensions = { ...error.extensions, http } as unknown as GraphQLErrorOptions['extensions'];
  return new GraphQLError(error.message, { extensions });
}

/** RATE_LIMITED as HTTP 429 with Retry-After; by default for too many requests. */
export function tooManyRequests(retryAfterSeconds: number, message?: string): GraphQLError {
  return withHttpStatus(
    rateLimited(retryAfterSeconds, message ?? tooManyRequestsMessage(retryAfterSeconds)),
    429,
    {
      'retry-after': String(retryAfterSeconds),
    },
  );
}
