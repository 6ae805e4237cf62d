/**
 * "The database is out of reach" is said only of errors that come from the database: PostgreSQL's
 * own, pg's and knex's words for a lost or unobtainable connection, and socket errors met by the
 * ORM's connection attempts. The same socket error met by another client (an HTTP call, Redis)
 * is not the database's. What a caller is told when the database kept its request from an
 * answer (databaseRefusal, answeredInTime), and what the operator hears of queries given up.
 */
import { request } from 'node:http';
import { createServer, type Socket } from 'node:net';
import { EntitySchema, MikroORM } from '@mikro-orm/core';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import pg from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { testDatabaseUrl } from '../../../tests/support/postgres.js';
import { startTcpProxy } from '../../../tests/support/tcpProxy.js';
import { CallerGoneError, DeadlinePassedError } from './cancellation.js';
import { markConnectionFailures, type Orm } from './database.js';
import { createLogger } from './logger.js';
import {
  createAnsweredInTime,
  DATABASE_LATE_MESSAGE,
  databaseRefusal,
  databaseUnreachable,
  fromTheDatabase,
} from './databaseErrors.js';

/** A local port nothing listens on: connecting is refused. */
async function refusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail('resolved'),
    (error: unknown) => error,
  );
}

/**
 * What a query through the ORM's pool rejects with, against a PostgreSQL URL on `port` (with
 * database.ts's marking of its connection failures); `connection` goes to pg.
 */
async function ormQueryFailure(
  port: number,
  connection: Record<string, unknown> = {},
  through: 'query builder' | 'entity manager' = 'query builder',
): Promise<unknown> {
  const Row = new EntitySchema({
    name: 'Row',
    tableName: 'row',
    properties: { id: { type: 'number', primary: true } },
  });
  const orm = (await MikroORM.init({
    driver: PostgreSqlDriver,
    clientUrl: `postgresql://user:password@127.0.0.1:${port}/nothing`,
    entities: [Row],
    connect: false,
    discovery: { warnWhenNoEntities: false },
    pool: { min: 0 },
    driverOptions: { connection },
  })) as unknown as Orm;
  markConnectionFailures(orm);
  try {
    const em = orm.em.fork();
    return await rejection(
      through === 'query builder'
        ? em.createQueryBuilder(Row).select('*').execute('all')
        : em.count(Row),
    );
  } finally {
    await orm.close(true);
  }
}

/** PostgreSQL's error as pg gives it (DatabaseError): a severity beside the SQLSTATE code. */
function postgresError(code: string, message: string): Error {
  return Object.assign(new Error(message), { severity: 'FATAL', code });
}

describe('counts as the database out of reach', () => {
  it.each([
    [
      'PostgreSQL shutting down (57P01)',
      postgresError('57P01', 'terminating connection due to administrator command'),
      '57P01',
    ],
    [
      'PostgreSQL starting up (57P03)',
      postgresError('57P03', 'the database system is starting up'),
      '57P03',
    ],
    ['a connection exception (08006)', postgresError('08006', 'connection failure'), '08006'],
    [
      'pg losing its connection',
      new Error('Connection terminated unexpectedly'),
      'Connection terminated',
    ],
    [
      'pg giving up connecting',
      new Error('Connection terminated due to connection timeout'),
      'Connection terminated',
    ],
    [
      'knex finding no connection',
      new Error(
        'Knex: Timeout acquiring a connection. The pool is probably full. Are you missing a .transacting(trx) call?',
      ),
      'Knex: Timeout acquiring a connection',
    ],
    [
      'an error caused by one of these',
      new Error('Migration failed', { cause: new Error('Connection terminated unexpectedly') }),
      'Connection terminated',
    ],
  ])('%s', (_what, error, why) => {
    expect(databaseUnreachable(error)).toBe(why);
  });

  it('a refused connection the ORM met (Node’s socket error, as pg passes it on)', async () => {
    const error = await ormQueryFailure(await refusedPort());
    expect(error).toMatchObject({ code: 'ECONNREFUSED', syscall: 'connect' });
    expect(databaseUnreachable(error)).toBe('ECONNREFUSED');
  });

  it('a refused connection met by an entity manager query (MikroORM’s copy of the error)', async () => {
    const error = await ormQueryFailure(await refusedPort(), {}, 'entity manager');
    expect(error).toMatchObject({ name: 'DriverException', code: 'ECONNREFUSED' });
    expect(databaseUnreachable(error)).toBe('ECONNREFUSED');
  });
});

