/**
 * How the router tells a subgraph who the caller is. Subgraphs trust these headers only when the
 * request also carries the router's shared secret, so nobody can forge a user by calling a
 * subgraph directly.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { forbidden } from './errors.js';

export const ROUTER_SECRET_HEADER = 'x-router-secret';
export const USER_ID_HEADER = 'x-user-id';
export const USERNAME_HEADER = 'x-user-name';
export const REQUEST_ID_HEADER = 'x-request-id';
/** The end client's address as the router saw it; auth counts login attempts per client. */
export const CLIENT_ADDRESS_HEADER = 'x-client-address';
/** The caller's session start (seconds since the epoch), for auth's renewToken. */
export const SESSION_STARTED_HEADER = 'x-session-started-at';
/** The caller's token id and expiry (`jti exp`), for auth's logout. */
export const TOKEN_HEADER = 'x-token';
/** The caller's session id (its token's `sid`), for auth's renewToken and logout. */
export const SESSION_ID_HEADER = 'x-session-id';
/**
 * The client's `Idempotency-Key`, scoped to the caller by the router (router/src/http/
 * idempotencyKey.ts): a SHA-256 digest, base64url, never the client's own string. Math makes it
 * part of the log's unique key, so the attempts of one calculation sent through different
 * routers (each with its own request id) are logged once.
 */
export const IDEMPOTENCY_KEY_HEADER = 'x-idempotency-key';
/**
 * Set by a subgraph on an answer in which it refused work because it is shutting down (math: a
 * calculation whose computation its shutdown stopped, or never started), and only when sending
 * the whole request again, to another instance, is harmless. The router then does so once
 * (router/src/gateway/subgraphInstances.ts). Not set on any other answer: the router reads it
 * from the headers alone, never from the body.
 */
export const SHUTDOWN_REFUSAL_HEADER = 'x-shutdown-refusal';

export interface Caller {
  id: string;
  username: string;
  /** When the token's session began (its `auth_time`); absent in tokens without one. */
  sessionStartedAt?: number;
  /** The token's `jti` and `exp` (seconds); absent in tokens without an id. */
  token?: { id: string; expiresAt: number };
  /** The token's session id (`sid`); absent in tokens from before session ids. */
  sessionId?: string;
}

/** Compares secrets in time that does not depend on where they differ. */
export function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The caller the router vouches for, or null for an anonymous request; refuses anyone else. */
export function callerFromRouter(
  headers: IncomingHttpHeaders,
  routerSecret: string,
): Caller | null {
  const secret = header(headers, ROUTER_SECRET_HEADER);
  if (!secret || !sameSecret(secret, routerSecret)) {
    throw forbidden('This service only answers the router', { http: { status: 403 } });
  }
  const id = header(headers, USER_ID_HEADER);
  const username = header(headers, USERNAME_HEADER);
  if (!id || !username) return null;
  const sessionStartedAt = Number(header(headers, SESSION_STARTED_HEADER));
  const [tokenId, tokenExpiresAt] = (header(headers, TOKEN_HEADER) ?? '').split(' ');
  const sessionId = header(headers, SESSION_ID_HEADER);
  return {
    id,
    username: decodeURIComponent(username),
    ...(Number.isInteger(sessionStartedAt) ? { sessionStartedAt } : {}),
    ...(tokenId && Number.isInteger(Number(tokenExpiresAt))
      ? { token: { id: tokenId, expiresAt: Number(tokenExpiresAt) } }
      : {}),
    ...(sessionId ? { sessionId } : {}),
  };
}

/** Request ids are ours to mint or pass along; anything else a client sends is replaced. */
export function acceptableRequestId(value: string | undefined): string | undefined {
  return value && /^[A-Za-z0-9_-]{8,64}$/.test(value) ? value : undefined;
}

export function requestIdFrom(headers: IncomingHttpHeaders): string | undefined {
  return acceptableRequestId(header(headers, REQUEST_ID_HEADER));
}

/** The scoped idempotency key the router vouches for (only read after `callerFromRouter` accepted). */
export function idempotencyKeyFrom(headers: IncomingHttpHeaders): string | undefined {
  const value = header(headers, IDEMPOTENCY_KEY_HEADER);
  return value && /^[A-Za-z0-9_-]{43}$/.test(value) ? value : undefined;
}

/** The client address the router vouches for (only read after `callerFromRouter` accepted). */
export function clientAddressFrom(headers: IncomingHttpHeaders, fallback: string): string {
  return header(headers, CLIENT_ADDRESS_HEADER) ?? fallback;
}
