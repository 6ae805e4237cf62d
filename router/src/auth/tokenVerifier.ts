/**
 * Verifies bearer tokens against auth's published keys. The router can check tokens but never
 * mint them. Keys are cached and refetched when a token names a key id we have not seen (after
 * a rotation); only EdDSA is accepted, and issuer, audience and expiry are all checked.
 */
import type { Caller } from '@microservice-math/shared/routerContext';
import { unauthenticated } from '@microservice-math/shared/errors';
import {
  TOKEN_ALGORITHM,
  TOKEN_AUDIENCE,
  TOKEN_ISSUER,
} from '@microservice-math/shared/tokenClaims';
import { createRemoteJWKSet, errors, jwtVerify } from 'jose';

export type TokenVerifier = (token: string) => Promise<Caller>;

export function createTokenVerifier(jwksUrl: string): TokenVerifier {
  const keys = createRemoteJWKSet(new URL(jwksUrl), {
    cooldownDuration: 30_000,
    cacheMaxAge: 10 * 60_000,
  });
  return async (token) => {
    try {
      const { payload } = await jwtVerify(token, keys, {
        algorithms: [TOKEN_ALGORITHM],
        issuer: TOKEN_ISSUER,
        audience: TOKEN_AUDIENCE,
        requiredClaims: ['sub', 'exp', 'iat'],
      });
      if (typeof payload.sub !== 'string' || typeof payload['username'] !== 'string') {
        throw unauthenticated('Invalid token');
      }
      return { id: payload.sub, username: payload['username'] };
    } catch (error) {
      if (error instanceof errors.JWTExpired) throw unauthenticated('Token expired; sign in again');
      if (error instanceof errors.JOSEError || error instanceof TypeError)
        throw unauthenticated('Invalid token');
      throw error;
    }
  };
}

/** The token of an `Authorization: Bearer …` value; undefined when absent, an error when malformed. */
export function bearerToken(authorization: unknown): string | undefined {
  if (authorization === undefined || authorization === null || authorization === '')
    return undefined;
  const match =
    typeof authorization === 'string'
      ? /^Bearer ([A-Za-z0-9._~+/-]+=*)$/i.exec(authorization.trim())
      : null;
  if (!match?.[1]) throw unauthenticated('Malformed Authorization header: expected "Bearer TOKEN"');
  return match[1];
}