describe('counts a query on a connection pg has lost', () => {
  it.skipIf(!testDatabaseUrl)(
    'pg’s refusal to query a client whose connection failed (a pooled connection cut while idle)',
    async () => {
      const proxy = await startTcpProxy(Number(new URL(testDatabaseUrl as string).port || 5432));
      const url = new URL(testDatabaseUrl as string);
      url.host = `127.0.0.1:${proxy.port}`;
      const client = new pg.Client({ connectionString: url.toString() });
      const lost = new Promise((resolve) => client.once('error', resolve));
      try {
        await client.connect();
        await client.query('SELECT 1');
        proxy.cut();
        await lost; // pg has heard of it: the client is no longer queryable
        const error = await rejection(client.query('SELECT 1'));
        expect(error).toMatchObject({
          message: 'Client has encountered a connection error and is not queryable',
        });
        expect(databaseUnreachable(error)).toBe('Client has encountered a connection error');
      } finally {
        await client.end().catch(() => {});
        await proxy.close();
      }
    },
  );
});

describe('counts a query whose connection is lost while it runs', () => {
  it.skipIf(!testDatabaseUrl)(
    'knex’s error for it, its SQL before pg’s words (PostgreSQL restarting mid-query)',
    async () => {
      const proxy = await startTcpProxy(Number(new URL(testDatabaseUrl as string).port || 5432));
      const url = new URL(testDatabaseUrl as string);
      url.host = `127.0.0.1:${proxy.port}`;
      const orm = (await MikroORM.init({
        driver: PostgreSqlDriver,
        clientUrl: url.toString(),
        entities: [],
        discovery: { warnWhenNoEntities: false },
      })) as unknown as Orm;
      markConnectionFailures(orm);
      const watcher = new pg.Client({ connectionString: testDatabaseUrl });
      await watcher.connect();
      const tag = `lost_${Math.random().toString(36).slice(2)}`;
      try {
        const running = rejection(
          orm.em.getConnection().execute(`select pg_sleep(30) as ${tag}`, [], 'run'),
        );
        // PostgreSQL has the query: the connection is cut while it runs.
        await vi.waitFor(
          async () => {
            const { rowCount } = await watcher.query(
              'select 1 from pg_stat_activity where query like $1 and state = $2',
              [`%as ${tag}`, 'active'],
            );
            expect(rowCount).toBe(1);
          },
          { timeout: 15_000, interval: 20 },
        );
        proxy.cut();
        const error = await running;
        expect(error).toMatchObject({
          message: expect.stringMatching(/ - Connection terminated unexpectedly$/),
        });
        expect(databaseUnreachable(error)).toBe('Connection terminated');
      } finally {
        await watcher.query(
          'select pg_cancel_backend(pid) from pg_stat_activity where query like $1',
          [`%as ${tag}`],
        );
        await watcher.end();
        await orm.close(true);
        await proxy.close();
      }
    },
  );

  it('but not those words inside the SQL of a query that failed for another reason', () => {
    const error = new Error(
      "insert into users (name) values ('x - Connection terminated unexpectedly') - duplicate key value",
    );
    fromTheDatabase(error);
    expect(databaseUnreachable(error)).toBeUndefined();
  });

  it('nor in PostgreSQL’s own error repeating a value it was sent', () => {
    const error = Object.assign(
      new Error(
        'select * from users where id = $1 - invalid input syntax for type integer: "1 - Connection terminated"',
      ),
      { severity: 'ERROR', code: '22P02' },
    );
    fromTheDatabase(error);
    expect(databaseUnreachable(error)).toBeUndefined();
  });
});

