/**
 * The client's `Idempotency-Key` end to end, with auth, math and two routers as processes: a
 * calculation whose router dies after math answered (frozen with SIGSTOP while math computes, so
 * math's answer lands in a socket nobody reads, then SIGKILLed) is sent again with the same key
 * through the other router, under a new request id, and answers with the same `log { id }`:
 * one row, one live event. The key is scoped to the caller (two users with one key get two
 * rows), names one calculation (other arguments under one key get a row of their own), and a
 * malformed key is refused before any work with BAD_USER_INPUT naming the header.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  bearer,
  collect,
  gql,
  signUp,
  subscriptionsOpen,
  wsClient,
  type Account,
  type GraphQLResponse,
} from '../support/graphql.js';
import { metricValue, scrapeMetrics } from '../support/metrics.js';
import {
  createScratchDatabase,
  testDatabaseUrl,
  type ScratchDatabase,
} from '../support/postgres.js';
import { redisUrl } from '../support/system.js';
import { storedLogsOf } from './support/ownConnection.js';
import type { ServiceProcess } from '../support/processes.js';
import { processSet, type ProcessSet } from './support/serviceProcesses.js';

let system: ProcessSet;
let database: ScratchDatabase | undefined;
/** Router A, killed by the first test; router B takes everything else. */
let routerA: ServiceProcess;
let routerB: string;

beforeAll(async () => {
  // PostgreSQL where the suite has one (CI), else SQLite; Redis for the live feed across processes.
  database = testDatabaseUrl ? await createScratchDatabase() : undefined;
  system = await processSet({
    routerInstances: 2,
    ...(database ? { databaseUrl: database.url } : {}),
    ...(redisUrl ? { redisUrl } : {}),
  });
  await system.start('auth');
  await system.start('math', { MATH_WORKERS: '1' });
  [routerA] = await Promise.all([system.startRouter(0), system.startRouter(1)]);
  routerB = system.routerUrls[1] as string;
}, 120_000);
afterAll(async () => {
  await system?.close();
  await database?.drop();
});

const FACTORIAL = 'query($n: Int!) { factorial(n: $n) { digits log { id } } }';

interface Answer {
  factorial: { digits: number; log: { id: string } } | null;
}

function calculate(
  routerUrl: string,
  account: Account,
  n: number,
  key?: string,
): Promise<GraphQLResponse<Answer>> {
  return gql<Answer>(
    routerUrl,
    FACTORIAL,
    { n },
    { ...bearer(account.token), ...(key === undefined ? {} : { 'Idempotency-Key': key }) },
  );
}

function logIdOf(response: GraphQLResponse<Answer>): string {
  expect(response.errors).toBeUndefined();
  return response.data?.factorial?.log.id as string;
}

async function pendingComputations(): Promise<number> {
  return metricValue(await scrapeMetrics(system.urls.math), 'math_pool_pending_tasks');
}

const rowsOf = (account: Account) => storedLogsOf(system.databaseUrl, account.id);

