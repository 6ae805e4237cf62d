/**
 * A calculation whose log row cannot reach the database (PostgreSQL down, the network to it cut)
 * is answered SERVICE_UNAVAILABLE with a wait to come back after, not as a fault of ours; once
 * the database is back, calculations are answered and logged again.
 */
import { expect, it } from 'vitest';
import { scratchDatabaseBehindProxy, testDatabaseUrl } from '../../../tests/support/postgres.js';
import { waitFor } from '../../../tests/support/waitFor.js';
import { newCaller, startMath } from './mathService.js';

it.skipIf(!testDatabaseUrl)(
  'is SERVICE_UNAVAILABLE with retryAfterSeconds while the database is out of reach',
  async () => {
    const database = await scratchDatabaseBehindProxy();
    const { proxy } = database;
    const math = await startMath({ env: { DATABASE_URL: database.url } });
    const caller = newCaller('db_away');
    const calculate = (n: number) => math.call(`{ factorial(n: ${n}) { digits } }`, {}, caller);
    try {
      expect((await calculate(5)).body.errors).toBeUndefined();
      proxy.cut();
      const { body } = await calculate(6);
      expect(body.errors?.[0]).toMatchObject({
        message:
          'The calculation could not be logged: the database is not reachable; try again shortly',
        extensions: { code: 'SERVICE_UNAVAILABLE', retryAfterSeconds: 5 },
      });
      proxy.restore();
      await waitFor(async () => expect((await calculate(7)).body.errors).toBeUndefined());
    } finally {
      await math.stop();
      await database.close();
    }
  },
  60_000,
);
