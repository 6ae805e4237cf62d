/**
 * A throwaway PostgreSQL database per test file, on the server `TEST_DATABASE_URL` points at; and
 * the blocks of tests run once on SQLite and once on PostgreSQL (skipped without that server).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe } from 'vitest';
import { startTcpProxy, type TcpProxy } from './tcpProxy.js';

export const testDatabaseUrl = process.env['TEST_DATABASE_URL'];

export interface ScratchDatabase {
  url: string;
  drop(): Promise<void>;
}

async function admin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: testDatabaseUrl });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

export async function createScratchDatabase(): Promise<ScratchDatabase> {
  if (!testDatabaseUrl) throw new Error('TEST_DATABASE_URL is not set');
  const name = `mm_test_${randomBytes(6).toString('hex')}`;
  await admin((client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(testDatabaseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () =>
      admin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(
        () => undefined,
      ),
  };
}

/** A database the tests of a describeOnDatabases block run on. */
export interface TestDatabase {
  /** As startMath and startTestSystem name it. */
  database: 'sqlite' | 'postgres';
  /** As a title says it. */
  name: 'SQLite' | 'PostgreSQL';
  /** Why the block's tests are skipped (PostgreSQL without TEST_DATABASE_URL), or false. */
  skip: string | false;
}

/** SQLite always; PostgreSQL when TEST_DATABASE_URL names a server, skipped otherwise. */
export const testDatabases: readonly TestDatabase[] = [
  { database: 'sqlite', name: 'SQLite', skip: false },
  {
    database: 'postgres',
    name: 'PostgreSQL',
    skip: testDatabaseUrl ? false : 'skipped: TEST_DATABASE_URL unset',
  },
];

/**
 * `describe` once per database of testDatabases, `title` naming it by `$database` or `$name`. A
 * skipped block still declares its tests, each `it.skipIf(skip)`, so that a run without
 * PostgreSQL reports them skipped; its hooks start nothing when `skip`.
 */
export function describeOnDatabases(title: string, body: (on: TestDatabase) => void): void {
  describe.each(testDatabases)(title, body);
}

/**
 * A throwaway database on `database`: a scratch PostgreSQL database, or a SQLite file in a
 * directory of its own. `drop` removes either.
 */
export async function scratchDatabaseOn(
  database: TestDatabase['database'],
): Promise<ScratchDatabase> {
  if (database === 'postgres') return createScratchDatabase();
  const dir = mkdtempSync(join(tmpdir(), 'mm-scratch-'));
  return {
    url: `file:${join(dir, 'scratch.db')}`,
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * A scratch database reached through a TCP proxy the test can cut or hold (tcpProxy.ts): `url`
 * goes through the proxy, `scratch.url` straight to the server.
 */
export async function scratchDatabaseBehindProxy(): Promise<{
  scratch: ScratchDatabase;
  proxy: TcpProxy;
  url: string;
  close(): Promise<void>;
}> {
  const scratch = await createScratchDatabase();
  const through = new URL(scratch.url);
  const proxy = await startTcpProxy(Number(through.port || 5432));
  through.hostname = '127.0.0.1';
  through.port = String(proxy.port);
  return {
    scratch,
    proxy,
    url: through.toString(),
    async close() {
      proxy.release();
      await proxy.close();
      await scratch.drop();
    },
  };
}
