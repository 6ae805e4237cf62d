/**
 * A caller that is already gone when its sign-in is decided (its connection's close was queued
 * behind the request while auth was frozen or stalled) costs no password hash: register and login
 * answer CANCELLED before hashing or comparing, and nothing is stored. One whose deadline passed
 * with its caller still there is told SERVICE_UNAVAILABLE instead, with a wait.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeadlinePassedError } from '@microservice-math/shared/cancellation';
import { databaseTarget, openDatabase, type Orm } from '@microservice-math/shared/database';
import { rateLimited } from '@microservice-math/shared/errors';
import { createLogger } from '@microservice-math/shared/logger';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { authConfigSchema } from '../config.js';
import { UserSchema } from '../entities/User.js';
import { authMigrations } from '../migrations/index.js';
import { createAccounts, type Accounts } from './accounts.js';
import { createCounterStore } from './failureCounters.js';
import { createLoginAttempts } from './loginAttempts.js';
import { createPasswordHasher, type PasswordHasher } from './passwords.js';
import { createRegistrationLimit } from './registrationLimit.js';
import { createUserReads, type UserReads } from '../userReads.js';

const config = authConfigSchema.parse({ BCRYPT_ROUNDS: '4' });
let dir: string;
let orm: Orm;
let passwords: PasswordHasher;
let accounts: Accounts;
let users: UserReads;
/** The password work auth was asked for, by kind. */
const work = { hash: 0, verify: 0 };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mm-accounts-'));
  orm = await openDatabase({
    target: databaseTarget(`file:${join(dir, 'auth.db')}`, 'unused.db'),
    entities: [UserSchema],
    migrationsTable: 'auth_migrations',
    migrations: authMigrations,
    logger: createLogger('test', { level: 'silent', pretty: false }),
  });
  passwords = await createPasswordHasher(config.passwordPool);
  users = createUserReads(orm);
  // The real hasher, counted: what is under test is whether auth asks it at all.
  const counted: PasswordHasher = {
    hash: (...args) => (work.hash++, passwords.hash(...args)),
    verify: (...args) => (work.verify++, passwords.verify(...args)),
    close: () => passwords.close(),
  };
  const counters = createCounterStore(undefined);
  accounts = createAccounts(
    counted,
    createLoginAttempts(config.loginLimits, counters),
    createRegistrationLimit(config.registrationLimits, counters),
    users,
    createLogger('test', { level: 'silent', pretty: false }),
  );
});
afterAll(async () => {
  await passwords?.close();
  users?.close();
  await orm?.close(true);
  rmSync(dir, { recursive: true, force: true });
});

/** A signal that aborts in the turn after the call starts, as a queued connection close does. */
function goneRightAfterArrival(): AbortSignal {
  const controller = new AbortController();
  setImmediate(() => controller.abort());
  return controller.signal;
}

describe('a sign-in whose caller is gone when it is decided', () => {
  it('register: CANCELLED, no password hashed, no account stored', async () => {
    const before = { ...work };
    const em = orm.em.fork();
    await expect(
      accounts.register(
        em,
        'gone_before_hash',
        'long-password',
        '127.0.0.1',
        goneRightAfterArrival(),
      ),
    ).rejects.toMatchObject({ extensions: { code: 'CANCELLED' } });
    expect(work).toEqual(before);
    expect(await orm.em.fork().count(UserSchema, { usernameKey: 'gone_before_hash' })).toBe(0);
  });

  it('login: CANCELLED, no password compared', async () => {
    await accounts.register(orm.em.fork(), 'present_user', 'long-password', '127.0.0.2');
    const before = { ...work };
    await expect(
      accounts.login(
        orm.em.fork(),
        'present_user',
        'long-password',
        '127.0.0.2',
        undefined,
        goneRightAfterArrival(),
      ),
    ).rejects.toMatchObject({ extensions: { code: 'CANCELLED' } });
    expect(work).toEqual(before);
  });

  it('login past its deadline, its caller still there: SERVICE_UNAVAILABLE with a wait, no password compared', async () => {
    await accounts.register(orm.em.fork(), 'late_user', 'long-password', '127.0.0.3');
    const before = { ...work };
    // Aborted on arrival: the account's read still runs (a signal already aborted is left to
    // the caller), and the check before the hash sees the deadline.
    const signal = AbortSignal.abort(new DeadlinePassedError(300));
    await expect(
      accounts.login(orm.em.fork(), 'late_user', 'long-password', '127.0.0.3', undefined, signal),
    ).rejects.toMatchObject({
      message: 'The request did not finish in time; try again shortly',
      extensions: { code: 'SERVICE_UNAVAILABLE', retryAfterSeconds: 1 },
    });
    expect(work).toEqual(before);
  });

  it('still signs in a caller who waits', async () => {
    const user = await accounts.login(
      orm.em.fork(),
      'present_user',
      'long-password',
      '127.0.0.2',
      undefined,
      new AbortController().signal,
    );
    expect(user.username).toBe('present_user');
  });
});

