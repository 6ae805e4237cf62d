import { join } from 'node:path';
import { databaseTarget, openDatabase } from '@microservice-math/shared/database';
import { createLogger } from '@microservice-math/shared/logger';
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { UserSchema } from '../src/entities/User.js';
import { authMigrations } from '../src/migrations/index.js';
import {
  createScratchDatabase,
  describeOnDatabases,
  type ScratchDatabase,
} from '../../../tests/support/postgres.js';
import { LOGIN, REGISTER, startAuth, type RunningAuth } from './authService.js';

/** "café" with é as one code point (NFC) and as e + U+0301 (NFD): one text, two spellings. */
const CAFE_NFC = 'caf\u00e9';
const CAFE_NFD = 'cafe\u0301';

/**
 * Makes `username`'s stored hash one of `password` exactly as given, as registration did before
 * passwords were normalised: an operator's own connection to the auth database.
 */
async function storeRawPasswordHash(databaseUrl: string, username: string, password: string) {
  const orm = await openDatabase({
    target: databaseTarget(databaseUrl, 'unused.db'),
    entities: [UserSchema],
    migrationsTable: 'auth_migrations',
    migrations: authMigrations,
    logger: createLogger('test', { level: 'silent', pretty: false }),
  });
  try {
    const updated = await orm.em.nativeUpdate(
      UserSchema,
      { usernameKey: username.toLowerCase() },
      { passwordHash: bcrypt.hashSync(password, 4) },
    );
    expect(updated).toBe(1);
  } finally {
    await orm.close();
  }
}

describeOnDatabases('accounts on $name', ({ database, skip }) => {
  let auth: RunningAuth;
  let scratch: ScratchDatabase | undefined;

  beforeAll(async () => {
    if (skip) return;
    if (database === 'postgres') scratch = await createScratchDatabase();
    auth = await startAuth(scratch ? { DATABASE_URL: scratch.url } : {});
  });
  afterAll(async () => {
    await auth?.stop();
    await scratch?.drop();
  });

  it.skipIf(skip)(
    'register signs in at once, login finds the user case-insensitively, me returns them',
    async () => {
      const registered = await auth.call(REGISTER, { u: '  Grace.Hopper ', p: 'cobol-1959' });
      expect(registered.body.errors).toBeUndefined();
      const user = registered.body.data?.register.user;
      expect(user.username).toBe('Grace.Hopper');
      expect(registered.body.data?.register.token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);

      const loggedIn = await auth.call(LOGIN, { u: 'grace.hopper', p: 'cobol-1959' });
      expect(loggedIn.body.data?.login.user.id).toBe(user.id);

      const me = await auth.call(
        '{ me { id username createdAt } }',
        {},
        { user: { id: user.id, username: user.username } },
      );
      expect(me.body.data?.me).toEqual({
        id: user.id,
        username: 'Grace.Hopper',
        createdAt: user.createdAt,
      });
    },
  );

  it.skipIf(skip)(
    'passwords are compared in Unicode NFC: either spelling of one text signs in',
    async () => {
      const typed = `  ${CAFE_NFC} word  `;
      const registered = await auth.call(REGISTER, { u: 'unicode_nfc', p: typed });
      expect(registered.body.errors).toBeUndefined();
      const nfd = await auth.call(LOGIN, { u: 'unicode_nfc', p: `  ${CAFE_NFD} word  ` });
      expect(nfd.body.errors).toBeUndefined();
      expect(nfd.body.data?.login.user.username).toBe('unicode_nfc');
      const nfc = await auth.call(LOGIN, { u: 'unicode_nfc', p: typed });
      expect(nfc.body.errors).toBeUndefined();

      await auth.call(REGISTER, { u: 'unicode_nfd', p: `  ${CAFE_NFD} word  ` });
      const other = await auth.call(LOGIN, { u: 'unicode_nfd', p: typed });
      expect(other.body.errors).toBeUndefined();
      // Normalising is not trimming or folding: a different text is still refused.
      const trimmed = await auth.call(LOGIN, { u: 'unicode_nfd', p: `${CAFE_NFC} word` });
      expect(trimmed.body.errors?.[0]?.message).toBe('Invalid username or password');
    },
  );

  it.skipIf(skip)('the 72-byte limit applies to the NFC form', async () => {
    // 36 × é: 72 bytes in NFC, 108 bytes as typed in NFD.
    const registered = await auth.call(REGISTER, { u: 'unicode_long', p: 'e\u0301'.repeat(36) });
    expect(registered.body.errors).toBeUndefined();
    const login = await auth.call(LOGIN, { u: 'unicode_long', p: '\u00e9'.repeat(36) });
    expect(login.body.errors).toBeUndefined();
    // 37 × é is 74 bytes even in NFC.
    const tooLong = await auth.call(REGISTER, { u: 'unicode_longer', p: 'e\u0301'.repeat(37) });
    expect(tooLong.body.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      argument: 'password',
    });
  });

  it.skipIf(skip)(
    'an account whose hash was made from a non-NFC password still signs in with what was typed',
    async () => {
      const typed = `${CAFE_NFD} au lait`;
      await auth.call(REGISTER, { u: 'unicode_legacy', p: 'placeholder-password' });
      await storeRawPasswordHash(
        scratch?.url ?? `file:${join(auth.dataDir, 'test.db')}`,
        'unicode_legacy',
        typed,
      );
      const login = await auth.call(LOGIN, { u: 'unicode_legacy', p: typed });
      expect(login.body.errors).toBeUndefined();
      expect(login.body.data?.login.user.username).toBe('unicode_legacy');
      const wrong = await auth.call(LOGIN, { u: 'unicode_legacy', p: `${CAFE_NFD} noir` });
      expect(wrong.body.errors?.[0]?.message).toBe('Invalid username or password');
    },
  );

  it.skipIf(skip)('me is null without a user context', async () => {
    const me = await auth.call('{ me { id } }');
    expect(me.body).toEqual({ data: { me: null } });
  });

  it.skipIf(skip)('USERNAME_TAKEN ignores letter case', async () => {
    await auth.call(REGISTER, { u: 'Linus', p: 'penguin-power' });
    const again = await auth.call(REGISTER, { u: 'LINUS', p: 'another-password' });
    expect(again.body.errors?.[0]?.extensions).toMatchObject({
      code: 'USERNAME_TAKEN',
      argument: 'username',
    });
  });

  it.skipIf(skip)('resolves many User references in one request', async () => {
    const ids: string[] = [];
    for (const name of ['ref_a', 'ref_b', 'ref_c']) {
      const r = await auth.call(REGISTER, { u: name, p: 'password-123' });
      ids.push(r.body.data?.register.user.id);
    }
    const representations = [...ids, '00000000-0000-0000-0000-000000000000', 'not-a-uuid'].map(
      (id) => ({ __typename: 'User', id }),
    );
    const result = await auth.call(
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id username } } }',
      { r: representations },
    );
    expect(result.body.errors).toBeUndefined();
    expect(
      result.body.data?._entities.map((u: { username: string } | null) => u?.username ?? null),
    ).toEqual(['ref_a', 'ref_b', 'ref_c', null, null]);
  });
});
