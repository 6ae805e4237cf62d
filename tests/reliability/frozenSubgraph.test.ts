/**
 * A math process frozen (SIGSTOP: a stalled VM, a long GC pause, a container throttled to zero)
 * while the router's calls to it wait in its sockets: the router gives up at its subgraph
 * deadline and answers its callers with an error, closing those connections. When math runs
 * again it reads requests whose caller is gone; it must not compute them and log them `ok` (the
 * user got an error, their log would say the calculation was answered), but log CANCELLED.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, gql, signUp, type Account, type GraphQLResponse } from '../support/graphql.js';
import type { ServiceProcess } from '../support/processes.js';
import { waitFor } from '../support/waitFor.js';
import { storedLogsOf } from './support/ownConnection.js';
import { processSet, type ProcessSet } from './support/serviceProcesses.js';

/** The router's subgraph deadline here: short, so that the test is. */
const ROUTER_DEADLINE_MS = 1_000;
const QUEUED = 4;

let system: ProcessSet;
let math: ServiceProcess;
let account: Account;

beforeAll(async () => {
  system = await processSet();
  await system.start('auth');
  math = await system.start('math');
  await system.start('router', { ROUTER_SUBGRAPH_TIMEOUT_MS: String(ROUTER_DEADLINE_MS) });
  account = await signUp(system.urls.router, 'frozen_math_user', 'frozen-password');
}, 90_000);
afterAll(async () => {
  if (math && !math.gone) math.child.kill('SIGCONT');
  await system?.close();
});

describe('a math process frozen while the router’s calls wait in its sockets', () => {
  it('logs the calls the router gave up on as CANCELLED, never ok, once it runs again', async () => {
    // Answered before the freeze: the path works, and this row is the one `ok` expected.
    const warm = await gql(
      system.urls.router,
      '{ fibonacci(n: 10) { digits } }',
      {},
      bearer(account.token),
    );
    expect(warm.errors).toBeUndefined();

    math.child.kill('SIGSTOP');
    let answers: Array<GraphQLResponse<{ factorial: unknown }>>;
    try {
      // Distinct inputs: no cache hit, no shared computation; each its own call to math.
      answers = await Promise.all(
        Array.from({ length: QUEUED }, (_, i) =>
          gql<{ factorial: unknown }>(
            system.urls.router,
            `{ factorial(n: ${100 + i}) { digits } }`,
            {},
            bearer(account.token),
          ),
        ),
      );
    } finally {
      math.child.kill('SIGCONT');
    }
    // The router answered every caller with an error at its deadline, math frozen all along.
    for (const answer of answers) {
      expect(answer.data?.factorial ?? null).toBeNull();
      expect(answer.errors?.length).toBeGreaterThan(0);
    }

    // Math reads the queued requests once it runs again; each is logged, and none as answered.
    const logs = await waitFor(async () => {
      const rows = await storedLogsOf(system.databaseUrl, account.id);
      expect(rows).toHaveLength(1 + QUEUED);
      return rows;
    });
    const queued = logs.filter((row) => row.input !== '{"n":10}');
    expect(queued.map((row) => `${row.input} ${row.status}`).sort()).toEqual(
      Array.from({ length: QUEUED }, (_, i) => `{"n":${100 + i}} CANCELLED`).sort(),
    );
  });
});