describe('a registration that could not be made, and its place in the limit', () => {
  /** What the stand-in hasher does next: refuse as full workers do, or hash as the caller goes. */
  let next: 'busy' | 'goneWhileHashing' = 'busy';
  let limited: Accounts;

  beforeAll(() => {
    const hasher: PasswordHasher = {
      hash: async () => {
        if (next === 'busy') throw rateLimited(1, 'Too many sign-ins at once; try again shortly');
        leave.abort();
        return 'not-a-real-hash';
      },
      verify: async () => false,
      close: async () => {},
    };
    const counters = createCounterStore(undefined);
    // One registration an address an hour: a place lost for nothing shows at once.
    limited = createAccounts(
      hasher,
      createLoginAttempts(config.loginLimits, counters),
      createRegistrationLimit({ perClient: 1, windowSeconds: 3600 }, counters),
      users,
      createLogger('test', { level: 'silent', pretty: false }),
    );
  });

  let leave = new AbortController();
  const register = (username: string, client: string, signal?: AbortSignal) =>
    limited.register(orm.em.fork(), username, 'long-password', client, signal);
  const refusal = (username: string, client: string, signal?: AbortSignal) =>
    register(username, client, signal).then(
      () => 'ok',
      (error: { extensions?: { code?: string }; message: string }) =>
        `${error.extensions?.code}: ${error.message}`,
    );

  it('keeps counting one refused by full password workers: its name was looked up', async () => {
    // Full workers refuse only a free name (a taken one is refused before any hash): giving
    // this place back would let one address tell free names from taken ones without limit.
    next = 'busy';
    expect(await refusal('busy_1', '192.0.2.10')).toBe(
      'RATE_LIMITED: Too many sign-ins at once; try again shortly',
    );
    expect(await refusal('busy_2', '192.0.2.10')).toMatch(
      /^RATE_LIMITED: Too many registrations from this address/,
    );
  });

  it('gives the place back when the caller went before any hash was asked for', async () => {
    for (const attempt of [1, 2, 3]) {
      expect(await refusal(`gone_${attempt}`, '192.0.2.11', goneRightAfterArrival())).toBe(
        'CANCELLED: The request was cancelled',
      );
    }
    // The address's one place is still there.
    next = 'goneWhileHashing';
    leave = new AbortController();
    expect(await refusal('gone_4', '192.0.2.11', leave.signal)).toBe(
      'CANCELLED: The request was cancelled',
    );
  });

  it('keeps counting a caller gone once its hash was asked for, as a taken name counts', async () => {
    next = 'goneWhileHashing';
    leave = new AbortController();
    expect(await refusal('spent_1', '192.0.2.12', leave.signal)).toBe(
      'CANCELLED: The request was cancelled',
    );
    expect(await refusal('spent_2', '192.0.2.12')).toMatch(
      /^RATE_LIMITED: Too many registrations from this address/,
    );
  });
});

describe('what an attack leaves in the log', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('says failed and refused sign-ins at warn, a line at most every 5 s per kind, never an unknown name tried', async () => {
    vi.useFakeTimers({ toFake: ['performance'] });
    const logger = createLogger('test', { level: 'silent', pretty: false });
    const warned = vi.spyOn(logger, 'warn');
    const counters = createCounterStore(undefined);
    const watched = createAccounts(
      passwords,
      createLoginAttempts(
        {
          perUsername: 2,
          perClient: 3,
          perAccount: 10,
          windowSeconds: 60,
          knownAddressSeconds: 60,
        },
        counters,
      ),
      createRegistrationLimit({ perClient: 1, windowSeconds: 3600 }, counters),
      users,
      logger,
    );
    const client = '192.0.2.40';
    const attempt = (work: () => Promise<unknown>) =>
      work().then(
        () => 'ok',
        (error: { extensions?: { code?: string } }) => error.extensions?.code,
      );
    const login = (username: string, password: string) =>
      attempt(() => watched.login(orm.em.fork(), username, password, client));
    const register = (username: string) =>
      attempt(() => watched.register(orm.em.fork(), username, 'long-password', client));
    const lines = () => warned.mock.calls.map(([fields, message]) => [message, fields]);

    expect(await register('watched_user')).toBe('ok');
    expect(await login('watched_user', 'wrong-password')).toBe('UNAUTHENTICATED');
    expect(await login('watched_user', 'wrong-again')).toBe('UNAUTHENTICATED');
    expect(lines()).toEqual([
      ['failed logins', { failedLogins: 1, client, account: 'watched_user' }],
    ]);

    vi.advanceTimersByTime(5_000);
    expect(await login('correct-horse-typed-as-a-name', 'x')).toBe('UNAUTHENTICATED');
    expect(await login('watched_user', 'third')).toBe('RATE_LIMITED');
    expect(await register('another_user')).toBe('RATE_LIMITED');
    expect(lines().slice(1)).toEqual([
      ['failed logins', { failedLogins: 2, client, account: undefined }],
      [
        'logins refused by the attempt limits',
        { refusedLogins: 1, client, retryAfterSeconds: expect.any(Number) },
      ],
      ['registrations refused by the address limit', { refusedRegistrations: 1, client }],
    ]);
    expect(JSON.stringify(warned.mock.calls)).not.toContain('correct-horse');
  });
});
