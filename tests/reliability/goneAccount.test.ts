/**
 * A token that is still valid for an account that no longer exists (deleted by an operator;
 * tokens are stateless and live out their hour): whatever it asks of the account is refused
 * UNAUTHENTICATED, as renewToken already was, never answered with a silent null.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signAsAuth } from '../support/authTokens.js';
import { bearer, gql, signUp } from '../support/graphql.js';
import { startTestSystem, type TestSystem } from '../support/system.js';

let system: TestSystem;
let token: string;
const GONE = 'Account not found; sign in again';

beforeAll(async () => {
  system = await startTestSystem();
  const sample = await signUp(system.urls.router, 'account_sample');
  const now = Math.floor(Date.now() / 1000);
  token = await signAsAuth(system.dataDir, sample.token, {
    sub: randomUUID(),
    username: 'gone',
    auth_time: now - 60,
    jti: randomUUID(),
    iat: now - 60,
    exp: now + 600,
  });
  // Its calculations were logged while the account existed.
  const computed = await gql(
    system.urls.router,
    '{ factorial(n: 5) { result } }',
    {},
    bearer(token),
  );
  expect(computed.errors).toBeUndefined();
});
afterAll(async () => {
  await system?.stop();
});

describe('a valid token of an account that is gone', () => {
  it.each([
    ['me', '{ me { id username } }'],
    ['the user of its logs', '{ recentLogs(limit: 1) { id user { username } } }'],
    ['the user of its own logs', '{ me { id logs(limit: 1) { user { id username } } } }'],
  ])('%s: UNAUTHENTICATED, saying the account is gone', async (_, query) => {
    const answer = await gql(system.urls.router, query, {}, bearer(token));
    expect(answer.errors?.[0]?.message).toBe(GONE);
    expect(answer.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
  });
});
