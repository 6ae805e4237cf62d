/**
 * The contract's error codes (`extensions.code`), one constructor each, so every package throws
 * the same shape and a typo in a code is a type error.
 */
import { GraphQLError } from 'graphql';

export const ErrorCode = {
  BadUserInput: 'BAD_USER_INPUT',
  ResultTooLarge: 'RESULT_TOO_LARGE',
  ComputationTimeout: 'COMPUTATION_TIMEOUT',
  Unauthenticated: 'UNAUTHENTICATED',
  Forbidden: 'FORBIDDEN',
  UsernameTaken: 'USERNAME_TAKEN',
  RateLimited: 'RATE_LIMITED',
  CostLimitExceeded: 'COST_LIMIT_EXCEEDED',
  Internal: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export function badUserInput(argument: string, rule: string): GraphQLError {
  return new GraphQLError(`${argument}: ${rule}`, {
    extensions: { code: ErrorCode.BadUserInput, argument },
  });
}

export function unauthenticated(message = 'You must be signed in'): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.Unauthenticated } });
}

export function rateLimited(
  retryAfterSeconds: number,
  message = `Too many attempts; try again in ${retryAfterSeconds} s`,
): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code: ErrorCode.RateLimited, retryAfterSeconds },
  });
}

/** The operation asks for more than the router serves at once (list sizes included). */
export function costLimitExceeded(cost: number, maxCost: number): GraphQLError {
  return new GraphQLError(
    `The operation costs ${cost}, over the limit of ${maxCost}: ask for fewer or smaller lists`,
    { extensions: { code: ErrorCode.CostLimitExceeded, cost, maxCost } },
  );
}

export function codeOf(error: unknown): string | undefined {
  if (error instanceof GraphQLError) {
    const code = error.extensions['code'];
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}
