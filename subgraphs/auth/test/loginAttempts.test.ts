import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { startOwnRedis, type OwnRedis } from '../../../tests/support/redisServer.js';
import { waitFor } from '../../../tests/support/waitFor.js';
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

/** `count` wrong-password logins, one after another: each one's error code. */
async function wrongLogins(
  auth: RunningAuth,
  username: string,
  count: number,
  client: string,
): Promise<string[]> {
  const codes: string[] = [];
  for (let i = 0; i < count; i++) {
    const result = await auth.call(LOGIN, { u: username, p: `wrong-${i}-wrong` }, { client });
    codes.push(String(result.body.errors?.[0]?.extensions?.code));
  }
  return codes;
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

  it('5 failed checks from one address limit that address, even with the right password, without checking it', async () => {
    expect(await wrongLogins(auth, 'target', 5, '192.0.2.10')).toEqual(
      Array(5).fill('UNAUTHENTICATED'),
    );
    const result = await auth.call(
      LOGIN,
      { u: 'TARGET', p: 'the-real-password' },
      { client: '192.0.2.10' },
    );
    expect(result.body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
  });

  it('the address the account registered from is not limited by another address', async () => {
    const result = await auth.call(
      LOGIN,
      { u: 'target', p: 'the-real-password' },
      { client: '203.0.113.7' },
    );
    expect(result.body.errors).toBeUndefined();
  });

  it('a successful login clears the username counter', async () => {
    await auth.call(REGISTER, { u: 'clearer', p: 'the-real-password' });
    const client = '192.0.2.50';
    expect(await wrongLogins(auth, 'clearer', 4, client)).toEqual(Array(4).fill('UNAUTHENTICATED'));
    expect(
      (await auth.call(LOGIN, { u: 'clearer', p: 'the-real-password' }, { client })).body.errors,
    ).toBeUndefined();
    // Without the reset the second of these would be the 6th failure, and refused.
    expect(await wrongLogins(auth, 'clearer', 5, client)).toEqual(Array(5).fill('UNAUTHENTICATED'));
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

  it('60 guesses at once at 60 usernames from one address: 50 checked, then the address is refused', async () => {
    const client = '192.0.2.78';
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        auth.call(LOGIN, { u: `sprayed${i}`, p: 'x-x-x-x-x' }, { client }),
      ),
    );
    const codes = results.map((r) => String(r.body.errors?.[0]?.extensions?.code));
    expect(codes.filter((c) => c === 'UNAUTHENTICATED')).toHaveLength(50);
    expect(codes.filter((c) => c === 'RATE_LIMITED')).toHaveLength(10);
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
    expect(await wrongLogins(first, 'shared_target', 3, client)).toEqual(
      Array(3).fill('UNAUTHENTICATED'),
    );
    expect(await wrongLogins(second, 'shared_target', 3, client)).toEqual([
      'UNAUTHENTICATED',
      'UNAUTHENTICATED',
      'RATE_LIMITED',
    ]);
  });
});

