/**
 * Registrations per client address: past REGISTER_MAX_PER_CLIENT in a window an address is
 * refused with RATE_LIMITED (and no account is made), whether the registrations came one per
 * request or as aliased fields of one request; other addresses are not affected. Counted in
 * memory without Redis and in Redis with it, so every auth instance sees one count.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCounterStore } from '../src/accounts/failureCounters.js';
import { createRegistrationLimit } from '../src/accounts/registrationLimit.js';
import { LOGIN, REGISTER, startAuth, type RunningAuth } from './authService.js';

const redisUrl = process.env['REDIS_URL'];
const PASSWORD = 'correct horse battery';

describe.each([
  { store: 'memory', env: {} },
  ...(redisUrl
    ? [
        {
          store: 'Redis',
          env: {
            REDIS_URL: redisUrl,
            REDIS_KEY_PREFIX: `test-reg-${randomBytes(4).toString('hex')}:`,
          },
        },
      ]
    : []),
])('registrations per address ($store)', ({ env }) => {
  let auth: RunningAuth;
  beforeAll(async () => {
    auth = await startAuth({
      ...env,
      REGISTER_MAX_PER_CLIENT: '3',
      REGISTER_WINDOW_SECONDS: '600',
    });
  });
  afterAll(async () => {
    await auth?.stop();
  });

  const register = (username: string, client: string) =>
    auth.call(REGISTER, { u: username, p: PASSWORD }, { client });
  const codeOf = (result: Awaited<ReturnType<typeof register>>) =>
    result.body.errors?.[0]?.extensions?.['code'] ?? 'ok';

  it('refuses an address past the limit, taken names included, and no other address', async () => {
    const address = '198.51.100.1';
    const codes = [
      codeOf(await register('reg_one', address)),
      codeOf(await register('reg_one', address)), // taken: counted all the same
      codeOf(await register('reg_two', address)),
    ];
    expect(codes).toEqual(['ok', 'USERNAME_TAKEN', 'ok']);

    const refused = await register('reg_three', address);
    expect(refused.body.errors?.[0]).toMatchObject({
      message: expect.stringMatching(
        /^Too many registrations from this address; try again in \d+ s$/,
      ),
      extensions: { code: 'RATE_LIMITED' },
    });
    const retryAfter = refused.body.errors?.[0]?.extensions?.['retryAfterSeconds'] as number;
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(600);

    // The refused registration made no account: another address can take the name.
    expect(codeOf(await register('reg_three', '198.51.100.2'))).toBe('ok');
  });

  it('counts each aliased register field of one request', async () => {
    const address = '198.51.100.3';
    const fields = Array.from(
      { length: 5 },
      (_, i) => `a${i}: register(username: "alias_${i}", password: "${PASSWORD}") { token }`,
    );
    const result = await auth.call(`mutation { ${fields.join(' ')} }`, {}, { client: address });
    // Mutation fields run one after another: the fourth is refused, and the fifth never runs.
    expect(result.body.errors?.map((e) => [e.path, e.extensions?.['code']])).toEqual([
      [['a3'], 'RATE_LIMITED'],
    ]);
    const logins = await Promise.all(
      [0, 1, 2, 3].map((i) =>
        auth.call(LOGIN, { u: `alias_${i}`, p: PASSWORD }, { client: address }),
      ),
    );
    expect(logins.map(codeOf)).toEqual(['ok', 'ok', 'ok', 'UNAUTHENTICATED']);
  });
});

/**
 * A registration the server could not make gives its place back (accounts.ts says when): one
 * decrement of the same count, once, and none once the count's window has ended (it would start
 * the next window below zero).
 */
describe.each([
  { store: 'memory', url: undefined },
  ...(redisUrl ? [{ store: 'Redis', url: redisUrl }] : []),
])('a place given back ($store)', ({ url }) => {
  let redis: Redis | undefined;
  beforeAll(() => {
    if (url) redis = new Redis(url, { keyPrefix: `test-reg-${randomBytes(4).toString('hex')}:` });
  });
  afterAll(() => redis?.disconnect());

  const allowed = async (limit: ReturnType<typeof createRegistrationLimit>, client: string) =>
    (await limit.reserve(client)).allowed;

  it('can be taken again, and only once however often it is given back', async () => {
    const limit = createRegistrationLimit(
      { perClient: 1, windowSeconds: 600 },
      createCounterStore(redis),
    );
    const verdict = await limit.reserve('192.0.2.30');
    if (!verdict.allowed) throw new Error('the first registration was refused');
    await verdict.registration.abandon();
    await verdict.registration.abandon();
    expect([await allowed(limit, '192.0.2.30'), await allowed(limit, '192.0.2.30')]).toEqual([
      true,
      false,
    ]);
  });

  it('is not given back once its window has ended', async () => {
    const limit = createRegistrationLimit(
      { perClient: 1, windowSeconds: 1 },
      createCounterStore(redis),
    );
    const verdict = await limit.reserve('192.0.2.31');
    if (!verdict.allowed) throw new Error('the first registration was refused');
    await sleep(1_200);
    await verdict.registration.abandon();
    // The new window holds one registration, not two.
    expect([await allowed(limit, '192.0.2.31'), await allowed(limit, '192.0.2.31')]).toEqual([
      true,
      false,
    ]);
  });
});
