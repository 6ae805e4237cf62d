/**
 * A service started while its PostgreSQL is not reachable (restarting, or started beside it)
 * waits for it, saying so, and is ready once it is, instead of exiting: replicas restarted
 * during a database restart come back by themselves.
 */
import { expect, it } from 'vitest';
import { scratchDatabaseBehindProxy, testDatabaseUrl } from '../support/postgres.js';
import { waitFor } from '../support/waitFor.js';
import { processSet } from './support/serviceProcesses.js';

it.skipIf(!testDatabaseUrl)(
  'math waits for a database it cannot reach yet, and is ready once it can',
  async () => {
    const database = await scratchDatabaseBehindProxy();
    const { proxy } = database;
    // Every connection closed at once, as by a database that is down.
    proxy.cut();
    const system = await processSet({ databaseUrl: database.url });
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
      await database.close();
    }
  },
  90_000,
);