describe('per-account limits without lockout', () => {
  let auth: RunningAuth;
  /** Each guess from an address of its own, as from a botnet. */
  let nextAddress = 0;
  const freshAddress = () => `198.51.100.${++nextAddress}`;
  const usual = '203.0.113.7'; // where the accounts below registered from

  beforeAll(async () => {
    auth = await startAuth({ LOGIN_ACCOUNT_MAX_FAILURES: '7' });
  });
  afterAll(async () => {
    await auth?.stop();
  });

  it('20 correct logins at once to one account, from an address new to it, all succeed', async () => {
    await auth.call(REGISTER, { u: 'popular', p: 'the-real-password' }, { client: usual });
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        auth.call(LOGIN, { u: 'popular', p: 'the-real-password' }, { client: '192.0.2.31' }),
      ),
    );
    expect(results.map((r) => r.body.errors?.[0]?.extensions?.code ?? 'signed in')).toEqual(
      Array(20).fill('signed in'),
    );
  });

  it('guesses from many addresses slow the account down; its owner still signs in from their usual address', async () => {
    await auth.call(REGISTER, { u: 'victim', p: 'the-real-password' }, { client: usual });
    const guesses = await Promise.all(
      Array.from({ length: 10 }, () =>
        auth.call(LOGIN, { u: 'victim', p: 'guess-guess' }, { client: freshAddress() }),
      ),
    );
    const codes = guesses.map((r) => String(r.body.errors?.[0]?.extensions?.code));
    expect(codes.filter((c) => c === 'UNAUTHENTICATED')).toHaveLength(5);
    expect(codes.filter((c) => c === 'RATE_LIMITED')).toHaveLength(5);
    const refusal = guesses.find((r) => r.body.errors?.[0]?.extensions?.code === 'RATE_LIMITED');
    // Slowed down, not locked: the wait is a second, not the window.
    expect(refusal?.body.errors?.[0]?.extensions?.['retryAfterSeconds']).toBe(1);

    const owner = await auth.call(
      LOGIN,
      { u: 'victim', p: 'the-real-password' },
      { client: usual },
    );
    expect(owner.body.errors).toBeUndefined();
    expect(owner.body.data?.login.token).toBeTruthy();
    // From a new address even the right password waits its turn, and then signs in.
    await waitFor(async () => {
      const elsewhere = await auth.call(
        LOGIN,
        { u: 'victim', p: 'the-real-password' },
        { client: '192.0.2.32' },
      );
      expect(elsewhere.body.errors).toBeUndefined();
    });
  });

  it('past LOGIN_ACCOUNT_MAX_FAILURES, new addresses are refused until the window ends; the usual address is not', async () => {
    await auth.call(REGISTER, { u: 'besieged', p: 'the-real-password' }, { client: usual });
    const checked: string[] = [];
    // Each guess after the 5th waits out a growing pause (1 s, then 2 s): guess until 7 counted.
    await waitFor(async () => {
      const guess = await auth.call(
        LOGIN,
        { u: 'besieged', p: 'guess-guess' },
        { client: freshAddress() },
      );
      const code = guess.body.errors?.[0]?.extensions?.code;
      if (code === 'UNAUTHENTICATED') checked.push(String(code));
      else expect(guess.body.errors?.[0]?.extensions?.['retryAfterSeconds']).toBeLessThanOrEqual(2);
      expect(checked).toHaveLength(7);
    }, 30_000);
    const refused = await auth.call(
      LOGIN,
      { u: 'besieged', p: 'the-real-password' },
      { client: freshAddress() },
    );
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect(refused.body.errors?.[0]?.extensions?.['retryAfterSeconds']).toBeGreaterThan(800);
    const owner = await auth.call(
      LOGIN,
      { u: 'besieged', p: 'the-real-password' },
      { client: usual },
    );
    expect(owner.body.errors).toBeUndefined();
  });
});

