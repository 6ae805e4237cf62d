/**
 * logout ends the caller's session: the token it is sent with, the tokens it was renewed from
 * and any renewed from those are refused for the rest of the session (HTTP answers 401, a new
 * socket is refused, renewToken cannot revive them); other sign-ins of the same user keep
 * working. A token from before session ids is revoked by its own id, as before.
 * With Redis the revocation is shared by every router; without it, by the one process.
 * Every router hears of a logout at once (Redis pub/sub): open sockets and streams of that token
 * end then, and a router may remember "not revoked" for a token only briefly.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  bearer,
  closeCode,
  closeEvent,
  eventStream,
  gql,
  signUp,
  subscriptionsOpen,
  wsClient,
} from '../support/graphql.js';
import { signAsAuth } from '../support/authTokens.js';
import { startOwnRedis, type OwnRedis } from '../support/redisServer.js';
import { redisUrl, startTestSystem, type TestSystem } from '../support/system.js';
import { processSet, type ProcessSet } from './support/serviceProcesses.js';

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
    await subscriptionsOpen(system.urls.router, 1);
    await gql(system.urls.router, 'mutation { logout }', {}, bearer(otherToken));
    // The router hears of the logout and closes the token's open socket at once.
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

  it.skipIf(redis && !redisUrl)(
    'a logout sent over a socket or a stream is answered before that connection ends',
    async () => {
      const overSocket = (await signUp(system.urls.router, 'leaving_socket', 'long-password'))
        .token;
      const client = wsClient(system.urls.router, overSocket);
      const closed = closeCode(client); // a subscription beside it, as the web app keeps one
      await subscriptionsOpen(system.urls.router, 1);
      const answer = new Promise<unknown>((resolve, reject) =>
        client.subscribe(
          { query: 'mutation { logout }' },
          { next: resolve, error: reject, complete: () => {} },
        ),
      );
      expect(await answer).toEqual({ data: { logout: true } });
      expect(await closed).toBe(4403); // then the socket ends, as for any revocation
      await client.dispose();

      const overStream = (await signUp(system.urls.router, 'leaving_stream', 'long-password'))
        .token;
      const stream = await eventStream(system.urls.router, overStream, 'mutation { logout }');
      const text = await stream.text();
      expect(text).toContain('data: {"data":{"logout":true}}');
      expect(text).not.toContain('UNAUTHENTICATED');
      const after = await gql(system.urls.router, '{ me { id } }', {}, bearer(overStream));
      expect(after.status).toBe(401);
    },
  );

  it.skipIf(redis && !redisUrl)(
    'ends the whole session: the tokens it was renewed from and those renewed from them, with their socket and stream; not another sign-in',
    async () => {
      const first = (await signUp(system.urls.router, 'leaving_session', 'long-password')).token;
      const another = await gql<{ login: { token: string } }>(
        system.urls.router,
        'mutation { login(username: "leaving_session", password: "long-password") { token } }',
      );
      const otherSession = another.data!.login.token;
      const renew = async (token: string) =>
        (
          await gql<{ renewToken: { token: string } }>(
            system.urls.router,
            'mutation { renewToken { token } }',
            {},
            bearer(token),
          )
        ).data!.renewToken.token;
      const renewed = await renew(first); // the token logout is sent with
      const fromRenewed = await renew(renewed); // renewed from it
      const sibling = await renew(first); // renewed from the one it was renewed from
      expect(decodeJwt(renewed)['auth_time']).toBe(decodeJwt(first)['auth_time']);

      const socket = wsClient(system.urls.router, first);
      const closed = closeCode(socket);
      const stream = eventStream(system.urls.router, sibling, 'subscription { logAdded { id } }');
      await subscriptionsOpen(system.urls.router, 2);

      const out = await gql(system.urls.router, 'mutation { logout }', {}, bearer(renewed));
      expect(out.data).toEqual({ logout: true });

      for (const token of [first, renewed, fromRenewed, sibling]) {
        const me = await gql(system.urls.router, '{ me { username } }', {}, bearer(token));
        expect(me.status).toBe(401);
        expect(me.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
        expect(me.errors?.[0]?.message).toBe('Token revoked; sign in again');
        const again = await gql(
          system.urls.router,
          'mutation { renewToken { token } }',
          {},
          bearer(token),
        );
        expect(again.status).toBe(401);
      }
      expect(await within(5_000, 'the socket closing', closed)).toBe(4403);
      await socket.dispose();
      await expectStreamEndedUnauthenticated(stream);
      const refused = wsClient(system.urls.router, fromRenewed);
      expect(await closeEvent(refused)).toEqual({
        code: 4403,
        reason: 'Token revoked; sign in again',
      });
      await refused.dispose();

      const me = await gql(system.urls.router, '{ me { username } }', {}, bearer(otherSession));
      expect(me.data).toEqual({ me: { username: 'leaving_session' } });
    },
  );

  it.skipIf(redis && !redisUrl)(
    'a token without a session id (issued before them) is revoked by its token id alone',
    async () => {
      const sample = await signUp(system.urls.router, 'leaving_old', 'long-password');
      const now = Math.floor(Date.now() / 1000);
      const oldToken = (jti: string) =>
        signAsAuth(system.dataDir, sample.token, {
          sub: sample.id,
          username: 'leaving_old',
          auth_time: now - 60,
          jti,
          iat: now - 60,
          exp: now + 600,
        });
      const [leaving, staying] = [await oldToken(randomUUID()), await oldToken(randomUUID())];
      const out = await gql(system.urls.router, 'mutation { logout }', {}, bearer(leaving));
      expect(out.data).toEqual({ logout: true });
      const after = await gql(system.urls.router, '{ me { id } }', {}, bearer(leaving));
      expect(after.errors?.[0]?.message).toBe('Token revoked; sign in again');
      const other = await gql(system.urls.router, '{ me { id } }', {}, bearer(staying));
      expect(other.data).toEqual({ me: { id: sample.id } });
    },
  );

  it.skipIf(redis && !redisUrl)('without a token: UNAUTHENTICATED', async () => {
    const out = await gql(system.urls.router, 'mutation { logout }');
    expect(out.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
  });
});

/** Redis's count of EXISTS commands since the last CONFIG RESETSTAT. */
async function existsCalls(redis: Redis): Promise<number> {
  const stats = await redis.info('commandstats');
  return Number(/cmdstat_exists:calls=(\d+)/.exec(stats)?.[1] ?? 0);
}

