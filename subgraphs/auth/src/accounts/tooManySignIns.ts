/**
 * The refusal of a sign-in that could not be checked in time: the password threads' queue is
 * full, or the checks under way would not leave it time before its request's deadline. The
 * caller is still there, so it is told when to come back (RATE_LIMITED), not that it left.
 */
import { rateLimited } from '@microservice-math/shared/errors';
import type { GraphQLError } from 'graphql';

export function tooManySignIns(retryAfterSeconds: number): GraphQLError {
  return rateLimited(
    Math.max(1, retryAfterSeconds),
    'Too many sign-ins at once; try again shortly',
  );
}
