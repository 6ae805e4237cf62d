/**
 * The context of a GraphQL request over HTTP: who the caller is (a refused token makes the
 * request anonymous, with the 401 kept for an operation that needs a caller: see
 * auth/refusedToken.ts; never a silently anonymous math request), whether this client may send another operation
 * now (HTTP 429 with Retry-After when not), and its `Idempotency-Key` (a malformed one is an
 * HTTP 400).
 *
 * Apollo Server answers an error thrown here directly, without its plugins, so the production
 * error masking of the service host never sees it: anything unexpected is logged and replaced
 * here, with the request id that finds the log line.
 */
import type { IncomingMessage } from 'node:http';
import { maskedInternalError } from '@microservice-math/shared/errors';
import type { Caller } from '@microservice-math/shared/routerContext';
import type { RequestBase } from '@microservice-math/shared/serviceHost';
import { GraphQLError } from 'graphql';
import {
  authorizationHeader,
  bearerChallenge,
  bearerToken,
  type TokenVerifier,
} from '../auth/tokenVerifier.js';
import type { RouterContext } from '../context.js';
import { rateLimitKey, type RequestRateLimit } from '../limits/requestRateLimit.js';
import { isSignOutOnly } from '../limits/signOutOnly.js';
import { rateLimitRefusal, type SecurityLog } from '../securityLog.js';
import type { ClientAddressOf } from './clientAddress.js';
import { tooManyRequests, withHttpStatus } from './httpStatus.js';
import { idempotencyKeyOf } from './idempotencyKey.js';

/** The verified caller, or none with the 401 a refused token is answered with where it matters. */
async function callerFrom(
  authorization: unknown,
  verifyToken: TokenVerifier,
  refused: (error: unknown) => void,
): Promise<{ caller: Caller | null; refusedToken?: GraphQLError }> {
  try {
    const token = bearerToken(authorization);
    return { caller: token ? await verifyToken(token) : null };
  } catch (error) {
    refused(error);
    if (error instanceof GraphQLError) {
      const refusedToken = withHttpStatus(error, 401, {
        'www-authenticate': bearerChallenge(authorization),
      });
      return { caller: null, refusedToken };
    }
    throw error;
  }
}

export interface HttpContextDeps {
  verifyToken: TokenVerifier;
  rateLimit: RequestRateLimit;
  clientAddressOf: ClientAddressOf;
  securityLog: SecurityLog;
}

export function httpContext({
  verifyToken,
  rateLimit,
  clientAddressOf,
  securityLog,
}: HttpContextDeps) {
  return async (req: IncomingMessage, base: RequestBase): Promise<RouterContext> => {
    try {
      const clientAddress = clientAddressOf(req);
      const { caller, refusedToken } = await callerFrom(
        authorizationHeader(req),
        verifyToken,
        (error) => securityLog.refusedToken(error, { transport: 'http', clientAddress }),
      );
      const verdict = await rateLimit.consume(rateLimitKey(caller, clientAddress));
      // A signed-in caller may always sign out (signOutOnly.ts says why).
      if (!verdict.allowed && !(caller && isSignOutOnly((req as { body?: unknown }).body))) {
        securityLog.rateLimited(
          rateLimitRefusal('requests per minute', { transport: 'http', clientAddress, caller }),
        );
        throw tooManyRequests(verdict.retryAfterSeconds);
      }
      const idempotencyKey = idempotencyKeyOf(req, caller);
      return {
        ...base,
        transport: 'http',
        caller,
        clientAddress,
        ...(refusedToken ? { refusedToken } : {}),
        ...(idempotencyKey ? { idempotencyKey } : {}),
      };
    } catch (error) {
      if (error instanceof GraphQLError) throw error;
      base.logger.error({ err: error }, 'unexpected error');
      throw maskedInternalError(base.requestId);
    }
  };
}
