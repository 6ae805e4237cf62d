import {
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

export type TokenIssuer = (user: { id: string; username: string }) => Promise<IssuedToken>;

export function createTokenIssuer(keys: SigningKeys, ttlSeconds: number): TokenIssuer {
  return async (user) => {
    const issuedAt = Math.floor(Date.now() / 1000);
    const expiresAt = issuedAt + ttlSeconds;
    const token = await new SignJWT({ username: user.username })
      .setProtectedHeader({ alg: TOKEN_ALGORITHM, kid: keys.kid, typ: 'JWT' })
      .setSubject(user.id)
      .setIssuer(TOKEN_ISSUER)
      .setAudience(TOKEN_AUDIENCE)
      .setIssuedAt(issuedAt)
      .setExpirationTime(expiresAt)
      .sign(keys.privateKey);
    return { token, expiresAt: new Date(expiresAt * 1000) };
  };
}
