/**
 * A calculation whose log row PostgreSQL holds (the database accepts connections and answers
 * nothing) is refused SERVICE_UNAVAILABLE with a retry hint when math's deadline (250 ms short of
 * the router's) comes, not left to the router's timeout (INTERNAL_SERVER_ERROR). Once the
 * database answers again, that row is stored and delivered SERVICE_UNAVAILABLE, not `ok`: its
 * caller got that error, not an answer, and a row says the code its caller was given.
 */
import type { Client } from 'graphql-ws';
import { expect, it } from 'vitest';
import { bearer, gql, signUp, subscriptionsOpen, wsClient } from '../support/graphql.js';
import { scratchDatabaseBehindProxy, testDatabaseUrl } from '../support/postgres.js';
import { waitFor } from '../support/waitFor.js';
import { storedLogsOf } from './support/ownConnection.js';
import { processSet } from './support/serviceProcesses.js';

// Math's events reach the router through Redis (the machine's, under a key prefix of the set's).
const redisUrl = process.env['REDIS_URL'];
const ROUTER_SUBGRAPH_TIMEOUT_MS = 2_000;

it.skipIf(!testDatabaseUrl || !redisUrl)(
  'a calculation whose log row the database holds is SERVICE_UNAVAILABLE before the router gives up, and logged and delivered with that code',
  async () => {
    const database = await scratchDatabaseBehindProxy();
    const { proxy, scratch } = database;
    const system = await processSet({ databaseUrl: database.url, redisUrl });
    let client: Client | undefined;
    try {
      await system.start('auth');
      await system.start('math', { MATH_TIMEOUT_MS: '1000' });
      await system.start('router', {
        ROUTER_SUBGRAPH_TIMEOUT_MS: String(ROUTER_SUBGRAPH_TIMEOUT_MS),
      });
      const { token, id } = await signUp(system.urls.router, 'hung_database');
      client = wsClient(system.urls.router, token);
      const delivered: string[] = [];
      client.subscribe<{ logAdded: { input: string; status: string } }>(
        { query: 'subscription { logAdded(includeRefused: true) { input status } }' },
        {
          next: ({ data }) => delivered.push(`${data?.logAdded.input} ${data?.logAdded.status}`),
          error: () => {},
          complete: () => {},
        },
      );
      await subscriptionsOpen(system.urls.router, 1);

      proxy.hold();
      const asked = performance.now();
      const refused = await gql(
        system.urls.router,
        '{ factorial(n: 11) { digits } }',
        {},
        bearer(token),
      );
      const answeredAfterMs = performance.now() - asked;
      expect(refused.errors?.[0]).toMatchObject({
        message: 'The calculation could not be logged in time; try again shortly',
        extensions: { code: 'SERVICE_UNAVAILABLE', retryAfterSeconds: 5 },
      });
      expect(refused.data?.['factorial'] ?? null).toBeNull();
      // Refused at math's deadline, before the router's 2 s subgraph timeout.
      expect(answeredAfterMs).toBeLessThan(ROUTER_SUBGRAPH_TIMEOUT_MS);
      proxy.release();

      await waitFor(async () =>
        expect((await storedLogsOf(scratch.url, id)).map((row) => row.status)).toEqual([
          'SERVICE_UNAVAILABLE',
        ]),
      );
      await waitFor(() => expect(delivered).toEqual(['{"n":11} SERVICE_UNAVAILABLE']));
    } finally {
      await client?.dispose();
      proxy.release();
      await system.close();
      await database.close();
    }
  },
  120_000,
);
