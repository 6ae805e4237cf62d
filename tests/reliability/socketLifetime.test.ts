/**
 * Sockets and streams live no longer than their token: a graphql-ws connection is closed with
 * 4403 when its token expires, and a graphql-sse stream ends then. Tokens here are signed with
 * auth's own development key and expire within seconds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  closeCode,
  connected,
  eventStream,
  signUp,
  wsClient,
  type Account,
} from '../support/graphql.js';
import { signAsAuth } from '../support/authTokens.js';
import { startTestSystem, type TestSystem } from '../support/system.js';

let system: TestSystem;
let user: Account;

beforeAll(async () => {
  system = await startTestSystem();
  user = await signUp(system.urls.router, 'short_lived');
});
afterAll(async () => {
  await system?.stop();
});

/** A token of `user`'s that expires `seconds` from now, signed as auth signs. */
function tokenExpiringIn(seconds: number): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return signAsAuth(system.dataDir, user.token, {
    sub: user.id,
    username: 'short_lived',
    iat: now,
    exp: now + seconds,
  });
}

describe('a token that expires while its connection is open', () => {
  it('graphql-ws: the socket is closed with 4403 at expiry', async () => {
    const token = await tokenExpiringIn(2);
    const client = wsClient(system.urls.router, token);
    const opened = connected(client);
    const code = closeCode(client);
    await opened;
    expect(await code).toBe(4403);
    await client.dispose();
  });

  it('graphql-sse: the stream ends at expiry with UNAUTHENTICATED, then complete', async () => {
    const token = await tokenExpiringIn(2);
    const response = await eventStream(
      system.urls.router,
      token,
      'subscription { logAdded { id } }',
    );
    expect(response.status).toBe(200);
    // Reading to the end returns only because the server ended the stream.
    const text = await response.text();
    expect(text).toContain('"code":"UNAUTHENTICATED"');
    expect(text).toMatch(/event: complete\n/);
  });
});
