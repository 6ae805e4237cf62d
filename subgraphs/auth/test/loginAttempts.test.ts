import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { LOGIN, REGISTER, startAuth, type RunningAuth } from './authService.js';

const redisUrl = process.env['REDIS_URL'];

function aliasedLogins(count: number, username: string, password: string): string {
  const fields = Array.from(
    { length: count },
    (_, i) =>
      `a${i}: login(username: ${JSON.stringify(username)}, password: ${JSON.stringify(password)}) { token }`,
  );
  return `mutation { ${fields.join('\n')} }`;
}

type AliasedErrors = Array<{
  path?: string[];
  extensions?: { code?: string; retryAfterSeconds?: number };
}>;

function codesByAlias(errors: AliasedErrors | undefined, count: number): string[] {
  const codes: string[] = Array.from({ length: count }, () => 'none');
  for (const error of errors ?? []) {
    const index = Number(error.path?.[0]?.slice(1));
    codes[index] = error.extensions?.code ?? 'none';
  }
  return codes;
}

describe('failed logins are counted per resolver call', () => {
  let auth: RunningAuth;
  beforeAll(async () => {
    auth = await startAuth();
    await auth.call(REGISTER, { u: 'target', p: 'the-real-password' });
  });
  afterAll(async () => {
    await auth.stop();
  });

  it('20 aliased wrong logins in one request count as 20: the request is refused with RATE_LIMITED entries', async () => {
    const result = await auth.call(
      aliasedLogins(20, 'target', 'guess-guess'),
      {},
      { client: '192.0.2.10' },
    );
    expect(result.body.data).toBeNull();
    const codes = codesByAlias(result.body.errors as AliasedErrors, 20);
    expect(codes.slice(0, 5)).toEqual(Array(5).fill('none'));
    expect(codes.slice(5)).toEqual(Array(15).fill('RATE_LIMITED'));
    const limited = (result.body.errors as AliasedErrors).find(
      (e) => e.extensions?.code === 'RATE_LIMITED',
    );
    expect(limited?.extensions?.retryAfterSeconds).toBeGreaterThan(800);
    expect(limited?.extensions?.retryAfterSeconds).toBeLessThanOrEqual(900); // the window
  });

  it('logins that @skip or @include leave out are not attempts; one field twice is one', async () => {
    await auth.call(REGISTER, { u: 'skipper', p: 'the-real-password' });
    const left = (i: number) =>
      `s${i}: login(username: "skipper", password: "wrong-wrong") @skip(if: true) { token }
       i${i}: login(username: "skipper", password: "wrong-wrong") @include(if: $no) { token }
       ... on Mutation @skip(if: $yes) { f${i}: login(username: "skipper", password: "wrong") { token } }`;
    const same = 'twice: login(username: "skipper", password: "wrong-wrong") { token }';
    const query = `mutation($yes: Boolean!, $no: Boolean!) {
      ${Array.from({ length: 5 }, (_, i) => left(i)).join('\n')}
      ${same} ${same} ${same} ${same} ${same}
    }`;
    const wrong = await auth.call(query, { yes: true, no: false }, { client: '192.0.2.60' });
    // Only `twice` ran, once: a wrong password, not a limit reached by the fields left out.
    expect(wrong.body.errors).toHaveLength(1);
    expect(wrong.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    // 1 attempt so far. Three more are reserved (the mutation stops at the first, which fails)
    // and leave room for the right one: the limit is 5.
    const three = await auth.call(
      aliasedLogins(3, 'skipper', 'nope-nope'),
      {},
      { client: '192.0.2.60' },
    );
    expect(codesByAlias(three.body.errors as AliasedErrors, 3)).toEqual([
      'UNAUTHENTICATED',
      'none',
      'none',
    ]);
    const right = await auth.call(
      LOGIN,
      { u: 'skipper', p: 'the-real-password' },
      { client: '192.0.2.60' },
    );
    expect(right.body.errors).toBeUndefined();
  });

  it('a limited username is refused even with the right password, without checking it', async () => {
    const result = await auth.call(
      LOGIN,
      { u: 'TARGET', p: 'the-real-password' },
      { client: '192.0.2.10' },
    );
    expect(result.body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
  });

  it('another client is not limited by the first one', async () => {
    const result = await auth.call(
      LOGIN,
      { u: 'target', p: 'the-real-password' },
      { client: '192.0.2.99' },
    );
    expect(result.body.errors).toBeUndefined();
  });

  it('a successful login clears the username counter', async () => {
    const client = '192.0.2.50';
    const four = await auth.call(aliasedLogins(4, 'target', 'nope-nope'), {}, { client });
    expect(codesByAlias(four.body.errors as AliasedErrors, 4)[0]).toBe('UNAUTHENTICATED');
    expect(
      (await auth.call(LOGIN, { u: 'target', p: 'the-real-password' }, { client })).body.errors,
    ).toBeUndefined();
    // Without the reset these 5 would make 10 attempts and be refused.
    const again = await auth.call(aliasedLogins(5, 'target', 'nope-nope'), {}, { client });
    expect(codesByAlias(again.body.errors as AliasedErrors, 5)).toEqual([
      'UNAUTHENTICATED',
      'none',
      'none',
      'none',
      'none',
    ]);
  });

  it('a client spraying many usernames hits the per-client cap', async () => {
    const client = '192.0.2.77';
    const fields = Array.from(
      { length: 60 },
      (_, i) => `a${i}: login(username: "spray${i}", password: "x-x-x-x-x") { token }`,
    );
    const result = await auth.call(`mutation { ${fields.join('\n')} }`, {}, { client });
    const codes = codesByAlias(result.body.errors as AliasedErrors, 60);
    expect(codes.slice(0, 50)).toEqual(Array(50).fill('none'));
    expect(codes.slice(50)).toEqual(Array(10).fill('RATE_LIMITED'));
  });
});

describe.skipIf(!redisUrl)('login limits shared through Redis', () => {
  let first: RunningAuth;
  let second: RunningAuth;
  beforeAll(async () => {
    const prefix = `test-${randomBytes(4).toString('hex')}:`;
    first = await startAuth({ REDIS_URL: redisUrl, REDIS_KEY_PREFIX: prefix });
    // The second instance shares the first one's database and Redis, as replicas would.
    second = await startAuth({ REDIS_URL: redisUrl, REDIS_KEY_PREFIX: prefix }, first.dataDir);
    await first.call(REGISTER, { u: 'shared_target', p: 'the-real-password' });
  });
  afterAll(async () => {
    await second?.stop();
    await first?.stop();
  });

  it('failures on one instance count on the other', async () => {
    const client = '192.0.2.200';
    const onFirst = await first.call(
      aliasedLogins(3, 'shared_target', 'wrong-wrong'),
      {},
      { client },
    );
    expect(codesByAlias(onFirst.body.errors as AliasedErrors, 3)).toEqual([
      'UNAUTHENTICATED',
      'none',
      'none',
    ]);
    const onSecond = await second.call(
      aliasedLogins(4, 'shared_target', 'wrong-wrong'),
      {},
      { client },
    );
    expect(codesByAlias(onSecond.body.errors as AliasedErrors, 4)).toEqual([
      'none',
      'none',
      'RATE_LIMITED',
      'RATE_LIMITED',
    ]);
  });
});
