/**
 * renewToken: a signed-in caller gets a fresh token for the same session without signing in
 * again, but never past the session's maximum age (counted from the sign-in, the token's
 * `auth_time`), so a stolen token cannot be renewed forever.
 */
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, gql, signUp, type Account } from '../support/graphql.js';
import { signAsAuth } from '../support/authTokens.js';
import { startTestSystem, type TestSystem } from '../support/system.js';

let system: TestSystem;
let user: Account;
const MAX_SESSION_SECONDS = 3 * 3600;
const RENEW = 'mutation { renewToken { token expiresAt user { id } } }';

beforeAll(async () => {
  system = await startTestSystem({
    env: { AUTH_MAX_SESSION_SECONDS: String(MAX_SESSION_SECONDS) },
  });
  user = await signUp(system.urls.router, 'renewer');
});
afterAll(async () => {
  await system?.stop();
});

/** A token of `user`'s whose session began `ageSeconds` ago, signed as auth signs. */
function tokenOfSessionAged(ageSeconds: number): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return signAsAuth(system.dataDir, user.token, {
    sub: user.id,
    username: 'renewer',
    auth_time: now - ageSeconds,
    jti: 'renewal-test-token',
    iat: now - 60,
    exp: now + 600,
  });
}

type Renewed = { renewToken: { token: string; expiresAt: string; user: { id: string } } };

describe('renewToken', () => {
  it('gives a fresh, working token for the same session', async () => {
    const result = await gql<Renewed>(system.urls.router, RENEW, {}, bearer(user.token));
    expect(result.errors).toBeUndefined();
    const renewed = result.data!.renewToken;
    expect(renewed.user.id).toBe(user.id);
    expect(renewed.token).not.toBe(user.token);
    const [before, after] = [decodeJwt(user.token), decodeJwt(renewed.token)];
    expect(after['auth_time']).toBe(before['auth_time']);
    // The session's id goes with it: a logout with either token ends both.
    expect(after['sid']).toEqual(expect.any(String));
    expect(after['sid']).toBe(before['sid']);
    expect(after.jti).not.toBe(before.jti);
    const me = await gql(system.urls.router, '{ me { id } }', {}, bearer(renewed.token));
    expect(me.data).toEqual({ me: { id: user.id } });
  });

  it('never past the session’s maximum age', async () => {
    const token = await tokenOfSessionAged(MAX_SESSION_SECONDS - 120);
    const result = await gql<Renewed>(system.urls.router, RENEW, {}, bearer(token));
    expect(result.errors).toBeUndefined();
    const sessionEnds = (decodeJwt(token)['auth_time'] as number) + MAX_SESSION_SECONDS;
    expect(decodeJwt(result.data!.renewToken.token).exp).toBe(sessionEnds);
  });

  it('a session older than the maximum age: UNAUTHENTICATED, sign in again', async () => {
    const token = await tokenOfSessionAged(MAX_SESSION_SECONDS + 1);
    const result = await gql(system.urls.router, RENEW, {}, bearer(token));
    expect(result.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    expect(result.errors?.[0]?.message).toMatch(/sign in again/);
  });

  it('not after a logout in the same request: the revoked session gets no fresh token', async () => {
    const session = await gql<{ login: { token: string } }>(
      system.urls.router,
      'mutation { login(username: "renewer", password: "long-password") { token } }',
    );
    const token = session.data!.login.token;
    const result = await gql(
      system.urls.router,
      'mutation { logout renewToken { token } }',
      {},
      bearer(token),
    );
    // renewToken is non-null, so its refusal nulls the whole answer; the logout still happened.
    expect(result.data ?? null).toBeNull();
    expect(result.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    expect(result.errors?.[0]?.message).toBe('Token revoked; sign in again');
    const after = await gql(system.urls.router, '{ me { id } }', {}, bearer(token));
    expect(after.errors?.[0]?.message).toBe('Token revoked; sign in again');
  });

  it('without a token: UNAUTHENTICATED', async () => {
    const result = await gql(system.urls.router, RENEW);
    expect(result.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
  });
});
