/**
 * `/ready` answers while a dependency hangs: a check that does not settle counts as failed once
 * its time is up, and the other checks are still reported; a drain that begins while the checks
 * run is heard in that same answer.
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

it('says not ready when a drain begins while its checks are still running', async () => {
  let checkStarted!: () => void;
  const started = new Promise<void>((resolve) => (checkStarted = resolve));
  let answerCheck!: () => void;
  const draining = new ServiceHost({
    name: 'test',
    logger: createLogger('readiness-test', { level: 'silent', pretty: false }),
    production: true,
    readiness: {
      database: () => {
        checkStarted();
        return new Promise<void>((resolve) => (answerCheck = resolve));
      },
    },
  });
  const port = await draining.listen(0, '127.0.0.1');
  try {
    const probe = fetch(`http://127.0.0.1:${port}/ready`, { signal: AbortSignal.timeout(10_000) });
    await started;
    const drained = draining.drain(0);
    answerCheck();
    const response = await probe;
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({
      status: 'not ready',
      service: 'test',
      checks: { database: 'ok' },
    });
    await drained;
  } finally {
    await draining.close();
  }
});
