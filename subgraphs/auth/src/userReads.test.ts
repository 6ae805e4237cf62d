/**
 * The account a sign-in names is read by its username key with its password hash, on SQLite
 * (a prepared select) and on PostgreSQL (the query builder) alike: the same row the ORM holds,
 * null for a name nobody has, and a key that only looks like another is no match.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { databaseTarget, openDatabase, type Orm } from '@microservice-math/shared/database';
import { createLogger } from '@microservice-math/shared/logger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchDatabase } from '../../../tests/support/postgres.js';
import { testDatabaseUrl } from '../../../tests/support/system.js';
import { UserSchema } from './entities/User.js';
import { authMigrations } from './migrations/index.js';
import { createUserReads, type UserReads } from './userReads.js';

const logger = createLogger('test', { level: 'silent', pretty: false });

function signInReads(name: string, url: () => Promise<{ url: string; drop(): Promise<void> }>) {
  describe(`the account a sign-in names, on ${name}`, () => {
    let database: { url: string; drop(): Promise<void> };
    let orm: Orm;
    let reads: UserReads;
    const ada = {
      id: randomUUID(),
      username: 'Ada_L',
      usernameKey: 'ada_l',
      passwordHash: `$2b$10$${'a'.repeat(53)}`,
      createdAt: new Date('2026-12-01T10:00:00.000Z'),
    };

    beforeAll(async () => {
      database = await url();
      orm = await openDatabase({
        target: databaseTarget(database.url, 'unused.db'),
        entities: [UserSchema],
        migrationsTable: 'auth_migrations',
        migrations: authMigrations,
        logger,
      });
      const em = orm.em.fork();
      em.create(UserSchema, ada);
      em.create(UserSchema, {
        id: randomUUID(),
        username: 'ada_m',
        usernameKey: 'ada_m',
        passwordHash: `$2b$10$${'b'.repeat(53)}`,
        createdAt: new Date(),
      });
      await em.flush();
      reads = createUserReads(orm);
    });
    afterAll(async () => {
      reads?.close();
      await orm?.close(true);
      await database?.drop();
    });

    it('answers the row by its key, password hash included', async () => {
      expect(await reads.userByNameKey(orm.em.fork(), 'ada_l')).toEqual(ada);
    });

    it('answers null for a key nobody has, or one that is a pattern of another', async () => {
      for (const key of ['nobody', 'ada_', 'ada%', 'ADA_L'])
        expect(await reads.userByNameKey(orm.em.fork(), key)).toBeNull();
    });
  });
}

signInReads('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mm-user-reads-'));
  return {
    url: `file:${join(dir, 'auth.db')}`,
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

if (testDatabaseUrl) signInReads('PostgreSQL', createScratchDatabase);
