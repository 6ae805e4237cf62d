/**
 * The client's `Idempotency-Key` header (packages/shared/src/idempotencyKey.ts), checked and
 * scoped to the caller before it goes to math.
 *
 * A key is the client's own choice, so it is hostile input: bounded in length and characters,
 * and a malformed one refuses the whole request (HTTP 400, `BAD_USER_INPUT` naming the header)
 * rather than being dropped, since a client that sent one relies on it.
 *
 * What math receives is never the client's string but SHA-256 of the verified user id and the
 * key: one user cannot reach, by choosing a key, a row of another's (their digests differ
 * whatever they send), nor learn anything from it. An anonymous caller has nothing the key
 * could be scoped to that another caller could not claim as well (a client address is shared
 * behind NAT and proxies and is not secret; the key alone is whatever anyone sends), and math
 * answers anonymous callers no calculation anyway, so their key is checked and then ignored.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { badUserInput } from '@microservice-math/shared/errors';
import {
  IDEMPOTENCY_KEY_HEADER_NAME,
  IDEMPOTENCY_KEY_RULE,
  parseIdempotencyKey,
} from '@microservice-math/shared/idempotencyKey';
import type { Caller } from '@microservice-math/shared/routerContext';
import type { GraphQLError } from 'graphql';
import { withHttpStatus } from './httpStatus.js';

const HEADER = IDEMPOTENCY_KEY_HEADER_NAME.toLowerCase();

/** BAD_USER_INPUT as Apollo Server answers an error of the request's context: HTTP 400. */
function malformed(): GraphQLError {
  return withHttpStatus(badUserInput(IDEMPOTENCY_KEY_HEADER_NAME, IDEMPOTENCY_KEY_RULE), 400);
}

/** The caller-scoped key: base64url SHA-256 of the user id and the client's key (43 characters). */
export function scopedIdempotencyKey(userId: string, key: string): string {
  // NUL separates the parts: neither a user id nor a valid key contains one.
  return createHash('sha256').update(`idempotency-key\0${userId}\0${key}`).digest('base64url');
}

/**
 * The key to forward to math for this request: undefined without a header or without a caller;
 * throws BAD_USER_INPUT for a malformed header (also when several were sent: Node joins them).
 */
export function idempotencyKeyOf(req: IncomingMessage, caller: Caller | null): string | undefined {
  const value = req.headers[HEADER];
  if (value === undefined) return undefined;
  const key = typeof value === 'string' ? parseIdempotencyKey(value) : undefined;
  if (key === undefined) throw malformed();
  return caller ? scopedIdempotencyKey(caller.id, key) : undefined;
}
