/**
 * Request logs on SQLite and on PostgreSQL: refused calculations are logged with their code, and
 * `recentLogs` / `User.logs` give the caller's own answered logs, newest first, limit 1 to 100.
 * Every answered calculation's committed row, 1,000 at once, is a load suite:
 * requestLogs.slow.test.ts.
 */
import { EntityManager } from '@mikro-orm/core';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { describeOnDatabases } from '../../../tests/support/postgres.js';
import { mathOn, newCaller, openLogReader, silentLogger } from './mathService.js';

describeOnDatabases('request logs on $database', (on) => {
  const { database, skip } = on;
  const math = mathOn(on);

  it.skipIf(skip)(
    'logs refused calculations with their code, and lists only answered ones',
    async () => {
      const caller = newCaller('refused');
      await math().call('{ factorial(n: 5) { digits } }', {}, caller);
      await math().call('{ factorial(n: -1) { digits } }', {}, caller);
      await math().call('{ factorial(n: 2000000000) { digits } }', {}, caller);
      const rows = await math().logRows({ userId: caller.id });
      expect(rows.map((r) => r.status)).toEqual(['ok', 'BAD_USER_INPUT', 'RESULT_TOO_LARGE']);
      expect(rows[2]).toMatchObject({ input: '{"n":2000000000}', digits: 0, resultPreview: '' });

      const { body } = await math().call('{ recentLogs { input } }', {}, caller);
      expect(body.data?.['recentLogs']).toEqual([{ input: '{"n":5}' }]);
    },
  );

  it.skipIf(skip)(
    'a calculation forks no entity manager of its own; a read of logs forks one',
    async () => {
      const caller = newCaller('forks');
      await math().call('{ factorial(n: 6) { digits } }', {}, caller); // the service is warm
      const forks = vi.spyOn(EntityManager.prototype, 'fork');
      try {
        await math().call('{ factorial(n: 7) { digits log { id } } }', {}, caller);
        expect(forks).not.toHaveBeenCalled();
        const { body } = await math().call('{ recentLogs(limit: 1) { input } }', {}, caller);
        expect(body.data?.['recentLogs']).toEqual([{ input: '{"n":7}' }]);
        expect(forks).toHaveBeenCalled();
      } finally {
        forks.mockRestore();
      }
    },
  );

  it.skipIf(skip)(
    'a valid input longer than its column is logged cut to fit, with the rows committed beside it',
    async () => {
      const caller = newCaller('long_input');
      // A 1,100-digit base is valid (up to 10,000 characters); PostgreSQL refuses a longer
      // varchar(1024), which failed this row and every row in its batch.
      const base = '7'.repeat(1100);
      const [long, beside] = await Promise.all([
        math().call(
          `{ power(base: "${base}", exponent: 1) { input digits log { id } } }`,
          {},
          caller,
        ),
        math().call('{ factorial(n: 12) { digits log { id } } }', {}, caller),
      ]);
      expect(long.body.errors).toBeUndefined();
      expect(beside.body.errors).toBeUndefined();
      expect(long.body.data?.['power'].input).toBe(`{"base":"${base}","exponent":"1"}`);
      const rows = await math().logRows({ userId: caller.id });
      expect(rows).toHaveLength(2);
      const stored = rows.find((r) => r.operation === 'POWER');
      expect(stored?.input).toBe(`{"base":"${base}","exponent":"1"}`.slice(0, 1024));
    },
  );

  it.skipIf(skip)(
    'when no log can be written, the calculation is answered with an error, not left waiting',
    async ({ annotate }) => {
      const caller = newCaller('unloggable');
      // An operator's connection moves the table away: every insert fails until it is back.
      const admin = await openLogReader(math().databaseUrl, silentLogger());
      const rename = (from: string, to: string) =>
        admin.em.getConnection().execute(`alter table ${from} rename to ${to}`);
      await rename('request_log', 'request_log_away');
      let elapsedMs: number;
      try {
        const started = performance.now();
        // Its row fails (after the writer's retries), then so does the row logging that failure;
        // that second write used to wait for a flush that never came.
        const { body } = await math().call('{ factorial(n: 13) { digits } }', {}, caller);
        elapsedMs = performance.now() - started;
        expect(body.errors?.[0]?.extensions?.['code']).toBe('INTERNAL_SERVER_ERROR');
      } finally {
        await rename('request_log_away', 'request_log');
        await admin.close();
      }
      const again = await math().call('{ factorial(n: 13) { digits } }', {}, caller);
      expect(again.body.errors).toBeUndefined();
      await annotate(
        `measured (${database}): answered with an error after ${elapsedMs.toFixed(0)} ms`,
      );
    },
  );

  describe('recentLogs and User.logs', () => {
    const owner = newCaller('owner');
    const inputs: string[] = []; // in the order the calculations were answered

    beforeAll(async () => {
      if (skip) return;
      for (let n = 1; n <= 25; n++) {
        const { body } = await math().call(`{ fibonacci(n: ${n}) { input } }`, {}, owner);
        inputs.push(body.data?.['fibonacci'].input as string);
      }
    });
    const newestFirst = () => [...inputs].reverse();

    it.skipIf(skip)('recentLogs: the caller’s, newest first, 20 by default, 1 to 100', async () => {
      const recent = async (args: string) =>
        (await math().call(`{ recentLogs${args} { input } }`, {}, owner)).body.data?.[
          'recentLogs'
        ].map((log: { input: string }) => log.input);
      expect(await recent('')).toEqual(newestFirst().slice(0, 20));
      expect(await recent('(limit: 1)')).toEqual(newestFirst().slice(0, 1));
      expect(await recent('(limit: 100)')).toEqual(newestFirst());

      const stranger = await math().call('{ recentLogs { input } }', {}, newCaller('stranger'));
      expect(stranger.body.data?.['recentLogs']).toEqual([]);
    });

    it.skipIf(skip)(
      'a listed log reads as the calculation answered it, field for field',
      async () => {
        const reader = newCaller('fields');
        const FIELDS =
          '{ id operation input resultPreview digits cached durationMs status createdAt }';
        const answered = await math().call(`{ factorial(n: 30) { log ${FIELDS} } }`, {}, reader);
        const listed = await math().call(`{ recentLogs(limit: 1) ${FIELDS} }`, {}, reader);
        const log = answered.body.data?.['factorial'].log as Record<string, unknown>;
        expect(listed.body.data?.['recentLogs']).toEqual([log]);
        expect(log).toMatchObject({ operation: 'FACTORIAL', digits: 33, status: 'ok' });
        expect([typeof log['cached'], typeof log['durationMs']]).toEqual(['boolean', 'number']);
      },
    );

    it.skipIf(skip)('User.logs: the same rules, and only for the user themself', async () => {
      const logsOf = (userId: string, limit: number, as = owner) =>
        math().call(
          `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { logs(limit: ${limit}) { input } } } }`,
          { r: [{ __typename: 'User', id: userId }] },
          as,
        );
      const own = await logsOf(owner.id, 7);
      expect(own.body.data?.['_entities'][0].logs.map((l: { input: string }) => l.input)).toEqual(
        newestFirst().slice(0, 7),
      );
      const other = await logsOf(owner.id, 7, newCaller('nosy'));
      expect(other.body.errors?.map((e) => e.extensions?.['code'])).toEqual(['FORBIDDEN']);
    });
  });

  describe('refused and cancelled logs in the list', () => {
    const owner = newCaller('mixed');
    /** [input, status] newest first: answered and refused calculations interleaved. */
    const written: Array<[string, string]> = [];

    beforeAll(async () => {
      if (skip) return;
      for (let n = 1; n <= 6; n++) {
        const answered = await math().call(`{ factorial(n: ${n}) { input } }`, {}, owner);
        written.unshift([answered.body.data?.['factorial'].input as string, 'ok']);
        // Far beyond the digit budget: refused before any work, and logged with its code.
        const refused = await math().call(
          `{ factorial(n: ${10_000_000 + n}) { input } }`,
          {},
          owner,
        );
        expect(refused.body.errors?.[0]?.extensions?.['code']).toBe('RESULT_TOO_LARGE');
        written.unshift([`{"n":${10_000_000 + n}}`, 'RESULT_TOO_LARGE']);
      }
    });

    const list = async (args: string) =>
      ((await math().call(`{ recentLogs${args} { id input status resultPreview } }`, {}, owner))
        .body.data?.['recentLogs'] ?? []) as Array<{
        id: string;
        input: string;
        status: string;
        resultPreview: string;
      }>;

    it.skipIf(skip)('lists refused ones, with their code, only when asked to', async () => {
      const answered = await list('(limit: 100)');
      expect(answered.map((log) => [log.input, log.status])).toEqual(
        written.filter(([, status]) => status === 'ok'),
      );
      const all = await list('(limit: 100, includeRefused: true)');
      expect(all.map((log) => [log.input, log.status])).toEqual(written);
      expect(all.find((log) => log.status !== 'ok')?.resultPreview).toBe('');
    });

    it.skipIf(skip)(
      'pages through the mixed list by cursor with no gap and no repeat',
      async () => {
        const seen: Array<[string, string]> = [];
        let before: string | undefined;
        for (let page = 0; page < 10; page++) {
          const logs = await list(
            `(limit: 5, includeRefused: true${before ? `, before: "${before}"` : ''})`,
          );
          seen.push(...logs.map((log): [string, string] => [log.input, log.status]));
          if (logs.length < 5) break;
          before = logs[logs.length - 1]?.id;
        }
        expect(seen).toEqual(written);
        // A refused log's id is a cursor for the answered-only list too.
        const refusedId = (await list('(limit: 1, includeRefused: true)'))[0]?.id;
        const after = await list(`(limit: 100, before: "${refusedId}")`);
        expect(after.map((log) => log.input)).toEqual(
          written
            .slice(1)
            .filter(([, status]) => status === 'ok')
            .map(([input]) => input),
        );
      },
    );

    it.skipIf(skip)('User.logs takes the same argument', async () => {
      const { body } = await math().call(
        `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { a: logs(limit: 100) { status } b: logs(limit: 100, includeRefused: true) { status } } } }`,
        { r: [{ __typename: 'User', id: owner.id }] },
        owner,
      );
      const user = body.data?.['_entities'][0] as Record<string, Array<{ status: string }>>;
      expect(user['a']?.map((log) => log.status)).toEqual(
        written.filter(([, s]) => s === 'ok').map(([, s]) => s),
      );
      expect(user['b']?.map((log) => log.status)).toEqual(written.map(([, status]) => status));
    });
  });
});
