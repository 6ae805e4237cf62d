/**
 * Verifies bearer tokens against auth's published keys. The router can check tokens but never
 * mint them. Keys are cached and refetched when a token names a key id we have not seen (after
 * a rotation); only EdDSA is accepted, and issuer, audience and expiry are all checked.
 *
 * A token that verified is remembered (bounded, least recently used first out) with the key
 * that verified it, so a client's next requests skip the signature check, which is most of what
 * verifying costs. A remembered token is accepted only while all of these hold, so it is
 * accepted exactly when verifying it again would accept it:
 * - it has not expired (the same check jose makes; the entry also leaves the cache at `exp`);
 * - the key set answers the token's header with the very key object that verified it. Asking
 *   is what a full verification does first: a stale key set is refetched, and a refetched set
 *   (a key rotated out or replaced) yields new key objects, so the token is verified in full
 *   again and refused if its key is gone.
 * Failures are never remembered: a refused token is checked in full every time.
 */
import type { IncomingMessage } from 'node:http';
import type { Caller } from '@microservice-math/shared/routerContext';
import { unauthenticated } from '@microservice-math/shared/errors';
import {
  TOKEN_ALGORITHM,
  TOKEN_AUDIENCE,
  TOKEN_ISSUER,
  SESSION_STARTED_CLAIM,
  SESSION_ID_CLAIM,
} from '@microservice-math/shared/tokenClaims';
import { revocationIds, TOKEN_REVOKED_MESSAGE } from '@microservice-math/shared/tokenRevocations';
import {
  createRemoteJWKSet,
  errors,
  jwtVerify,
  type CryptoKey,
  type JWTHeaderParameters,
} from 'jose';
import { GraphQLError } from 'graphql';
import { LRUCache } from 'lru-cache';

export type TokenVerifier = (token: string) => Promise<Caller>;

export interface TokenVerifierOptions {
  /** Most verified tokens remembered at once; 0 verifies every token in full. */
  cacheSize?: number;
  /**
   * Whether any of a token's revocation ids (its `jti`, its session's `sid`) was revoked
   * (logout); checked on every use, remembered or not.
   */
  isRevoked?: (ids: readonly string[]) => Promise<boolean>;
}

interface Verified {
  caller: Caller;
  /** The token's `exp`, in seconds since the epoch. */
  exp: number;
  header: JWTHeaderParameters;
  key: CryptoKey;
}

const DEFAULT_CACHE_SIZE = 10_000;

/** What jose compares `exp` with: whole seconds, no clock tolerance. */
const epochSeconds = () => Math.floor(Date.now() / 1000);

/** JWS compact serialisation: three segments of unpadded base64url (RFC 7515, section 7.1). */
const JWS_COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export type TokenRefusalReason = 'invalid' | 'expired' | 'revoked' | 'malformed header';

/** What the client is told for each reason. */
const MESSAGES: Readonly<Record<TokenRefusalReason, string>> = {
  invalid: 'Invalid token',
  expired: 'Token expired; sign in again',
  revoked: TOKEN_REVOKED_MESSAGE,
  'malformed header': 'Malformed Authorization header: expected "Bearer TOKEN"',
};

/**
 * The reason of each refusal made here, beside the error rather than on it: nothing of it can
 * reach the client with the error, which is the bare `unauthenticated` one.
 */
const reasons = new WeakMap<GraphQLError, TokenRefusalReason>();

/** The UNAUTHENTICATED error refusing a token for `reason`, which tokenRefusalReason tells. */
function tokenRefused(reason: TokenRefusalReason): GraphQLError {
  const error = unauthenticated(MESSAGES[reason]);
  reasons.set(error, reason);
  return error;
}

/**
 * Why a token was refused, from what a verifier or `bearerToken` threw; undefined for anything
 * else (a fault of ours, such as revocations out of reach).
 */
export function tokenRefusalReason(error: unknown): TokenRefusalReason | undefined {
  return error instanceof GraphQLError ? reasons.get(error) : undefined;
}

