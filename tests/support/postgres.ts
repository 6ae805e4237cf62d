/** A throwaway PostgreSQL database per test file, on the server `TEST_DATABASE_URL` points at. */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
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