describe('login counters through a Redis outage', () => {
  let redis: OwnRedis;
  let auth: RunningAuth;
  let inspector: Redis;
  const prefix = 'outage:';
  const attacker = '192.0.2.30';

  beforeAll(async () => {
    redis = await startOwnRedis();
    auth = await startAuth({ REDIS_URL: redis.url, REDIS_KEY_PREFIX: prefix });
    inspector = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await auth.call(REGISTER, { u: 'outage_target', p: 'the-real-password' });
  });
  afterAll(async () => {
    inspector?.disconnect();
    await auth?.stop();
    await redis?.stop();
  });

  it('failures counted in memory while Redis is away are added to Redis when it returns', async () => {
    await redis.stop();
    expect(await wrongLogins(auth, 'outage_target', 4, attacker)).toEqual(
      Array(4).fill('UNAUTHENTICATED'),
    );
    // This Redis keeps nothing across a restart (as in docker-compose.yml): only auth's merge
    // can put the 4 failures there.
    await redis.start();
    await waitFor(async () => {
      expect(await inspector.get(`${prefix}auth:login-user:outage_target|${attacker}`)).toBe('4');
    });
    // 4 counted during the outage: the address has one failure left of its 5.
    expect(await wrongLogins(auth, 'outage_target', 2, attacker)).toEqual([
      'UNAUTHENTICATED',
      'RATE_LIMITED',
    ]);
  });
  it('a correct sign-in while Redis does not answer still clears the failures Redis holds', async () => {
    const owner = '203.0.113.8';
    await auth.call(REGISTER, { u: 'outage_owner', p: 'the-real-password' }, { client: owner });
    expect(await wrongLogins(auth, 'outage_owner', 4, owner)).toEqual(
      Array(4).fill('UNAUTHENTICATED'),
    );
    const failures = `${prefix}auth:login-user:outage_owner|${owner}`;
    expect(await inspector.get(failures)).toBe('4');
    // Frozen, Redis keeps its counts but answers nothing: auth reads its stand-in, which holds
    // none of the 4.
    redis.freeze();
    try {
      const login = await auth.call(
        LOGIN,
        { u: 'outage_owner', p: 'the-real-password' },
        { client: owner },
      );
      expect(login.body.errors).toBeUndefined();
    } finally {
      redis.thaw();
    }
    await waitFor(async () => {
      expect(await inspector.get(failures)).toBeNull();
    });
  });
});

describe('what a sign-in writes to Redis', () => {
  let redis: OwnRedis;
  let auth: RunningAuth;
  let inspector: Redis;
  const prefix = 'writes:';
  const usual = '203.0.113.7';
  const password = 'the-real-password';
  const markKey = `${prefix}auth:login-known:regular|${usual}`;
  const knownMs = 30 * 24 * 3_600_000; // LOGIN_KNOWN_ADDRESS_DAYS' default

  beforeAll(async () => {
    redis = await startOwnRedis();
    auth = await startAuth({ REDIS_URL: redis.url, REDIS_KEY_PREFIX: prefix });
    inspector = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await auth.call(REGISTER, { u: 'regular', p: password }, { client: usual });
  });
  afterAll(async () => {
    inspector?.disconnect();
    await auth?.stop();
    await redis?.stop();
  });

  /** Calls of each command this Redis has answered so far (it serves this test alone). */
  async function commandCalls(): Promise<Map<string, number>> {
    const stats = await inspector.info('commandstats');
    return new Map(
      [...stats.matchAll(/^cmdstat_([\w|]+):calls=(\d+)/gm)].map(([, name, calls]) => [
        String(name),
        Number(calls),
      ]),
    );
  }

  async function signIn() {
    const login = await auth.call(LOGIN, { u: 'regular', p: password }, { client: usual });
    expect(login.body.errors).toBeUndefined();
  }

  it('a correct login from the usual address, with no failures to forget, only reads', async () => {
    const before = await commandCalls();
    await signIn();
    const after = await commandCalls();
    const called = [...after]
      .filter(([name, calls]) => calls > (before.get(name) ?? 0) && name !== 'info')
      .map(([name]) => name)
      .sort();
    expect(called).toEqual(['exec', 'get', 'multi', 'pttl']);
  });

  it('a login reads its counts (address, account from that address, known mark) in one transaction', async () => {
    const before = await commandCalls();
    await signIn();
    const after = await commandCalls();
    const calls = (name: string) => (after.get(name) ?? 0) - (before.get(name) ?? 0);
    expect({ multi: calls('multi'), get: calls('get'), pttl: calls('pttl') }).toEqual({
      multi: 1,
      get: 3,
      pttl: 3,
    });
  });

  it("renews the address's mark once it is more than an hour old, not before", async () => {
    await inspector.pexpire(markKey, knownMs - 2 * 3_600_000);
    await signIn();
    expect(await inspector.pttl(markKey)).toBeGreaterThan(knownMs - 60_000);

    await inspector.pexpire(markKey, knownMs - 600_000);
    await signIn();
    expect(await inspector.pttl(markKey)).toBeLessThanOrEqual(knownMs - 600_000);
  });
});
