/**
 * The router's request id is an idempotency key of the log: the router retries a call whose
 * connection failed before any answer (on another instance when there is one), and math, which
 * may have computed and logged the first attempt, must not log it twice nor announce it twice.
 * Checked on SQLite and PostgreSQL, with the request id header the router sends. With the
 * client's idempotency key (as the router forwards it, scoped to the caller), the attempts of one
 * calculation under different request ids (sent through different routers) are logged once too.
 */
import { listenToLogAdded, type LogAddedEvent } from '@microservice-math/shared/logAddedEvent';
import { IDEMPOTENCY_KEY_HEADER, REQUEST_ID_HEADER } from '@microservice-math/shared/routerContext';
import { randomBytes, randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { describeOnDatabases } from '../../../tests/support/postgres.js';
import { waitFor } from '../../../tests/support/waitFor.js';
import { mathOn, newCaller } from './mathService.js';

const FACTORIAL = '{ factorial(n: 30) { result log { id } } }';

describeOnDatabases('request logs keyed by request id on $database', (on) => {
  const { skip } = on;
  const math = mathOn(on);

  /** Collects the caller's logAdded events. */
  async function listen(userId: string) {
    const received: LogAddedEvent[] = [];
    const subscription = await listenToLogAdded(math().events, userId, (log) => received.push(log));
    return { received, stop: () => math().events.pubsub.unsubscribe(subscription) };
  }

  const asRequest = (requestId: string) => ({ [REQUEST_ID_HEADER]: requestId });

  it.skipIf(skip)(
    'logs a calculation sent twice with one request id once, with one id, its event sent again for the retry',
    async () => {
      const caller = newCaller('retry');
      const feed = await listen(caller.id);
      const requestId = randomUUID();
      const first = await math().call(FACTORIAL, {}, caller, asRequest(requestId));
      const retried = await math().call(FACTORIAL, {}, caller, asRequest(requestId));
      expect(first.body.errors).toBeUndefined();
      expect(retried.body.data?.['factorial']).toEqual(first.body.data?.['factorial']);

      // Events leave in commit order: once a later request's event is here, a repeat would be too.
      const later = await math().call(
        '{ factorial(n: 5) { log { id } } }',
        {},
        caller,
        asRequest(randomUUID()),
      );
      const laterId = later.body.data?.['factorial'].log.id as string;
      await waitFor(() => expect(feed.received.map((log) => log.id)).toContain(laterId));
      feed.stop();

      const logId = first.body.data?.['factorial'].log.id as string;
      // The same log again: the first attempt may have died before publishing it, and routers
      // deliver a log once by its id (router/src/subscriptions/logFeed.ts).
      expect(feed.received.map((log) => log.id)).toEqual([logId, logId, laterId]);
      const rows = await math().logRows({ userId: caller.id, input: '{"n":30}' });
      expect(rows.map((row) => [row.id, row.requestId, row.responseKey])).toEqual([
        [logId, requestId, 'factorial'],
      ]);
    },
  );

  it.skipIf(skip)('logs the same calculation under two request ids twice', async () => {
    const caller = newCaller('twice');
    const first = await math().call(FACTORIAL, {}, caller, asRequest(randomUUID()));
    const second = await math().call(FACTORIAL, {}, caller, asRequest(randomUUID()));
    const ids = [first, second].map(({ body }) => body.data?.['factorial'].log.id as string);
    expect(new Set(ids).size).toBe(2);
    expect((await math().logRows({ userId: caller.id })).map((row) => row.id)).toEqual(ids);
  });

  it.skipIf(skip)('keys the calculations of one request by their response keys', async () => {
    const caller = newCaller('aliases');
    const query = '{ a: factorial(n: 30) { log { id } } b: factorial(n: 30) { log { id } } }';
    const requestId = randomUUID();
    const first = await math().call(query, {}, caller, asRequest(requestId));
    const retried = await math().call(query, {}, caller, asRequest(requestId));
    const ids = (body: typeof first.body) => [body.data?.['a'].log.id, body.data?.['b'].log.id];
    expect(new Set(ids(first.body)).size).toBe(2);
    expect(ids(retried.body)).toEqual(ids(first.body));
    const rows = await math().logRows({ userId: caller.id });
    expect(rows.map((row) => row.responseKey).sort()).toEqual(['a', 'b']);
  });

  it.skipIf(skip)(
    'keys a calculation by an alias longer than the column once, and apart from one that differs only past the column',
    async () => {
      const caller = newCaller('long-alias');
      // GraphQL names have no length limit; the column holds 255 characters.
      const alias = (last: string) => `${'a'.repeat(300)}${last}`;
      const query = `{ ${alias('x')}: factorial(n: 30) { log { id } } ${alias('y')}: factorial(n: 30) { log { id } } }`;
      const requestId = randomUUID();
      const first = await math().call(query, {}, caller, asRequest(requestId));
      const retried = await math().call(query, {}, caller, asRequest(requestId));
      const ids = (body: typeof first.body) =>
        ['x', 'y'].map((last) => body.data?.[alias(last)].log.id as string);
      expect(first.body.errors).toBeUndefined();
      expect(new Set(ids(first.body)).size).toBe(2);
      expect(ids(retried.body)).toEqual(ids(first.body));
      const rows = await math().logRows({ userId: caller.id });
      expect(rows.map((row) => row.id).sort()).toEqual(ids(first.body).sort());
    },
  );

  it.skipIf(skip)('logs a refusal sent twice with one request id once', async () => {
    const caller = newCaller('refused');
    const query = '{ factorial(n: 10000000) { log { id } } }';
    const requestId = randomUUID();
    for (let attempt = 0; attempt < 2; attempt++) {
      const { body } = await math().call(query, {}, caller, asRequest(requestId));
      expect(body.errors?.[0]?.extensions?.['code']).toBe('RESULT_TOO_LARGE');
    }
    const rows = await math().logRows({ userId: caller.id });
    expect(rows.map((row) => row.status)).toEqual(['RESULT_TOO_LARGE']);
  });
  /** A router's request for the client's key: a request id of its own, the key as forwarded. */
  const withKey = (key: string, requestId = randomUUID()) => ({
    [REQUEST_ID_HEADER]: requestId,
    [IDEMPOTENCY_KEY_HEADER]: key,
  });
  /** A key as the router forwards it: 43 base64url characters (router/src/http/idempotencyKey.ts). */
  const forwardedKey = () => randomBytes(32).toString('base64url');

  it.skipIf(skip)(
    'logs the attempts of one calculation under one idempotency key once, whatever their request ids (its event sent again)',
    async () => {
      const caller = newCaller('client-key');
      const feed = await listen(caller.id);
      const key = forwardedKey();
      const requestId = randomUUID();
      const first = await math().call(FACTORIAL, {}, caller, withKey(key, requestId));
      const again = await math().call(FACTORIAL, {}, caller, withKey(key));
      const logId = first.body.data?.['factorial'].log.id as string;
      expect(again.body.data?.['factorial'].log.id).toBe(logId);

      const later = await math().call(FACTORIAL, {}, caller, asRequest(randomUUID()));
      const laterId = later.body.data?.['factorial'].log.id as string;
      await waitFor(() => expect(feed.received.map((log) => log.id)).toContain(laterId));
      feed.stop();
      expect(feed.received.map((log) => log.id)).toEqual([logId, logId, laterId]);
      const rows = await math().logRows({ userId: caller.id });
      expect(rows.map((row) => row.id)).toEqual([logId, laterId]);
      // The row names the request that stored it; its key is the client key's digest.
      expect(rows[0]?.requestId).toBe(requestId);
      expect(rows[0]?.logKey).toMatch(/^k:[A-Za-z0-9_-]{43}$/);
    },
  );

  it.skipIf(skip)(
    'answers a replay as the calculation was logged: the stored row’s cached and durationMs',
    async () => {
      const caller = newCaller('key-replay');
      const key = forwardedKey();
      const query = '{ factorial(n: 27) { cached durationMs log { id cached durationMs } } }';
      const first = await math().call(query, {}, caller, withKey(key));
      const again = await math().call(query, {}, caller, withKey(key));
      const answer = again.body.data?.['factorial'];
      expect(answer).toEqual(first.body.data?.['factorial']);
      expect([answer.cached, answer.durationMs]).toEqual([
        answer.log.cached,
        answer.log.durationMs,
      ]);
    },
  );

  it.skipIf(skip)('keeps two callers with one forwarded key apart', async () => {
    const key = forwardedKey();
    const [a, b] = [newCaller('key-a'), newCaller('key-b')];
    const first = await math().call(FACTORIAL, {}, a, withKey(key));
    const second = await math().call(FACTORIAL, {}, b, withKey(key));
    const ids = [first, second].map(({ body }) => body.data?.['factorial'].log.id as string);
    expect(new Set(ids).size).toBe(2);
    expect((await math().logRows({ userId: b.id })).map((row) => row.id)).toEqual([ids[1]]);
  });

  it.skipIf(skip)('gives another calculation under the same key a row of its own', async () => {
    const caller = newCaller('key-args');
    const key = forwardedKey();
    const ids = [];
    for (const n of [30, 31, 30]) {
      const { body } = await math().call(
        `{ factorial(n: ${n}) { log { id } } }`,
        {},
        caller,
        withKey(key),
      );
      ids.push(body.data?.['factorial'].log.id as string);
    }
    expect(new Set(ids).size).toBe(2);
    expect(ids[2]).toBe(ids[0]);
    const rows = await math().logRows({ userId: caller.id });
    expect(rows.map((row) => row.input)).toEqual(['{"n":30}', '{"n":31}']);
  });

  it.skipIf(skip)("ignores a forwarded key that is not the router's digest", async () => {
    const caller = newCaller('key-bad');
    for (let attempt = 0; attempt < 2; attempt++)
      await math().call(FACTORIAL, {}, caller, withKey('not a digest'));
    const rows = await math().logRows({ userId: caller.id });
    expect(rows).toHaveLength(2);
    expect(rows.every((row) => row.logKey === row.requestId)).toBe(true);
  });
});

describeOnDatabases('recentLogs(answeredAfter:) on $database', (on) => {
  const { skip } = on;
  // 400! and 401! have 869 digits each: together over the limit, so the second is refused.
  const math = mathOn(on, { env: { MATH_MAX_DIGITS: '1000' } });

  const LISTED =
    'query($after: ID!, $before: ID) { recentLogs(answeredAfter: $after, before: $before, includeRefused: true) { id status } }';

  it.skipIf(skip)(
    'lists the refusals a retry answered after the cursor was made, older than it though they are',
    async () => {
      const caller = newCaller('answered');
      const requestId = randomUUID();
      const first = await math().call(
        '{ a: factorial(n: 400) { digits } b: factorial(n: 401) { digits } }',
        {},
        caller,
        { [REQUEST_ID_HEADER]: requestId },
      );
      expect(first.body.errors?.[0]?.extensions?.['code']).toBe('RESULT_TOO_LARGE');
      const [refused] = await math().logRows({ userId: caller.id, status: 'RESULT_TOO_LARGE' });
      const cursor = (await math().call(FACTORIAL, {}, caller)).body.data?.['factorial'].log.id;
      const before = await math().call(LISTED, { after: cursor }, caller);
      expect(before.body).toEqual({ data: { recentLogs: [] } });

      // The router's retry of the refused field alone: answered, under the refusal's id.
      const retried = await math().call('{ b: factorial(n: 401) { log { id } } }', {}, caller, {
        [REQUEST_ID_HEADER]: requestId,
      });
      expect(retried.body.data?.['b'].log.id).toBe(refused?.id);
      const listed = await math().call(LISTED, { after: cursor }, caller);
      expect(listed.body).toEqual({ data: { recentLogs: [{ id: refused?.id, status: 'ok' }] } });
      // Paged by `before` as any list is; a cursor made after the answer lists nothing.
      const paged = await math().call(LISTED, { after: cursor, before: refused?.id }, caller);
      expect(paged.body).toEqual({ data: { recentLogs: [] } });
      const later = (await math().call(FACTORIAL, {}, caller)).body.data?.['factorial'].log.id;
      expect((await math().call(LISTED, { after: later }, caller)).body).toEqual({
        data: { recentLogs: [] },
      });
      const unknown = await math().call(LISTED, { after: randomUUID() }, caller);
      expect(unknown.body.errors?.[0]?.message).toBe(
        'answeredAfter: must be the id of one of your logs',
      );
    },
  );
});