describe('counts a connection attempt the database never answered', () => {
  it('pg’s own connection timeout, met by the ORM’s pool', async () => {
    // Accepts the TCP connection and says nothing: a paused database, a black-holed route.
    const held = new Set<Socket>();
    const silent = createServer((socket) => held.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    try {
      const error = await ormQueryFailure(port, { connectionTimeoutMillis: 200 });
      expect(error).toMatchObject({ message: 'timeout expired' });
      expect(databaseUnreachable(error)).toBe('timeout expired');
      // The same words from anything else are not the database's.
      expect(databaseUnreachable(new Error('timeout expired'))).toBeUndefined();
    } finally {
      for (const socket of held) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});

describe('does not count as the database out of reach', () => {
  it('an HTTP call refused (the same socket error, from another client)', async () => {
    const port = await refusedPort();
    const error = await new Promise((resolve) =>
      request(`http://127.0.0.1:${port}/`).on('error', resolve).end(),
    );
    expect(error).toMatchObject({ code: 'ECONNREFUSED', syscall: 'connect' });
    expect(databaseUnreachable(error)).toBeUndefined();
  });

  it('fetch refused', async () => {
    const port = await refusedPort();
    const error = await rejection(fetch(`http://127.0.0.1:${port}/`));
    expect(databaseUnreachable(error)).toBeUndefined();
  });

  it.each([
    [
      'Redis refused',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' }),
    ],
    ['a message that only mentions a connection code', new Error('order 08006 could not be found')],
    [
      'a code like SQLSTATE 08006 on what is not PostgreSQL’s error',
      Object.assign(new Error('refused'), { code: '08006' }),
    ],
    [
      'a PostgreSQL error of another kind (a missing table)',
      postgresError('42P01', 'relation "x" does not exist'),
    ],
  ])('%s', (_what, error) => {
    expect(databaseUnreachable(error)).toBeUndefined();
  });
});

const silent = () => createLogger('test', { level: 'silent', pretty: false });

describe('the refusal of a request the database kept from an answer', () => {
  const unavailable = (message: string) => ({
    message,
    extensions: { code: 'SERVICE_UNAVAILABLE', retryAfterSeconds: 5 },
  });

  it('is SERVICE_UNAVAILABLE with a wait, unless given up for a caller gone (CANCELLED)', () => {
    expect(databaseRefusal('out of reach')).toMatchObject(unavailable('out of reach'));
    const abortedWith = (reason: Error) => {
      const controller = new AbortController();
      controller.abort(reason);
      return controller.signal;
    };
    const atDeadline = abortedWith(new DeadlinePassedError(1_000));
    expect(databaseRefusal('late', atDeadline)).toMatchObject(unavailable('late'));
    const gone = databaseRefusal('late', abortedWith(new CallerGoneError()));
    expect(gone.extensions).toEqual({ code: 'CANCELLED' });
  });

  it('is what a query given up at its signal rejects with', async () => {
    const answeredInTime = createAnsweredInTime(silent());
    const held = new Promise<never>(() => {});
    for (const [reason, expected] of [
      [new DeadlinePassedError(1_000), unavailable(DATABASE_LATE_MESSAGE)],
      [new CallerGoneError(), { extensions: { code: 'CANCELLED' } }],
    ] as const) {
      const controller = new AbortController();
      const read = rejection(answeredInTime(held, controller.signal));
      controller.abort(reason);
      expect(await read).toMatchObject(expected);
    }
  });
});

describe('queries given up at the deadline', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('are said to the operator: one warning at most every 5 s, with how many', async () => {
    vi.useFakeTimers({ toFake: ['performance'] });
    const logger = silent();
    const warned = vi.spyOn(logger, 'warn');
    const answeredInTime = createAnsweredInTime(logger);
    const held = new Promise<never>(() => {});
    const giveUp = async () => {
      const controller = new AbortController();
      const read = rejection(answeredInTime(held, controller.signal));
      controller.abort(new DeadlinePassedError(1_000));
      await read;
    };
    const notes = () =>
      warned.mock.calls
        .filter(([, message]) => String(message).startsWith('database queries given up'))
        .map(([fields]) => fields);
    // A query the database answers in time is not one.
    const controller = new AbortController();
    await answeredInTime(Promise.resolve(1), controller.signal);
    controller.abort(new DeadlinePassedError(1_000));
    expect(notes()).toEqual([]);
    await giveUp();
    await giveUp();
    await giveUp();
    expect(notes()).toEqual([
      { givenUp: 1, lastReason: "DeadlinePassedError: the caller's deadline of 1000 ms passed" },
    ]);
    vi.advanceTimersByTime(4_999);
    await giveUp();
    expect(notes()).toHaveLength(1);
    vi.advanceTimersByTime(1);
    await giveUp();
    expect(notes()).toHaveLength(2);
    expect(notes()[1]).toMatchObject({ givenUp: 4 });
  });
});
