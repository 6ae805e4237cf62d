/**
 * SIGTERM under load to auth and to the router, each a process of its own (math's own test is
 * subgraphs/math/test/shutdown.test.ts): the process exits 0 within 10 s, everything it answered
 * is stored, and every request either gets its answer or a connection error a client can retry;
 * none gets an error from a half-closed service.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeCode, eventStream, signUp, wsClient } from '../support/graphql.js';
import type { ServiceProcess } from '../support/processes.js';
import { ROUTER_SECRET_HEADER } from '@microservice-math/shared/routerContext';
import {
  calculate,
  failuresByReason,
  inLanes,
  sendOperation,
  type Outcome,
} from './support/load.js';
import { storedLogIds, storedUsernames } from './support/ownConnection.js';
import { processSet, type ProcessSet } from './support/serviceProcesses.js';
import { metricValue, scrapeMetrics } from '../support/metrics.js';
import { waitFor } from '../support/waitFor.js';

const EXIT_WITHIN_MS = 10_000;
/** What a client sees of a connection that closed or was refused: it may retry elsewhere. */
const CONNECTION_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE']);

interface Shutdown {
  outcomes: Outcome[];
  signalledAt: number;
  exitCode: number | null;
  exitMs: number;
}

/**
 * Runs `lanes` of `send` against `service`, sends SIGTERM once `signalAt` requests have been
 * sent, and keeps sending until the process has exited.
 */
async function sigtermUnderLoad(
  service: ServiceProcess,
  lanes: number,
  signalAt: number,
  send: (i: number) => Promise<Outcome>,
): Promise<Shutdown> {
  let signalledAt = 0;
  let exited: Promise<{ code: number | null; ms: number }> | undefined;
  // Once connections are refused the service has stopped listening: more requests add nothing.
  let refused = false;
  const outcomes = await inLanes(
    lanes,
    () => refused || service.child.exitCode !== null || service.child.signalCode !== null,
    async (i) => {
      if (i === signalAt) {
        signalledAt = performance.now();
        exited = service
          .stop('SIGTERM', EXIT_WITHIN_MS + 5_000)
          .then((code) => ({ code, ms: performance.now() - signalledAt }));
      }
      const outcome = await send(i);
      refused ||= outcome.failure === 'ECONNREFUSED';
      return outcome;
    },
  );
  const { code, ms } = await (exited as NonNullable<typeof exited>);
  return { outcomes, signalledAt, exitCode: code, exitMs: ms };
}

/**
 * Math's own verdict on a calculation, which reaches the client whether or not its router is
 * draining: on a machine loaded enough (a load average of 10 in CI), a small factorial queued
 * behind others can pass math's 10 s deadline. It is an answer, not a half-closed router's error.
 */
const MATH_VERDICTS = new Set(['COMPUTATION_TIMEOUT']);

/** Answered with data or math's verdict, or a connection error: never another HTTP or GraphQL error. */
function unclear(outcomes: Outcome[]): Outcome[] {
  return outcomes.filter(
    (o) =>
      !o.data && !CONNECTION_ERRORS.has(o.failure ?? '') && !MATH_VERDICTS.has(o.failure ?? ''),
  );
}

function summary(shutdown: Shutdown): string {
  const answered = shutdown.outcomes.filter((o) => o.data).length;
  const early = shutdown.outcomes.filter((o) => o.sentAt < shutdown.signalledAt);
  const late = shutdown.outcomes.filter((o) => o.data && o.sentAt > shutdown.signalledAt).length;
  return (
    `${shutdown.outcomes.length} sent, ${answered} answered with data; of the ${early.length} ` +
    `sent before SIGTERM ${early.filter((o) => o.data).length} were answered, and ${late} sent ` +
    `after it still were; exit ${shutdown.exitCode} ${shutdown.exitMs.toFixed(0)} ms after ` +
    `SIGTERM; not answered: ${JSON.stringify(failuresByReason(shutdown.outcomes))}`
  );
}

/** The test every shutdown here shares: exit 0 in time (and the figures, as an annotation). */
function itExitsInTime(shutdown: () => Shutdown): void {
  it(`exits 0 within ${EXIT_WITHIN_MS / 1000} s`, async ({ annotate }) => {
    await annotate(`measured: ${summary(shutdown())}`);
    expect(shutdown().exitCode).toBe(0);
    expect(shutdown().exitMs).toBeLessThan(EXIT_WITHIN_MS);
  });
}

describe('SIGTERM to auth under registrations and logins', () => {
  let system: ProcessSet;
  let shutdown: Shutdown;
  const run = randomBytes(2).toString('hex');
  const registered = new Map<Outcome, string>();

  beforeAll(async () => {
    system = await processSet();
    const auth = await system.start('auth');
    // Called as the router calls auth: with the shared secret.
    const asRouter = { [ROUTER_SECRET_HEADER]: system.routerSecret };
    const credentials = (field: string) =>
      `mutation($u: String!) { ${field}(username: $u, password: "shutdown-password") { token } }`;
    // Every login is to this one account, many at once: only failed checks count, so none is
    // refused because of the others.
    await sendOperation(system.urls.auth, credentials('register'), { u: `${run}_known` }, asRouter);
    // Password hashing makes each request take a while: plenty are in flight at SIGTERM.
    shutdown = await sigtermUnderLoad(auth, 16, 48, async (i) => {
      if (i % 2) {
        return sendOperation(
          system.urls.auth,
          credentials('login'),
          { u: `${run}_known` },
          asRouter,
        );
      }
      const username = `${run}_new${i}`;
      const outcome = await sendOperation(
        system.urls.auth,
        credentials('register'),
        { u: username },
        asRouter,
      );
      registered.set(outcome, username);
      return outcome;
    });
  }, 60_000);
  afterAll(async () => {
    await system?.close();
  });

  itExitsInTime(() => shutdown);

  it('every request got its answer or a connection error, none a half-closed service’s error', () => {
    expect(unclear(shutdown.outcomes)).toEqual([]);
    expect(shutdown.outcomes.filter((o) => o.data).length).toBeGreaterThanOrEqual(48 - 16);
  });

  it('every registration answered with a token is a stored account', async () => {
    const stored = await storedUsernames(system.databaseUrl);
    const answered = [...registered].filter(([o]) => o.data).map(([, username]) => username);
    expect(answered.filter((username) => !stored.has(username))).toEqual([]);
  });

  it('logged nothing at error level', () => {
    expect(system.errorLines('auth')).toEqual([]);
  });
});

