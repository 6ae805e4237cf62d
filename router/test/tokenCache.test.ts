/**
 * The token verifier remembers tokens it verified, and remembering must never accept a token
 * that verifying it again would refuse: not after it expires, not after its key left the key
 * set, and a refused token is never remembered. Each refusal tells the security log why, beside
 * the error the client gets, not in it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { unauthenticated } from '@microservice-math/shared/errors';
import { TOKEN_AUDIENCE, TOKEN_ISSUER } from '@microservice-math/shared/tokenClaims';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  bearerToken,
  createTokenVerifier,
  tokenRefusalReason,
  type TokenRefusalReason,
} from '../src/auth/tokenVerifier.js';

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  jwk: JWK;
}

async function signingKey(kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA');
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'EdDSA' } };
}

/** Auth's JWKS endpoint, serving whichever keys the test says. */
let published: SigningKey[] = [];
let jwksFetches = 0;
let server: Server;
let jwksUrl: string;
let keyA: SigningKey;
let keyB: SigningKey;

beforeAll(async () => {
  [keyA, keyB] = await Promise.all([signingKey('a'), signingKey('b')]);
  server = createServer((_req, res) => {
    jwksFetches++;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: published.map((k) => k.jwk) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

const nowSeconds = () => Math.floor(Date.now() / 1000);

function sign(key: SigningKey, sub: string, exp: number, username = `user-${sub}`, jti?: string) {
  return new SignJWT({ username, ...(jti ? { jti } : {}) })
    .setProtectedHeader({ alg: 'EdDSA', kid: key.kid })
    .setSubject(sub)
    .setIssuer(TOKEN_ISSUER)
    .setAudience(TOKEN_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(exp)
    .sign(key.privateKey);
}

/** Counts signature checks, the work the cache saves. */
function countSignatureChecks() {
  return vi.spyOn(globalThis.crypto.subtle, 'verify');
}

describe('remembered tokens', () => {
  it('checks a token’s signature once, then answers from memory', async () => {
    published = [keyA];
    const verify = createTokenVerifier(jwksUrl);
    const token = await sign(keyA, '1', nowSeconds() + 3600);
    const checks = countSignatureChecks();
    for (let i = 0; i < 5; i++)
      expect(await verify(token)).toEqual({ id: '1', username: 'user-1' });
    expect(checks).toHaveBeenCalledTimes(1);
  });

  it('with a cache size of 0 checks every time', async () => {
    published = [keyA];
    const verify = createTokenVerifier(jwksUrl, { cacheSize: 0 });
    const token = await sign(keyA, '1', nowSeconds() + 3600);
    const checks = countSignatureChecks();
    await verify(token);
    await verify(token);
    expect(checks).toHaveBeenCalledTimes(2);
  });

  it('refuses a remembered token once it has expired', async () => {
    published = [keyA];
    const verify = createTokenVerifier(jwksUrl);
    const exp = nowSeconds() + 30;
    const token = await sign(keyA, '2', exp);
    expect(await verify(token)).toEqual({ id: '2', username: 'user-2' });

    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime((exp - 1) * 1000);
    expect(await verify(token)).toEqual({ id: '2', username: 'user-2' });
    // jose's rule: expired when exp <= now, in whole seconds.
    vi.setSystemTime(exp * 1000);
    await expect(verify(token)).rejects.toMatchObject({
      message: 'Token expired; sign in again',
      extensions: { code: 'UNAUTHENTICATED' },
    });
    vi.setSystemTime((exp + 3600) * 1000);
    await expect(verify(token)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
  });

  it('refuses a remembered token once its key has left the refetched key set', async () => {
    published = [keyA, keyB];
    const verify = createTokenVerifier(jwksUrl);
    const byA = await sign(keyA, '3', nowSeconds() + 7200);
    const byB = await sign(keyB, '4', nowSeconds() + 7200);
    await verify(byA);
    await verify(byB);

    // Key A is rotated out. Until the key set is refetched, a full check would still accept
    // byA, and so does memory; once it is refetched (10 minutes, cacheMaxAge), neither does.
    published = [keyB];
    const fetchesBefore = jwksFetches;
    expect(await verify(byA)).toEqual({ id: '3', username: 'user-3' });
    expect(jwksFetches).toBe(fetchesBefore);

    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 11 * 60_000);
    await expect(verify(byA)).rejects.toMatchObject({
      message: 'Invalid token',
      extensions: { code: 'UNAUTHENTICATED' },
    });
    expect(jwksFetches).toBeGreaterThan(fetchesBefore);
    // A token whose key stayed is verified in full against the new set, then remembered again.
    const checks = countSignatureChecks();
    expect(await verify(byB)).toEqual({ id: '4', username: 'user-4' });
    expect(await verify(byB)).toEqual({ id: '4', username: 'user-4' });
    expect(checks).toHaveBeenCalledTimes(1);
  });

  it('never remembers a refused token', async () => {
    published = [keyA];
    const verify = createTokenVerifier(jwksUrl);
    const foreign = await signingKey('a'); // same key id, a key auth never published
    const forged = await sign(foreign, '5', nowSeconds() + 3600);
    const checks = countSignatureChecks();
    for (let i = 0; i < 3; i++)
      await expect(verify(forged)).rejects.toMatchObject({
        message: 'Invalid token',
        extensions: { code: 'UNAUTHENTICATED' },
      });
    expect(checks).toHaveBeenCalledTimes(3);
  });

  it('a remembered token’s signature on another payload is checked, and refused', async () => {
    published = [keyA];
    const verify = createTokenVerifier(jwksUrl);
    const exp = nowSeconds() + 3600;
    const token = await sign(keyA, '6', exp);
    const admin = await sign(keyA, 'admin', exp, 'admin');
    await verify(token);
    const [header, , signature] = token.split('.');
    const spliced = `${header}.${admin.split('.')[1]}.${signature}`;
    await expect(verify(spliced)).rejects.toMatchObject({
      message: 'Invalid token',
      extensions: { code: 'UNAUTHENTICATED' },
    });
  });

  it('remembers at most cacheSize tokens, least recently used out first', async () => {
    published = [keyA];
    const verify = createTokenVerifier(jwksUrl, { cacheSize: 2 });
    const exp = nowSeconds() + 3600;
    const [t1, t2, t3] = await Promise.all(['7', '8', '9'].map((sub) => sign(keyA, sub, exp)));
    const checks = countSignatureChecks();
    await verify(t1!);
    await verify(t2!);
    await verify(t1!); // t1 is now the most recently used
    await verify(t3!); // evicts t2
    expect(checks).toHaveBeenCalledTimes(3);
    await verify(t1!);
    expect(checks).toHaveBeenCalledTimes(3);
    await verify(t2!);
    expect(checks).toHaveBeenCalledTimes(4);
  });
});

describe('why a token was refused', () => {
  /** What `attempt` threw. */
  const thrown = async (attempt: () => unknown) => {
    try {
      await attempt();
    } catch (error) {
      return error;
    }
    throw new Error('not refused');
  };

  it('is told for each refusal, whose error the client gets is the bare UNAUTHENTICATED one', async () => {
    published = [keyA];
    const verify = createTokenVerifier(jwksUrl, {
      isRevoked: async (ids) => ids.includes('revoked-jti'),
    });
    const foreign = await signingKey('a');
    const cases: Array<[TokenRefusalReason, string, () => unknown]> = [
      ['invalid', 'Invalid token', () => verify('not.a-token')],
      ['invalid', 'Invalid token', async () => verify(await sign(foreign, '1', nowSeconds() + 60))],
      [
        'expired',
        'Token expired; sign in again',
        async () => verify(await sign(keyA, '1', nowSeconds() - 60)),
      ],
      [
        'revoked',
        'Token revoked; sign in again',
        async () => verify(await sign(keyA, '1', nowSeconds() + 60, 'user-1', 'revoked-jti')),
      ],
      [
        'malformed header',
        'Malformed Authorization header: expected "Bearer TOKEN"',
        () => bearerToken('Basic x'),
      ],
    ];
    for (const [reason, message, attempt] of cases) {
      const error = await thrown(attempt);
      expect(tokenRefusalReason(error)).toBe(reason);
      // Nothing of the reason on the error: its fields and JSON are those of any such error.
      const bare = unauthenticated(message);
      expect(Reflect.ownKeys(error as object)).toEqual(Reflect.ownKeys(bare));
      expect(JSON.stringify(error)).toBe(JSON.stringify(bare));
    }
  });

  it('is not told for an error that only says the same, nor for a fault of ours', async () => {
    expect(tokenRefusalReason(unauthenticated('Invalid token'))).toBeUndefined();
    expect(tokenRefusalReason(new Error('Invalid token'))).toBeUndefined();
    expect(tokenRefusalReason('Invalid token')).toBeUndefined();
    published = [keyA];
    const verify = createTokenVerifier(jwksUrl, {
      isRevoked: async () => {
        throw new Error('revocations out of reach');
      },
    });
    const token = await sign(keyA, '1', nowSeconds() + 60, 'user-1', 'some-jti');
    expect(tokenRefusalReason(await thrown(() => verify(token)))).toBeUndefined();
  });
});
