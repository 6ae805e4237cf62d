/**
 * Every `extensions.code` our services answer with, in one list that the server packages and
 * the web client share (this module imports nothing, so the client bundles it as it is).
 * errors.ts builds every error from it; nothing else spells a code.
 */

/** The contract's codes (CONTRACT.md, "Error codes"). */
export const ErrorCode = {
  BadUserInput: 'BAD_USER_INPUT',
  ResultTooLarge: 'RESULT_TOO_LARGE',
  ComputationTimeout: 'COMPUTATION_TIMEOUT',
  Cancelled: 'CANCELLED',
  CostLimitExceeded: 'COST_LIMIT_EXCEEDED',
  ServiceUnavailable: 'SERVICE_UNAVAILABLE',
  Unauthenticated: 'UNAUTHENTICATED',
  Forbidden: 'FORBIDDEN',
  UsernameTaken: 'USERNAME_TAKEN',
  RateLimited: 'RATE_LIMITED',
  Internal: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Codes Apollo Server and our HTTP layer answer for requests that cannot run at all. */
export const RequestErrorCode = {
  ParseFailed: 'GRAPHQL_PARSE_FAILED',
  ValidationFailed: 'GRAPHQL_VALIDATION_FAILED',
  BadRequest: 'BAD_REQUEST',
  PersistedQueryNotFound: 'PERSISTED_QUERY_NOT_FOUND',
  PersistedQueryNotSupported: 'PERSISTED_QUERY_NOT_SUPPORTED',
  OperationResolutionFailure: 'OPERATION_RESOLUTION_FAILURE',
} as const;
export type RequestErrorCode = (typeof RequestErrorCode)[keyof typeof RequestErrorCode];

/**
 * The codes that describe the client's request rather than a fault of ours: errors carrying one
 * are the client's to read, everything else is logged and, in production, masked.
 */
export const CLIENT_ERROR_CODES: ReadonlySet<string> = new Set<string>([
  ...Object.values(ErrorCode).filter((code) => code !== ErrorCode.Internal),
  ...Object.values(RequestErrorCode),
]);

/**
 * Whether an error's `extensions` carry one of CLIENT_ERROR_CODES: HTTP's rule (serviceHost.ts),
 * the streams' (the router's subscriptions) and a refused token's close reason all ask this.
 */
export function hasClientCode(extensions: Readonly<Record<string, unknown>> | undefined): boolean {
  const code = extensions?.['code'];
  return typeof code === 'string' && CLIENT_ERROR_CODES.has(code);
}