/** Resolves with `promise`, or rejects naming `what` if it takes longer than `ms`. */
function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/**
 * The SSE stream `stream` ends within 5 s with an UNAUTHENTICATED event and `complete`: reading
 * it to the end returns only because the router ended it.
 */
async function expectStreamEndedUnauthenticated(stream: Promise<Response>): Promise<void> {
  const text = await within(
    5_000,
    'the stream ending',
    stream.then((r) => r.text()),
  );
  expect(text).toContain('"code":"UNAUTHENTICATED"');
  expect(text).toMatch(/event: complete\n/);
}

describe('logout across two router processes sharing a Redis of the test', () => {
  let redis: OwnRedis;
  let inspector: Redis;
  let system: ProcessSet;
  let routerA: string;
  let routerB: string;

  beforeAll(async () => {
    redis = await startOwnRedis();
    inspector = new Redis(redis.url);
    // Later tests stop this Redis: the inspector's reconnection attempts fail meanwhile, as they
    // should, and are not news (without a listener ioredis prints each to stderr).
    inspector.on('error', () => {});
    system = await processSet({ redisUrl: redis.url, routerInstances: 2 });
    await Promise.all([system.start('auth'), system.start('math')]);
    await Promise.all([system.startRouter(0), system.startRouter(1)]);
    [routerA, routerB] = system.routerUrls as [string, string];
  }, 120_000);
  afterAll(async () => {
    inspector?.disconnect();
    await system?.close();
    await redis?.stop();
  });

  it('a router asks Redis about a token at most about once a second, not once a request', async ({
    annotate,
  }) => {
    const { token } = await signUp(routerB, 'frequent');
    await inspector.config('RESETSTAT');
    const started = performance.now();
    for (let i = 0; i < 50; i++) {
      const me = await gql(routerB, '{ me { id } }', {}, bearer(token));
      expect(me.errors).toBeUndefined();
    }
    const seconds = (performance.now() - started) / 1000;
    const calls = await existsCalls(inspector);
    expect(calls).toBeLessThanOrEqual(Math.ceil(seconds) + 1);
    await annotate(`measured: 50 requests in ${seconds.toFixed(2)} s, ${calls} EXISTS`);
  });

  it('logout on router A: router B refuses the token, and ends its socket (4403) and stream at once', async ({
    annotate,
  }) => {
    const { token } = await signUp(routerA, 'leaving_both');
    // Router B has just remembered the token as not revoked.
    expect((await gql(routerB, '{ me { id } }', {}, bearer(token))).errors).toBeUndefined();
    const socket = wsClient(routerB, token);
    const closed = closeCode(socket);
    const stream = eventStream(routerB, token, 'subscription { logAdded { id } }');
    await subscriptionsOpen(routerB, 2);

    const out = await gql(routerA, 'mutation { logout }', {}, bearer(token));
    expect(out.data).toEqual({ logout: true });
    const loggedOutAt = performance.now();
    expect((await gql(routerB, '{ me { id } }', {}, bearer(token))).status).toBe(401);
    expect(await within(5_000, 'the socket closing', closed)).toBe(4403);
    const socketMs = performance.now() - loggedOutAt;
    await expectStreamEndedUnauthenticated(stream);
    await socket.dispose();
    await annotate(`measured: socket closed ${socketMs.toFixed(0)} ms after logout answered`);
  });

  it('logout on router A with a renewed token: router B refuses the token it was renewed from, and ends its socket', async () => {
    const { token } = await signUp(routerA, 'leaving_renewed');
    expect((await gql(routerB, '{ me { id } }', {}, bearer(token))).errors).toBeUndefined();
    const renewed = await gql<{ renewToken: { token: string } }>(
      routerB,
      'mutation { renewToken { token } }',
      {},
      bearer(token),
    );
    const socket = wsClient(routerB, token);
    const closed = closeCode(socket);
    await subscriptionsOpen(routerB, 1);

    const out = await gql(
      routerA,
      'mutation { logout }',
      {},
      bearer(renewed.data!.renewToken.token),
    );
    expect(out.data).toEqual({ logout: true });
    const me = await gql(routerB, '{ me { id } }', {}, bearer(token));
    expect(me.status).toBe(401);
    expect(me.errors?.[0]?.message).toBe('Token revoked; sign in again');
    expect(await within(5_000, 'the socket closing', closed)).toBe(4403);
    await socket.dispose();
  });

  /** Refused as revoked: not any 401 (a token the router could not check is refused too). */
  async function expectRevoked(router: string, token: string): Promise<void> {
    const me = await gql(router, '{ me { id } }', {}, bearer(token));
    expect(me.status).toBe(401);
    expect(me.errors?.[0]?.message).toBe('Token revoked; sign in again');
  }

  // Last here: they stop the Redis the others share.
  it('logout while Redis is away: answered, and router B refuses the token once Redis is back', async () => {
    const { token } = await signUp(routerA, 'leaving_offline');
    expect((await gql(routerB, '{ me { id } }', {}, bearer(token))).errors).toBeUndefined();
    await redis.stop();
    const out = await gql(routerA, 'mutation { logout }', {}, bearer(token));
    expect(out.errors).toBeUndefined();
    expect(out.data).toEqual({ logout: true });
    await redis.start();
    await vi.waitFor(() => expectRevoked(routerB, token), { timeout: 20_000, interval: 200 });
  });

  it('logout while Redis is away, then auth restarts before Redis returns: every router refuses the token once Redis is back', async () => {
    const { token } = await signUp(routerA, 'leaving_restart');
    for (const router of [routerA, routerB])
      expect((await gql(router, '{ me { id } }', {}, bearer(token))).errors).toBeUndefined();
    await redis.stop();
    const out = await gql(routerA, 'mutation { logout }', {}, bearer(token));
    expect(out.data).toEqual({ logout: true });
    // A rolling restart of auth (its only instance) while Redis is still away.
    expect(await system.stop('auth')).toBe(0);
    const stoppedAuthSaid = system.output('auth');
    await system.start('auth');
    await redis.start();
    for (const router of [routerA, routerB])
      await vi.waitFor(() => expectRevoked(router, token), { timeout: 20_000, interval: 200 });
    // The stopped auth said it left revocations for Redis behind (in its database).
    expect(stoppedAuthSaid).toContain('revocations still pending');
  });
});
