/** Tokens signed with auth's own development key, for tests that need a token auth would not issue now. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TOKEN_AUDIENCE, TOKEN_ISSUER } from '@microservice-math/shared/tokenClaims';
import { importPKCS8, SignJWT, type JWTPayload } from 'jose';

export interface TokenClaims extends JWTPayload {
  sub: string;
  username: string;
  iat: number;
  exp: number;
}

/** Signs `claims` as auth signs, with the key in `dataDir` and the key id of `sampleToken`. */
export async function signAsAuth(
  dataDir: string,
  sampleToken: string,
  claims: TokenClaims,
): Promise<string> {
  const pem = readFileSync(join(dataDir, 'auth-signing-key.pem'), 'utf8');
  const { kid } = JSON.parse(Buffer.from(sampleToken.split('.')[0]!, 'base64url').toString()) as {
    kid: string;
  };
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'EdDSA', kid })
    .setIssuer(TOKEN_ISSUER)
    .setAudience(TOKEN_AUDIENCE)
    .sign(await importPKCS8(pem, 'EdDSA'));
}
