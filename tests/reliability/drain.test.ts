/**
 * Lossless shutdown: SIGTERM to auth, math or the router while calls flow through the router.
 * With a drain period (`SHUTDOWN_DRAIN_MS`) the signalled service says 503 on `/ready` at once,
 * keeps answering (each answer with `Connection: close`, so clients open their next connection
 * elsewhere) and only then stops listening; the router retries a subgraph call whose connection
 * failed before any answer byte. So every request sent before the signal is answered with data.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp } from '../support/graphql.js';
import type { ServiceProcess } from '../support/processes.js';
import {
  calculate,
  failuresByReason,
  inLanes,
  sendOperation,
  type Outcome,
} from './support/load.js';
import { storedLogIds } from './support/ownConnection.js';
import { processSet, type ProcessSet, type ServiceName } from './support/serviceProcesses.js';

const DRAIN_MS = 2_000;
const LANES = 8;
const SIGNAL_AT = 60;

interface Drained {
  outcomes: Outcome[];
  signalledAt: number;
  /** `/ready` of the signalled service, asked right after the signal. */
  readyStatus: number;
  /** `Connection` header of a calculation answered by the signalled service during its drain. */
  connectionHeader: string | null;
  exitCode: number | null;
}

/** Lanes of `send` through the router; SIGTERM to `target` once SIGNAL_AT were sent. */
async function sigtermUnderLoad(
  target: ServiceProcess,
  targetUrl: string,
  token: string,
  send: (i: number) => Promise<Outcome>,
): Promise<Drained> {
  let signalledAt = 0;
  let probe: Promise<[number, string | null]> | undefined;
  let exited: Promise<number | null> | undefined;
  const outcomes = await inLanes(
    LANES,
    () => target.gone,
    async (i) => {
      if (i === SIGNAL_AT) {
        signalledAt = performance.now();
        exited = target.stop('SIGTERM', 20_000);
        probe = (async () => {
          // The signal takes a moment to arrive: the first answer other than 200.
          let ready = await fetch(targetUrl.replace(/\/graphql$/, '/ready'));
          while (ready.status === 200)
            ready = await fetch(targetUrl.replace(/\/graphql$/, '/ready'));
          const answer = await fetch(targetUrl, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
            body: JSON.stringify({ query: '{ __typename }' }),
          });
          return [ready.status, answer.headers.get('connection')] as [number, string | null];
        })().catch(
          (error: unknown) =>
            [0, `${String(error)} ${String((error as Error).cause)}`] as [number, string],
        );
      }
      return send(i);
    },
  );
  const [readyStatus, connectionHeader] = await (probe as NonNullable<typeof probe>);
  return {
    outcomes,
    signalledAt,
    readyStatus,
    connectionHeader,
    exitCode: await (exited as NonNullable<typeof exited>),
  };
}

function summary(drained: Drained): string {
  const before = drained.outcomes.filter((o) => o.sentAt < drained.signalledAt);
  const after = drained.outcomes.filter((o) => o.sentAt >= drained.signalledAt);
  return (
    `${before.filter((o) => o.data).length} of ${before.length} sent before SIGTERM answered, ` +
    `${after.filter((o) => o.data).length} of ${after.length} sent after it; ` +
    `not answered: ${JSON.stringify(failuresByReason(drained.outcomes))}`
  );
}

for (const stopped of ['math', 'auth', 'router'] as ServiceName[]) {
  describe(`SIGTERM to ${stopped} with a drain period, calculations flowing through the router`, () => {
    let system: ProcessSet;
    let drained: Drained;

    beforeAll(async () => {
      system = await processSet();
      const drain = { SHUTDOWN_DRAIN_MS: String(DRAIN_MS) };
      const processes = {
        // Concurrent logins of one account reserve attempts: the login limit is not tested here.
        auth: await system.start('auth', {
          LOGIN_MAX_FAILURES: '1000',
          LOGIN_CLIENT_MAX_FAILURES: '100000',
          ...(stopped === 'auth' ? drain : {}),
        }),
        // A loaded machine must not turn a slow answer into COMPUTATION_TIMEOUT here.
        math: await system.start('math', {
          MATH_TIMEOUT_MS: '60000',
          ...(stopped === 'math' ? drain : {}),
        }),
        router: await system.start('router', {
          ROUTER_RATE_LIMIT_PER_MINUTE: '1000000',
          ROUTER_SUBGRAPH_TIMEOUT_MS: '70000',
          ...(stopped === 'router' ? drain : {}),
        }),
      };
      const { token } = await signUp(system.urls.router, `drain_${stopped}`, 'drain-password');
      // Auth is on the path of logins; math (and the router) on that of calculations.
      const send =
        stopped === 'auth'
          ? () =>
              sendOperation(
                system.urls.router,
                'mutation { login(username: "drain_auth", password: "drain-password") { token } }',
              )
          : (i: number) =>
              calculate(
                system.urls.router,
                token,
                `{ factorial(n: ${(i * 7919) % 2000}) { digits log { id } } }`,
              );
      drained = await sigtermUnderLoad(processes[stopped], system.urls[stopped], token, send);
    }, 90_000);
    afterAll(async () => {
      await system?.close();
    });

    it('says not ready at once, and still answers, with Connection: close', ({ annotate }) => {
      void annotate(`measured: ${summary(drained)}`);
      expect(drained.connectionHeader).not.toMatch(/Error/);
      expect(drained.readyStatus).toBe(503);
      expect(drained.connectionHeader).toBe('close');
    });

    it('answers with data every request sent before the signal', () => {
      const before = drained.outcomes.filter((o) => o.sentAt < drained.signalledAt);
      expect(before.length).toBeGreaterThanOrEqual(SIGNAL_AT);
      expect(before.filter((o) => !o.data)).toEqual([]);
    });

    it('logged every answered calculation, and exits 0', async () => {
      expect(drained.exitCode).toBe(0);
      const stored = await storedLogIds(system.databaseUrl);
      const ids = drained.outcomes.flatMap((o) =>
        o.data?.['log'] ? [(o.data['log'] as { id: string }).id] : [],
      );
      expect(ids.filter((id) => !stored.has(id))).toEqual([]);
      expect(system.errorLines(stopped)).toEqual([]);
    });
  });
}