describe('SIGTERM to the router under calculations, with a subscriber connected', () => {
  let system: ProcessSet;
  let shutdown: Shutdown;
  let subscriberClosedWith: Promise<number>;

  beforeAll(async () => {
    system = await processSet();
    await Promise.all([system.start('auth'), system.start('math')]);
    // One user sends the whole load: the per-user request limit is not what is tested here.
    const router = await system.start('router', { ROUTER_RATE_LIMIT_PER_MINUTE: '1000000' });
    const { token } = await signUp(system.urls.router, 'shutdown_user', 'shutdown-password');

    const subscriber = wsClient(system.urls.router, token);
    subscriberClosedWith = closeCode(subscriber);
    await new Promise((resolve) => subscriber.on('connected', resolve));

    shutdown = await sigtermUnderLoad(router, 32, 400, (i) =>
      // Mixed sizes: cache hits, inline results and pooled computations behind the router.
      calculate(
        system.urls.router,
        token,
        `{ factorial(n: ${(i * 7919) % 3000}) { digits log { id } } }`,
      ),
    );
  }, 60_000);
  afterAll(async () => {
    await system?.close();
  });

  itExitsInTime(() => shutdown);

  it('every request got its answer or a connection error, none a half-closed router’s error', () => {
    expect(unclear(shutdown.outcomes)).toEqual([]);
    expect(shutdown.outcomes.filter((o) => o.data).length).toBeGreaterThanOrEqual(400 - 32);
  });

  it('every calculation answered through it has its log row', async () => {
    const stored = await storedLogIds(system.databaseUrl);
    const ids = shutdown.outcomes.flatMap((o) =>
      o.data ? [(o.data['log'] as { id: string }).id] : [],
    );
    expect(ids.filter((id) => !stored.has(id))).toEqual([]);
  });

  it('the open subscription is closed with 1001 Going Away, which clients reconnect after', async () => {
    expect(await subscriberClosedWith).toBe(1001);
  });

  it('logged nothing at error level, and the subgraphs behind it are still ready', async () => {
    expect(system.errorLines('router')).toEqual([]);
    for (const url of [system.urls.auth, system.urls.math]) {
      expect((await fetch(url.replace(/\/graphql$/, '/ready'))).status, url).toBe(200);
    }
  });
});

describe('SIGTERM to the router while calculations sent over graphql-ws and SSE are computing', () => {
  let system: ProcessSet;
  let overSocket: Promise<unknown>;
  let overStream: Promise<string>;
  let closedWith: Promise<number>;
  let exitCode: number | null;

  beforeAll(async () => {
    system = await processSet();
    await Promise.all([system.start('auth'), system.start('math', { MATH_WORKERS: '2' })]);
    const router = await system.start('router');
    const { token } = await signUp(system.urls.router, 'streams_shutdown', 'shutdown-password');
    const client = wsClient(system.urls.router, token);
    closedWith = new Promise((resolve) =>
      client.on('closed', (event) => resolve((event as { code: number }).code)),
    );
    overSocket = new Promise((resolve, reject) =>
      client.subscribe(
        { query: '{ factorial(n: 150000) { digits log { id } } }' },
        { next: resolve, error: reject, complete: () => {} },
      ),
    );
    overSocket.catch(() => {}); // judged below
    overStream = eventStream(
      system.urls.router,
      token,
      '{ fibonacci(n: 3000000) { digits log { id } } }',
    ).then((response) => response.text());
    overStream.catch(() => {});
    // Both computations are under way in math's workers when the router is told to stop.
    await waitFor(async () =>
      expect(metricValue(await scrapeMetrics(system.urls.math), 'math_pool_pending_tasks')).toBe(2),
    );
    exitCode = await router.stop('SIGTERM', EXIT_WITHIN_MS + 5_000);
  }, 60_000);
  afterAll(async () => {
    await system?.close();
  });

  it('answers the socket’s query before closing it with 1001', async () => {
    const result = (await overSocket) as {
      data?: { factorial: { digits: number; log: { id: string } } };
    };
    expect(result.data?.factorial.digits).toBe(711_273);
    expect(await closedWith).toBe(1001);
    const stored = await storedLogIds(system.databaseUrl);
    expect(stored.has(result.data?.factorial.log.id ?? '')).toBe(true);
  });

  it('answers the stream’s query, then ends it', async () => {
    const text = await overStream;
    expect(text).toContain('"digits":626963');
    expect(text).toMatch(/event: complete\n/);
  });

  it('exits 0', () => {
    expect(exitCode).toBe(0);
  });
});
