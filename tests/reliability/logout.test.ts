/**
 * logout revokes the caller's token for the rest of its lifetime: HTTP answers 401, a new
 * socket is refused, renewToken cannot revive it; other tokens of the same user keep working.
 * With Redis the revocation is shared by every router; without it, by the one process.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, closeCode, gql, signUp, wsClient } from '../support/graphql.js';
import { redisUrl, startTestSystem, type TestSystem } from '../support/system.js';

describe.each([
  { store: 'in-process', redis: false },
  { store: 'Redis', redis: true },
])('logout, revocations $store', ({ redis }) => {
  let system: TestSystem;
  let token: string;
  let otherToken: string;

  beforeAll(async () => {
    if (redis && !redisUrl) return;
    system = await startTestSystem({ redis });
    token = (await signUp(system.urls.router, 'leaving', 'long-password')).token;
    const login = await gql<{ login: { token: string } }>(
      system.urls.router,
      'mutation { login(username: "leaving", password: "long-password") { token } }',
    );
    otherToken = login.data!.login.token;
  });
  afterAll(async () => {
    await system?.stop();
  });

  it.skipIf(redis && !redisUrl)('revokes the token everywhere, and only that token', async () => {
    const out = await gql(system.urls.router, 'mutation { logout }', {}, bearer(token));
    expect(out.data).toEqual({ logout: true });

    const after = await gql(system.urls.router, '{ me { id } }', {}, bearer(token));
    expect(after.status).toBe(401);
    expect(after.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    const renew = await gql(
      system.urls.router,
      'mutation { renewToken { token } }',
      {},
      bearer(token),
    );
    expect(renew.status).toBe(401);
    const client = wsClient(system.urls.router, token);
    expect(await closeCode(client)).toBe(4403);
    await client.dispose();

    const otherSocket = wsClient(system.urls.router, otherToken);
    const closed = closeCode(otherSocket); // subscribed: the socket is open and in use
    await gql(system.urls.router, 'mutation { logout }', {}, bearer(otherToken));
    // Its next operation finds the token revoked and ends the socket.
    otherSocket.subscribe(
      { query: '{ __typename }' },
      { next: () => {}, error: () => {}, complete: () => {} },
    );
    expect(await closed).toBe(4403);
    await otherSocket.dispose();

    const third = (
      await gql<{ login: { token: string } }>(
        system.urls.router,
        'mutation { login(username: "leaving", password: "long-password") { token } }',
      )
    ).data!.login.token;
    const other = await gql(system.urls.router, '{ me { id } }', {}, bearer(third));
    expect(other.errors).toBeUndefined();
  });

  it.skipIf(redis && !redisUrl)('without a token: UNAUTHENTICATED', async () => {
    const out = await gql(system.urls.router, 'mutation { logout }');
    expect(out.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
  });
});