export function createTokenVerifier(
  jwksUrl: string,
  { cacheSize = DEFAULT_CACHE_SIZE, isRevoked }: TokenVerifierOptions = {},
): TokenVerifier {
  const keys = createRemoteJWKSet(new URL(jwksUrl), {
    cooldownDuration: 30_000,
    cacheMaxAge: 10 * 60_000,
  });
  const verified = cacheSize > 0 ? new LRUCache<string, Verified>({ max: cacheSize }) : undefined;

  async function verifyInFull(token: string): Promise<Verified> {
    let key: CryptoKey | undefined;
    const { payload, protectedHeader } = await jwtVerify(
      token,
      async (header, jws) => (key = await keys(header, jws)),
      {
        algorithms: [TOKEN_ALGORITHM],
        issuer: TOKEN_ISSUER,
        audience: TOKEN_AUDIENCE,
        requiredClaims: ['sub', 'exp', 'iat'],
      },
    );
    if (typeof payload.sub !== 'string' || typeof payload['username'] !== 'string') {
      throw tokenRefused('invalid');
    }
    const sessionStartedAt = payload[SESSION_STARTED_CLAIM];
    const tokenId = payload.jti;
    const sessionId = payload[SESSION_ID_CLAIM];
    return {
      caller: Object.freeze({
        id: payload.sub,
        username: payload['username'],
        ...(typeof sessionStartedAt === 'number' ? { sessionStartedAt } : {}),
        ...(typeof tokenId === 'string'
          ? { token: { id: tokenId, expiresAt: payload.exp as number } }
          : {}),
        ...(typeof sessionId === 'string' && sessionId !== '' ? { sessionId } : {}),
      }),
      exp: payload.exp as number,
      header: protectedHeader,
      key: key as CryptoKey,
    };
  }

  async function notRevoked(caller: Caller): Promise<Caller> {
    const ids = revocationIds(caller);
    if (ids.length > 0 && (await isRevoked?.(ids))) throw tokenRefused('revoked');
    return caller;
  }

  return async (token) => {
    // jose decodes a segment with base64 padding appended as without: one token, many spellings.
    if (!JWS_COMPACT.test(token)) throw tokenRefused('invalid');
    try {
      const remembered = verified?.get(token);
      if (remembered) {
        if (remembered.exp > epochSeconds() && (await keys(remembered.header)) === remembered.key)
          return await notRevoked(remembered.caller);
        verified?.delete(token);
      }
      const result = await verifyInFull(token);
      verified?.set(token, result, { ttl: result.exp * 1000 - Date.now() });
      return await notRevoked(result.caller);
    } catch (error) {
      if (error instanceof errors.JWTExpired) throw tokenRefused('expired');
      if (error instanceof errors.JOSEError || error instanceof TypeError)
        throw tokenRefused('invalid');
      throw error;
    }
  };
}

/**
 * The token of an `Authorization: Bearer …` value; undefined when absent, an error when
 * malformed. The scheme is case-insensitive and followed by one or more spaces (RFC 7235's
 * `auth-scheme 1*SP token68`, which RFC 6750 uses).
 */
export function bearerToken(authorization: unknown): string | undefined {
  if (authorization === undefined || authorization === null || authorization === '')
    return undefined;
  const match =
    typeof authorization === 'string'
      ? /^Bearer +([A-Za-z0-9._~+/-]+=*)$/i.exec(authorization.trim())
      : null;
  if (!match?.[1]) throw tokenRefused('malformed header');
  return match[1];
}

/**
 * The `WWW-Authenticate` challenge a 401 carries (RFC 6750, section 3): the scheme alone when no
 * token was sent, `invalid_request` for a header that is not one Bearer token, `invalid_token`
 * for a token that was refused.
 */
export function bearerChallenge(authorization: unknown): string {
  try {
    if (bearerToken(authorization) === undefined) return 'Bearer';
  } catch {
    return 'Bearer error="invalid_request"';
  }
  return 'Bearer error="invalid_token"';
}

/**
 * A request's `Authorization` header, or every one it sent when they differ, which bearerToken
 * refuses as malformed (401 `invalid_request`): Node keeps only the first of several, and a proxy
 * in front that reads another would disagree with the router about who the caller is. As for
 * connectionParams below, copies of one value are that value.
 */
export function authorizationHeader(req: IncomingMessage): unknown {
  const sent = req.headersDistinct['authorization'];
  return sent && new Set(sent).size > 1 ? sent : req.headers.authorization;
}

/**
 * graphql-ws's `connectionParams.authorization`, whatever the case of its name (`Authorization`,
 * as the HTTP header is usually written, included): header names are case-insensitive, and
 * clients copy them into connectionParams as they write them. Two spellings with different
 * values are malformed.
 */
export function connectionAuthorization(
  params: Readonly<Record<string, unknown>> | undefined | null,
): unknown {
  let found: unknown;
  for (const [name, value] of Object.entries(params ?? {})) {
    if (name.toLowerCase() !== 'authorization' || value === undefined) continue;
    if (found !== undefined && found !== value) return { ambiguous: true };
    found = value;
  }
  return found;
}
