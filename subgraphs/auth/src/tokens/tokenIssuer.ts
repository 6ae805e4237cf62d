import { randomUUID } from 'node:crypto';
import {
  SESSION_ID_CLAIM,
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

/** The session a renewal continues: when it began (`auth_time`) and its id (`sid`). */
export interface Session {
  startedAt: number;
  /** Absent for a token from before session ids: its renewal is given a session id of its own. */
  id?: string | undefined;
}

/**
 * Signs a token for `user`. A sign-in starts a session, with a random id; a renewal passes the
 * session on (`auth_time`, `sid`), so that a logout can end every token of it, and no token of
 * a session expires after the session's maximum age.
 */
export type TokenIssuer = (
  user: { id: string; username: string },
  session?: Session,
) => Promise<IssuedToken>;

export interface TokenLifetimes {
  ttlSeconds: number;
  maxSessionSeconds: number;
}

export function createTokenIssuer(
  keys: SigningKeys,
  { ttlSeconds, maxSessionSeconds }: TokenLifetimes,
): TokenIssuer {
  return async (user, session) => {
    const issuedAt = Math.floor(Date.now() / 1000);
    const sessionStart = session?.startedAt ?? issuedAt;
    const expiresAt = Math.min(issuedAt + ttlSeconds, sessionStart + maxSessionSeconds);
    const token = await new SignJWT({
      username: user.username,
      [SESSION_STARTED_CLAIM]: sessionStart,
      [SESSION_ID_CLAIM]: session?.id ?? randomUUID(),
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
