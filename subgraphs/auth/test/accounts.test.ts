import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createScratchDatabase,
  testDatabaseUrl,
  type ScratchDatabase,
} from '../../../tests/support/postgres.js';
import { LOGIN, REGISTER, startAuth, type RunningAuth } from './authService.js';

const databases = [
  { name: 'SQLite', postgres: false, skip: false as string | false },
  {
    name: 'PostgreSQL',
    postgres: true,
    skip: testDatabaseUrl ? false : 'skipped: TEST_DATABASE_URL unset',
  },
];

describe.each(databases)('accounts on $name', ({ postgres, skip }) => {
  let auth: RunningAuth;
  let scratch: ScratchDatabase | undefined;

  beforeAll(async () => {
    if (skip) return;
    if (postgres) scratch = await createScratchDatabase();
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
