/**
 * The per-client request limit: over HTTP the operation past the limit gets HTTP 429,
 * RATE_LIMITED and how long to wait; over graphql-ws the subscribe message past it gets the
 * same error. Signed-in callers are counted by user, anyone else by address. Counts live in
 * Redis when REDIS_URL is set (shared by router instances), in memory otherwise, and in memory
 * while Redis is unreachable.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, collect, gql, signUp, wsClient } from '../../tests/support/graphql.js';
import { redisUrl } from '../../tests/support/system.js';
import { serviceSet, type Running, type ServiceSet } from './support/services.js';

const LIMIT = 3;

let services: ServiceSet;
let urls: { auth: string; math: string };
let alice: string;
let bob: string;
/** A router with no low limit, to make accounts with. */
let setupUrl: string;

/** A Redis URL nothing answers at. */
async function unreachableRedis(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return `redis://127.0.0.1:${port}`;
}

beforeAll(async () => {
  services = serviceSet();
  const auth = await services.startAuth();
  const math = await services.startMath();
  urls = { auth: auth.url, math: math.url };
  // Accounts are made through a router of their own, so no test below starts with spent points.
  const setup = await services.startRouter(urls);
  setupUrl = setup.url;
  alice = (await signUp(setup.url, 'limited_alice')).token;
  bob = (await signUp(setup.url, 'limited_bob')).token;
});
afterAll(async () => {
  await services?.close();
});

/** A router with a limit of LIMIT per minute, its counts stored as `store` says. */
async function limitedRouter(store: Record<string, string>): Promise<Running> {
  return services.startRouter(urls, {
    env: { ROUTER_RATE_LIMIT_PER_MINUTE: String(LIMIT), ...store },
  });
}

const stores: Array<{ name: string; env: () => Promise<Record<string, string>>; skip: boolean }> = [
  { name: 'in memory (no REDIS_URL)', env: async () => ({}), skip: false },
  {
    name: 'in Redis',
    env: async () => ({
      REDIS_URL: redisUrl ?? '',
      REDIS_KEY_PREFIX: `test-${randomBytes(4).toString('hex')}:`,
    }),
    skip: !redisUrl,
  },
  {
    name: 'in memory while Redis is unreachable',
    env: async () => ({ REDIS_URL: await unreachableRedis() }),
    skip: false,
  },
];

describe.each(stores)('counted $name', ({ env, skip }) => {
  let router: Running;

  beforeAll(async () => {
    if (!skip) router = await limitedRouter(await env());
  });

  it.skipIf(skip)(
    'HTTP: the operation past the limit gets 429, RATE_LIMITED and Retry-After',
    async () => {
      for (let i = 0; i < LIMIT; i++) {
        expect((await gql(router.url, '{ __typename }')).status).toBe(200);
      }
      const refused = await gql(router.url, '{ __typename }');
      expect(refused.status).toBe(429);
      expect(refused.data ?? null).toBeNull();
      const error = refused.errors?.[0];
      expect(error?.extensions?.['code']).toBe('RATE_LIMITED');
      const retryAfter = error?.extensions?.['retryAfterSeconds'] as number;
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(refused.headers.get('retry-after')).toBe(String(retryAfter));
      // Says what was limited: not the words of the login lockout ("Too many attempts").
      expect(error?.message).toBe(`Too many requests; try again in ${retryAfter} s`);
    },
  );

  it.skipIf(skip)('HTTP: a signed-in user has a count of their own', async () => {
    for (let i = 0; i < LIMIT; i++) {
      expect((await gql(router.url, '{ me { id } }', {}, bearer(alice))).status).toBe(200);
    }
    expect((await gql(router.url, '{ me { id } }', {}, bearer(alice))).status).toBe(429);
    const other = await gql<{ me: { id: string } }>(router.url, '{ me { id } }', {}, bearer(bob));
    expect(other.status).toBe(200);
    expect(other.data?.me.id).toBeTruthy();
  });

  it.skipIf(skip)(
    'HTTP: a signed-in user past the limit may still sign out, and only sign out',
    async () => {
      const { token } = await signUp(setupUrl, `signout_${randomBytes(3).toString('hex')}`);
      const as = bearer(token);
      for (let i = 0; i < LIMIT; i++)
        expect((await gql(router.url, '{ me { id } }', {}, as)).status).toBe(200);
      expect((await gql(router.url, '{ me { id } }', {}, as)).status).toBe(429);
      // Anything beside it, or anyone not signed in, is still limited.
      expect(
        (await gql(router.url, 'mutation { logout renewToken { token } }', {}, as)).status,
      ).toBe(429);
      const signedOut = await gql(router.url, 'mutation { __typename logout }', {}, as);
      expect(signedOut).toMatchObject({
        status: 200,
        data: { __typename: 'Mutation', logout: true },
      });
      // The session has ended: its token is refused (so it may not sign out again and again).
      expect((await gql(setupUrl, 'mutation { logout }', {}, as)).status).toBe(401);
    },
  );

  it.skipIf(skip)('WebSocket: the subscribe message past the limit gets RATE_LIMITED', async () => {
    const client = wsClient(router.url, bob);
    // Bob spent one operation over HTTP above; each message here is one more.
    for (let i = 1; i < LIMIT; i++) {
      const [result] = await collect(client, '{ __typename }', 1).done;
      expect(result?.data).toEqual({ __typename: 'Query' });
    }
    const refused = collect(client, 'subscription { logAdded { id } }', 1).done;
    await expect(refused).rejects.toThrow(/"code":"RATE_LIMITED","retryAfterSeconds":\d+/);
    await expect(refused).rejects.toThrow(/Too many requests; try again in \d+ s/);
    await client.dispose();
  });
});

describe.skipIf(!redisUrl)('with Redis', () => {
  it('router instances share one count per client', async () => {
    const store = {
      REDIS_URL: redisUrl ?? '',
      REDIS_KEY_PREFIX: `test-${randomBytes(4).toString('hex')}:`,
    };
    const first = await limitedRouter(store);
    const second = await limitedRouter(store);
    const statuses: number[] = [];
    for (let i = 0; i <= LIMIT; i++) {
      const router = i % 2 ? second : first;
      statuses.push((await gql(router.url, '{ __typename }')).status);
    }
    expect(statuses).toEqual([...Array<number>(LIMIT).fill(200), 429]);
  });

  // An outside probe: 100 requests over HTTP, then 50 subscribe messages at once on one socket,
  // were refused from about the 44th, at a quarter of a limit of 600 (see rateLimitLeases.test.ts).
  it('a burst of subscribe messages after requests over HTTP is counted one each', async () => {
    const router = await services.startRouter(urls, {
      env: {
        ROUTER_RATE_LIMIT_PER_MINUTE: '600',
        REDIS_URL: redisUrl ?? '',
        REDIS_KEY_PREFIX: `test-${randomBytes(4).toString('hex')}:`,
      },
    });
    const { token } = await signUp(setupUrl, `burst_${randomBytes(3).toString('hex')}`);
    for (let i = 0; i < 100; i++)
      expect((await gql(router.url, '{ __typename }', {}, bearer(token))).status).toBe(200);
    const client = wsClient(router.url, token);
    try {
      const answers = await Promise.all(
        Array.from({ length: 50 }, () => collect(client, '{ __typename }', 1).done),
      );
      expect(answers.map(([result]) => result?.data)).toEqual(
        Array(50).fill({ __typename: 'Query' }),
      );
    } finally {
      await client.dispose();
    }
  });
});
