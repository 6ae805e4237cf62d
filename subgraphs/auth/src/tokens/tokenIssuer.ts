import { randomUUID } from 'node:crypto';
import {
  SESSION_STARTED_CLAIM,
  TOKEN_ALGORITHM,
  TOKEN_AUDIENCE,
  TOKEN_ISSUER,
} from '@microservice-math/shared/tokenClaims';
import { SignJWT } from 'jose';
import type { SigningKeys } from './signingKeys.js';

export interface IssuedToken {
  token: string;
  expiresAt: Date;
}

/**
 * Signs a token for `user`. A sign-in starts a session; a renewal passes the session's start on
 * (`auth_time`), and no token of a session expires after the session's maximum age.
 */
export type TokenIssuer = (
  user: { id: string; username: string },
  sessionStartedAt?: number,
) => Promise<IssuedToken>;

export interface TokenLifetimes {
  ttlSeconds: number;
  maxSessionSeconds: number;
}

export function createTokenIssuer(
  keys: SigningKeys,
  { ttlSeconds, maxSessionSeconds }: TokenLifetimes,
): TokenIssuer {
  return async (user, sessionStartedAt) => {
    const issuedAt = Math.floor(Date.now() / 1000);
    const sessionStart = sessionStartedAt ?? issuedAt;
    const expiresAt = Math.min(issuedAt + ttlSeconds, sessionStart + maxSessionSeconds);
    const token = await new SignJWT({
      username: user.username,
      [SESSION_STARTED_CLAIM]: sessionStart,
    })
      .setProtectedHeader({ alg: TOKEN_ALGORITHM, kid: keys.kid, typ: 'JWT' })
      .setSubject(user.id)
      .setIssuer(TOKEN_ISSUER)
      .setAudience(TOKEN_AUDIENCE)
      // Each token its own id: what a revocation list would name.
      .setJti(randomUUID())
      .setIssuedAt(issuedAt)
      .setExpirationTime(expiresAt)
      .sign(keys.privateKey);
    return { token, expiresAt: new Date(expiresAt * 1000) };
  };
}
