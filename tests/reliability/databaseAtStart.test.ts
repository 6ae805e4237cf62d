/**
 * A service started while its PostgreSQL is not reachable (restarting, or started beside it)
 * waits for it, saying so, and is ready once it is, instead of exiting: replicas restarted
 * during a database restart come back by themselves.
 */
import { expect, it } from 'vitest';
import { createScratchDatabase, testDatabaseUrl } from '../support/postgres.js';
import { startTcpProxy } from '../support/tcpProxy.js';
import { waitFor } from '../support/waitFor.js';
import { processSet } from './support/serviceProcesses.js';

it.skipIf(!testDatabaseUrl)(
  'math waits for a database it cannot reach yet, and is ready once it can',
  async () => {
    const scratch = await createScratchDatabase();
    const database = new URL(scratch.url);
    // Every connection closed at once, as by a database that is down.
    const proxy = await startTcpProxy(Number(database.port || 5432));
    proxy.cut();
    database.hostname = '127.0.0.1';
    database.port = String(proxy.port);
    const system = await processSet({ databaseUrl: database.toString() });
    try {
      const starting = system.start('math');
      // Tried twice and refused: it is still running, and waiting.
      await waitFor(() => expect(proxy.refused).toBeGreaterThanOrEqual(2), 30_000);
      proxy.restore();
      const math = await starting; // resolves once its /ready says yes
      expect(math.output()).toMatch(/database not reachable yet; trying again/);
      expect(system.errorLines('math')).toEqual([]);
    } finally {
      await system.close();
      await proxy.close();
      await scratch.drop();
    }
  },
  90_000,
);
