/**
 * Refusals an operator should be able to find after an attack: bearer tokens refused (forged,
 * garbage, expired, revoked, a malformed Authorization header) and requests refused by the
 * router's limits. A refusal by a limit is also counted, by limit and transport, in
 * `router_rate_limited_total`: every limit reports here, once, so the log and the count agree.
 * Each kind is one warning at most every 5 s (throttledWarning), counting those
 * since its last line, with the latest one's fields: an attacker cannot flood the log. One
 * instance per router, shared by HTTP, graphql-ws and graphql-sse, so the counts are the
 * router's. A token is never logged, nor any part of it: only why it was refused.
 */
import { throttledWarning, type Logger } from '@microservice-math/shared/logger';
import type { Counter } from '@microservice-math/shared/metrics';
import { tokenRefusalReason } from './auth/tokenVerifier.js';
import type { Transport } from './context.js';

/** The limit that refused a request. */
export type RateLimitName =
  | 'requests per minute'
  | 'costly operations at once'
  | 'sockets per user'
  | 'waiting sockets per address'
  | 'operations per socket'
  | 'streams per user'
  | 'live demand per user';

export interface SecurityLog {
  /** A token refused for `error` (what the verifier or `bearerToken` threw); a fault of ours is not one. */
  refusedToken(error: unknown, where: { transport: Transport; clientAddress: string }): void;
  /** A refusal by one of the router's limits: counted, and logged (throttled). */
  rateLimited(refusal: RateLimitRefusal): void;
}

/** A type, not an interface, so that it is a `Record<string, unknown>` the log line takes as it is. */
export type RateLimitRefusal = {
  limit: RateLimitName;
  transport: Transport;
  clientAddress: string;
  userId?: string | undefined;
};

/** Where a refused request came from, as its context tells it (no caller: anonymous). */
export interface RefusedRequest {
  transport: Transport;
  clientAddress: string;
  caller?: { id: string } | null | undefined;
}

/** The refusal by `limit` of `request`, for SecurityLog.rateLimited. */
export function rateLimitRefusal(
  limit: RateLimitName,
  { transport, clientAddress, caller }: RefusedRequest,
): RateLimitRefusal {
  return { limit, transport, clientAddress, userId: caller?.id };
}

export interface SecurityLogOptions {
  /** At most one line of each kind this often (throttledWarning's 5 s unless given). */
  everyMs?: number | undefined;
  /** Where refusals by a limit are counted (RouterMetrics.rateLimited); uncounted without one. */
  rateLimited?: Counter<'transport' | 'limit'> | undefined;
}

export function createSecurityLog(
  logger: Logger,
  { everyMs, rateLimited: counter }: SecurityLogOptions = {},
): SecurityLog {
  const throttle = { countAs: 'refused', everyMs };
  const refusedTokens = throttledWarning(logger, 'refused bearer tokens', throttle);
  const rateLimited = throttledWarning(logger, 'requests refused by rate limits', throttle);
  return {
    refusedToken(error, { transport, clientAddress }) {
      const reason = tokenRefusalReason(error);
      if (reason) refusedTokens({ reason, transport, clientAddress });
    },
    rateLimited(refusal) {
      counter?.inc({ transport: refusal.transport, limit: refusal.limit });
      // An anonymous caller's undefined userId is left out of the JSON line.
      rateLimited(refusal);
    },
  };
}
