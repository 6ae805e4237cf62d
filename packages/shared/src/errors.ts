/**
 * Every GraphQL error with a contract code is built here, through `codedError`, from the one
 * list in errorCodes.ts; the named constructors below add each code's own extensions. A typo in
 * a code is a type error, and no other module spells one.
 */
import { GraphQLError, print, type GraphQLErrorOptions, type ValueNode } from 'graphql';
import { ErrorCode, type RequestErrorCode } from './errorCodes.js';

export { CLIENT_ERROR_CODES, ErrorCode, hasClientCode, RequestErrorCode } from './errorCodes.js';

/** The one constructor: a `GraphQLError` whose `extensions.code` is `code`. */
export function codedError(
  code: ErrorCode | RequestErrorCode,
  message: string,
  extensions: Record<string, unknown> = {},
  options: Omit<GraphQLErrorOptions, 'extensions'> = {},
): GraphQLError {
  return new GraphQLError(message, { ...options, extensions: { code, ...extensions } });
}

export function badUserInput(argument: string, rule: string): GraphQLError {
  return codedError(ErrorCode.BadUserInput, `${argument}: ${rule}`, { argument });
}

/**
 * A value a scalar cannot take, before any argument is known. Given the literal it was written
 * as, the error points at it and says what was found (cut short: it is the client's own text).
 */
export function badScalarInput(message: string, literal?: ValueNode): GraphQLError {
  if (!literal) return codedError(ErrorCode.BadUserInput, message);
  const found = print(literal);
  const shown = found.length > 40 ? `${found.slice(0, 40)}…` : found;
  return codedError(ErrorCode.BadUserInput, `${message}, found ${shown}`, {}, { nodes: literal });
}

export function unauthenticated(message = 'You must be signed in'): GraphQLError {
  return codedError(ErrorCode.Unauthenticated, message);
}

export function forbidden(message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return codedError(ErrorCode.Forbidden, message, extensions);
}

export function usernameTaken(): GraphQLError {
  return codedError(ErrorCode.UsernameTaken, 'username: is already taken', {
    argument: 'username',
  });
}

/** `message` says what was limited; by default attempts (of signing in). */
export function rateLimited(
  retryAfterSeconds: number,
  message = `Too many attempts; try again in ${retryAfterSeconds} s`,
): GraphQLError {
  return codedError(ErrorCode.RateLimited, message, { retryAfterSeconds });
}

/** The message of the router's per-client request limit (not a login lockout's). */
export function tooManyRequestsMessage(retryAfterSeconds: number): string {
  return `Too many requests; try again in ${retryAfterSeconds} s`;
}

export function resultTooLarge(
  message: string,
  sizes: { maxDigits: number; predictedDigits: number; predictedDigitsIsLowerBound?: true },
): GraphQLError {
  return codedError(ErrorCode.ResultTooLarge, message, sizes);
}

export function computationTimeout(message: string): GraphQLError {
  return codedError(ErrorCode.ComputationTimeout, message);
}

/** A fault of ours; `extensions` says where to look (a request id, the failing subgraph). */
export function internalError(message: string, extensions: Record<string, unknown> = {}) {
  return codedError(ErrorCode.Internal, message, extensions);
}

/**
 * A fault of ours as a client is told of it: nothing of the fault itself, only the request id
 * that finds its log line.
 */
export function maskedInternalError(requestId: string): GraphQLError {
  return internalError(`Internal server error (request id ${requestId})`, { requestId });
}

/** No instance could take the request, or the service is draining; nothing was done. */
export function serviceUnavailable(message: string, retryAfterSeconds: number): GraphQLError {
  return codedError(ErrorCode.ServiceUnavailable, message, { retryAfterSeconds });
}

/** The caller went away or cancelled; the work was stopped. */
export function cancelled(): GraphQLError {
  return codedError(ErrorCode.Cancelled, 'The request was cancelled');
}

/** The operation asks for more than the router serves at once (list sizes included). */
export function costLimitExceeded(cost: number, maxCost: number): GraphQLError {
  return codedError(
    ErrorCode.CostLimitExceeded,
    `The operation costs ${cost}, over the limit of ${maxCost}: ask for fewer or smaller lists`,
    { cost, maxCost },
  );
}

export function codeOf(error: unknown): string | undefined {
  if (error instanceof GraphQLError) {
    const code = error.extensions['code'];
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}