describe.sequential('Idempotency-Key', () => {
  it('logs a calculation once when its router dies after math answered and the client sends it again through another router', async ({
    annotate,
  }) => {
    const user = await signUp(routerB, 'idem_killed_router');
    // The query's plan in router A's cache and math's worker thread started, so what follows
    // waits for nothing but the computation.
    logIdOf(await calculate(routerA.url, user, 10));
    // The user's live feed, on router B (across processes it needs Redis).
    const feed = redisUrl ? wsClient(routerB, user.token) : undefined;
    const events =
      feed &&
      collect<{ logAdded: { id: string } }>(feed, 'subscription { logAdded { id } }', 2, 90_000);
    // Read at the end; a failure before then must not surface as an unhandled rejection.
    events?.done.catch(() => {});
    if (feed) await subscriptionsOpen(routerB, 1);

    const key = randomUUID();
    const n = 200_000;
    const started = performance.now();
    const lost = calculate(routerA.url, user, n, key).then(
      (response) => ({ response }),
      (error: unknown) => ({ error }),
    );
    // Router A has passed the call on once math computes it; frozen now, it never reads the
    // answer math is about to send, as a router that dies in that moment.
    await vi.waitFor(async () => expect(await pendingComputations()).toBe(1), {
      timeout: 20_000,
      interval: 10,
    });
    routerA.child.kill('SIGSTOP');
    // Math answered and committed its `ok` row…
    const committed = await vi.waitFor(
      async () => {
        const rows = (await rowsOf(user)).filter((row) => row.input === `{"n":${n}}`);
        expect(rows.map((row) => row.status)).toEqual(['ok']);
        return rows[0] as { id: string; request_id: string | null };
      },
      { timeout: 30_000, interval: 50 },
    );
    // …and the router dies with the answer: the client's connection fails.
    await routerA.stop('SIGKILL');
    const first = await lost;
    expect('error' in first).toBe(true);

    // The client sends it again, with the same key, through the other router.
    const retried = await calculate(routerB, user, n, key);
    const elapsedMs = performance.now() - started;
    expect(logIdOf(retried)).toBe(committed.id);
    expect(retried.data?.factorial?.digits).toBe(973_351);
    const rows = (await rowsOf(user)).filter((row) => row.input === `{"n":${n}}`);
    expect(rows.map((row) => row.id)).toEqual([committed.id]);
    // The row names the request that stored it (router A's), not the retry's.
    expect(rows[0]?.request_id).toBe(committed.request_id);

    if (events && feed) {
      // Events leave in commit order: once a later calculation's is here, a repeat would be too.
      const later = logIdOf(await calculate(routerB, user, 11, randomUUID()));
      const received = await events.done;
      expect(received.map((event) => event.data?.logAdded.id)).toEqual([committed.id, later]);
      await feed.dispose();
    }
    await annotate(
      `↳ router A killed after math answered; same key through router B: same log id, 1 row (${(elapsedMs / 1000).toFixed(1)} s)`,
    );
  });

  it('without a key, the same calculation sent twice is logged twice', async () => {
    const user = await signUp(routerB, 'idem_no_key');
    const ids = [
      logIdOf(await calculate(routerB, user, 20)),
      logIdOf(await calculate(routerB, user, 20)),
    ];
    expect(new Set(ids).size).toBe(2);
    expect((await rowsOf(user)).map((row) => row.id)).toEqual(ids);
  });

  it('gives two users who send the same key a row each, and each its own on a retry', async () => {
    const [alice, bob] = [await signUp(routerB, 'idem_alice'), await signUp(routerB, 'idem_bob')];
    const key = randomUUID();
    const aliceId = logIdOf(await calculate(routerB, alice, 30, key));
    const bobId = logIdOf(await calculate(routerB, bob, 30, key));
    expect(bobId).not.toBe(aliceId);
    expect(logIdOf(await calculate(routerB, bob, 30, key))).toBe(bobId);
    expect(logIdOf(await calculate(routerB, alice, 30, key))).toBe(aliceId);
    expect((await rowsOf(alice)).map((row) => row.id)).toEqual([aliceId]);
    expect((await rowsOf(bob)).map((row) => row.id)).toEqual([bobId]);
  });

  it('makes a new row for other arguments under the same key, never the first calculation’s', async () => {
    const user = await signUp(routerB, 'idem_other_args');
    const key = randomUUID();
    const first = await calculate(routerB, user, 40, key);
    const other = await calculate(routerB, user, 41, key);
    expect(logIdOf(other)).not.toBe(logIdOf(first));
    expect(other.data?.factorial?.digits).toBe(50); // 41! has 50 digits, 40! has 48
    expect(logIdOf(await calculate(routerB, user, 40, key))).toBe(logIdOf(first));
    const rows = await rowsOf(user);
    expect(rows.map((row) => row.input)).toEqual(['{"n":40}', '{"n":41}']);
  });

  it('accepts the quoted form of a key as the same key', async () => {
    const user = await signUp(routerB, 'idem_quoted');
    const key = randomUUID();
    const plain = logIdOf(await calculate(routerB, user, 50, key));
    expect(logIdOf(await calculate(routerB, user, 50, `"${key}"`))).toBe(plain);
  });

  it.each([
    ['too short', 'abc1234'],
    ['too long', 'k'.repeat(129)],
    ['a space', 'key with spaces'],
    ['a slash', 'abcd/efgh-1234'],
    ['non-ASCII', 'clé-idempotence'],
    ['an unmatched quote', `"${'a'.repeat(20)}`],
    ['two keys', `${randomUUID()}, ${randomUUID()}`],
    ['an empty value', ''],
  ])(
    'refuses a key with %s before any work: HTTP 400, BAD_USER_INPUT naming the header',
    async (_what, key) => {
      const user = await signUp(routerB, `idem_bad_${Math.random().toString(36).slice(2, 10)}`);
      const response = await gql<Answer>(
        routerB,
        FACTORIAL,
        { n: 60 },
        // Non-ASCII is sent as its UTF-8 bytes, as a client that does not encode it would.
        { ...bearer(user.token), 'Idempotency-Key': Buffer.from(key, 'utf8').toString('latin1') },
      );
      expect(response.status).toBe(400);
      expect(response.data ?? null).toBeNull();
      expect(response.errors?.[0]?.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        argument: 'Idempotency-Key',
      });
      expect(response.errors?.[0]?.message).toMatch(
        /^Idempotency-Key: one value of 8 to 128 characters/,
      );
      expect(await rowsOf(user)).toEqual([]);
    },
  );

  it('checks an anonymous caller’s key, and otherwise ignores it', async () => {
    const bad = await gql(routerB, '{ me { id } }', {}, { 'Idempotency-Key': 'no' });
    expect(bad.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    const good = await gql(routerB, '{ me { id } }', {}, { 'Idempotency-Key': randomUUID() });
    expect(good.errors).toBeUndefined();
    expect(good.data).toEqual({ me: null });
  });
});
