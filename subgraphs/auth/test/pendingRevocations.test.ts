/**
 * Revocations Redis did not take wait in auth's database (`pending_revocations`) and are
 * delivered by whichever auth instance over that database has Redis back, on SQLite and
 * PostgreSQL: the instance that kept them may be gone.
 */
import { randomUUID } from 'node:crypto';
import { databaseTarget, openDatabase, type Orm } from '@microservice-math/shared/database';
import { createLogger } from '@microservice-math/shared/logger';
import { closeRedis, createRedis } from '@microservice-math/shared/redis';
import {
  createTokenRevocations,
  type PendingRevocations,
} from '@microservice-math/shared/tokenRevocations';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { UserSchema } from '../src/entities/User.js';
import { authMigrations } from '../src/migrations/index.js';
import { pendingRevocationsIn } from '../src/tokens/pendingRevocations.js';
import {
  describeOnDatabases,
  scratchDatabaseOn,
  type ScratchDatabase,
} from '../../../tests/support/postgres.js';
import { startOwnRedis, type OwnRedis } from '../../../tests/support/redisServer.js';

const silent = createLogger('test', { level: 'silent', pretty: false });

describeOnDatabases('pending revocations on $name', ({ database, skip }) => {
  let scratch: ScratchDatabase | undefined;
  let databaseUrl: string;
  let redis: OwnRedis;
  const orms: Orm[] = [];
  const clients: Redis[] = [];

  const open = async () => {
    const orm = await openDatabase({
      target: databaseTarget(databaseUrl, 'unused.db'),
      entities: [UserSchema],
      migrationsTable: 'auth_migrations',
      migrations: authMigrations,
      logger: silent,
    });
    orms.push(orm);
    return orm;
  };
  const connect = () => {
    const client = createRedis(redis.url, silent);
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    if (skip) return;
    scratch = await scratchDatabaseOn(database);
    databaseUrl = scratch.url;
    redis = await startOwnRedis();
  });
  afterAll(async () => {
    await Promise.all(clients.map((client) => closeRedis(client)));
    await Promise.all(orms.map((orm) => orm.close()));
    await redis?.stop();
    await scratch?.drop();
  });

  it.skipIf(skip)(
    'one kept by a stopped instance while Redis was away is delivered by another once Redis returns, then removed; an expired one is dropped',
    async () => {
      const inspector = new Redis(redis.url);
      inspector.on('error', () => {}); // while the test's Redis is stopped
      clients.push(inspector);
      await redis.stop();
      const first = await open();
      const firstStore = pendingRevocationsIn(first);
      const firstRedis = connect();
      const a = createTokenRevocations(firstRedis, { pending: firstStore, logger: silent });
      const tokenId = randomUUID();
      const expiresAt = Math.floor(Date.now() / 1000) + 600;
      await a.revoke(tokenId, expiresAt);
      expect(await firstStore.list()).toEqual([{ tokenId, expiresAt }]);
      const expired = randomUUID();
      await firstStore.keep({ tokenId: expired, expiresAt: Math.floor(Date.now() / 1000) - 1 });
      expect(await a.close()).toBe(1); // stopped with it still pending: it stays in the database
      // Gone entirely, so that only the second instance can deliver it.
      clients.splice(clients.indexOf(firstRedis), 1);
      await closeRedis(firstRedis);
      orms.splice(orms.indexOf(first), 1);
      await first.close();

      const second = await open();
      const secondStore = pendingRevocationsIn(second);
      const b = createTokenRevocations(connect(), { pending: secondStore, logger: silent });
      await redis.start();
      await vi.waitFor(
        async () => expect(await inspector.exists(`revoked-token:${tokenId}`)).toBe(1),
        { timeout: 10_000, interval: 100 },
      );
      await vi.waitFor(async () => expect(await secondStore.list()).toEqual([]), {
        timeout: 5_000,
        interval: 100,
      });
      expect(await inspector.exists(`revoked-token:${expired}`)).toBe(0);
      expect(await b.close()).toBe(0);
    },
  );

  it.skipIf(skip)(
    'one left by an instance that lost Redis alone is delivered by another that never lost it, at its next sweep',
    async () => {
      const inspector = new Redis(redis.url);
      clients.push(inspector);
      const store = pendingRevocationsIn(await open());
      let reads = 0;
      const counted: PendingRevocations = {
        keep: (token) => store.keep(token),
        remove: (tokenId) => store.remove(tokenId),
        list: async () => {
          const kept = await store.list();
          reads++;
          return kept;
        },
      };
      const client = connect();
      const connected = createTokenRevocations(client, {
        pending: counted,
        logger: silent,
        sweepMs: 200,
      });
      // Its reads at the start and on connecting are done: only a sweep reads the store again.
      await vi.waitFor(() => expect(client.status === 'ready' && reads >= 2).toBe(true), {
        timeout: 10_000,
        interval: 20,
      });
      // Left as an instance cut off from Redis leaves it before it crashes (see above).
      const tokenId = randomUUID();
      await store.keep({ tokenId, expiresAt: Math.floor(Date.now() / 1000) + 600 });
      await vi.waitFor(
        async () => expect(await inspector.exists(`revoked-token:${tokenId}`)).toBe(1),
        { timeout: 10_000, interval: 100 },
      );
      await vi.waitFor(async () => expect(await store.list()).toEqual([]), {
        timeout: 5_000,
        interval: 100,
      });
      expect(await connected.close()).toBe(0);
    },
  );
});
