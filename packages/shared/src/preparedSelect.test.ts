/**
 * A prepared select answers exactly what the query builder it was rendered from answers, for
 * any values in the markers' places, with the rendered constants kept; a marker the query does
 * not bind is an error at once; PostgreSQL gets no prepared select (callers keep the builder).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineEntity, p } from '@mikro-orm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchDatabase } from '../../../tests/support/postgres.js';
import { testDatabaseUrl } from '../../../tests/support/system.js';
import { databaseTarget, openDatabase, type EntityManager, type Orm } from './database.js';
import { createLogger } from './logger.js';
import { preparedSelect } from './preparedSelect.js';

const Reading = defineEntity({
  name: 'Reading',
  tableName: 'readings',
  properties: {
    id: p.integer().primary(),
    sensor: p.string(),
    kind: p.string(),
    value: p.double(),
    ok: p.boolean(),
    takenAt: p.datetime(),
  },
});

const logger = createLogger('test', { level: 'silent', pretty: false });
const open = async (url: string) => {
  const orm = await openDatabase({
    target: databaseTarget(url, 'unused.db'),
    entities: [Reading],
    migrationsTable: 'test_migrations',
    migrations: [],
    logger,
  });
  await orm.schema.createSchema();
  return orm;
};

/** A sensor's newest readings of one kind: a value bound twice, a constant, a limit. */
const newest = (em: EntityManager, sensor: string, limit: number) =>
  em
    .createQueryBuilder(Reading)
    .select('*')
    .where({ sensor, kind: 'temperature', $or: [{ ok: true }, { sensor }] })
    .orderBy({ takenAt: 'desc', id: 'desc' })
    .limit(limit);

describe('preparedSelect on SQLite', () => {
  let dir: string;
  let orm: Orm;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mm-prepared-'));
    orm = await open(`file:${join(dir, 'test.db')}`);
    const em = orm.em.fork();
    for (let i = 1; i <= 30; i++)
      em.create(Reading, {
        id: i,
        sensor: `s${i % 3}`,
        kind: i % 4 === 0 ? 'humidity' : 'temperature',
        value: i / 7,
        ok: i % 5 !== 0,
        // Pairs share a time, so the id breaks ties.
        takenAt: new Date(Date.UTC(2026, 0, 1, 0, Math.floor(i / 2))),
      });
    await em.flush();
  });
  afterAll(async () => {
    await orm?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers what the query builder answers, for every value', async () => {
    const markers: readonly [string, number] = ['\u0000sensor', 1_000_000_007];
    const select = preparedSelect(orm, markers, ([s, n]) => newest(orm.em.fork(), s, n));
    expect(select).toBeDefined();
    for (const [sensor, limit] of [
      ['s0', 3],
      ['s1', 100],
      ['s2', 1],
      ['nobody', 5],
    ] as const) {
      const expected = await newest(orm.em.fork(), sensor, limit).execute('all', true);
      const rows = await select!.all([sensor, limit]);
      expect(rows).toEqual(expected);
      if (sensor !== 'nobody') expect(rows.length).toBeGreaterThan(0);
    }
    // Mapped as the builder maps them: property names and stored values as their types.
    expect((await select!.all(['s1', 1]))[0]).toMatchObject({
      takenAt: expect.any(Date),
      ok: expect.any(Boolean),
    });
    select!.close();
  });

  it('refuses a marker that equals a constant of the query, whose place it could take', () => {
    // 'temperature' is also the query's constant kind: binding a sensor there would change it.
    const markers: readonly [string, number] = ['temperature', 1_000_000_007];
    expect(() => preparedSelect(orm, markers, ([s, n]) => newest(orm.em.fork(), s, n))).toThrow(
      /depend on the values/,
    );
  });

  it('refuses a marker the query does not bind', () => {
    expect(() =>
      preparedSelect(orm, ['\u0000sensor', 'unused'] as const, ([s]) =>
        newest(orm.em.fork(), s, 5),
      ),
    ).toThrow(/markers \["unused"\] are not bound/);
  });
});

describe.skipIf(!testDatabaseUrl)('preparedSelect on PostgreSQL', () => {
  it('is not made: the query builder serves there', async () => {
    const scratch = await createScratchDatabase();
    const orm = await open(scratch.url);
    try {
      expect(preparedSelect(orm, ['x'] as const, ([s]) => newest(orm.em.fork(), s, 1))).toBe(
        undefined,
      );
    } finally {
      await orm.close();
      await scratch.drop();
    }
  });
});
