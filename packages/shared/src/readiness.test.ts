/**
 * `/ready` answers while a dependency hangs: a check that does not settle counts as failed once
 * its time is up, and the other checks are still reported.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createLogger } from './logger.js';
import { ServiceHost } from './serviceHost.js';

let host: ServiceHost;
let url: string;
/** How many times the database check was started. */
let databaseChecks = 0;

beforeAll(async () => {
  host = new ServiceHost({
    name: 'test',
    logger: createLogger('readiness-test', { level: 'silent', pretty: false }),
    production: true,
    readiness: {
      // A database that accepts the connection and never answers.
      database: () => {
        databaseChecks += 1;
        return new Promise<void>(() => {});
      },
      cache: async () => {},
    },
    readinessTimeoutMs: 200,
  });
  url = `http://127.0.0.1:${await host.listen(0, '127.0.0.1')}/ready`;
});
afterAll(async () => {
  await host?.close();
});

it('says not ready, naming the check that did not answer in time, instead of hanging', async () => {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  expect(response.status).toBe(503);
  expect(await response.json()).toEqual({
    status: 'not ready',
    service: 'test',
    checks: { database: 'did not answer within 200 ms', cache: 'ok' },
  });
});

it('waits on a check still running instead of starting it again, so probes do not pile up', async () => {
  const before = databaseChecks;
  for (let probe = 0; probe < 3; probe++)
    expect((await fetch(url, { signal: AbortSignal.timeout(10_000) })).status).toBe(503);
  expect(databaseChecks - before).toBeLessThanOrEqual(1);
});
