/**
 * A hot read whose SQL is the same on every call but for its values (a user by id, a user's
 * newest logs), kept as a prepared statement on SQLite. The ORM's query builder renders the SQL
 * once, with a marker in place of each value; a call binds its own values in the markers' places
 * and maps the rows as the query builder would (`driver.mapResult`: column to property names,
 * stored values to their types). That spares each call the query builder's and knex's CPU and
 * sqlite3's prepare trip, which in `{ me { username logs } }` cost auth and math more than
 * the rest of their request.
 *
 * Undefined on PostgreSQL (see `preparedStatements`): callers keep the query builder there.
 */
import type { EntityData, EntityMetadata } from '@mikro-orm/core';
import type { QueryBuilder } from '@mikro-orm/sqlite';
import { preparedStatements, type Orm } from './database.js';

export interface PreparedSelect<Values extends readonly unknown[], Row> {
  /** Runs the select with `values` in the markers' places; rows as the query builder maps them. */
  all(values: Values): Promise<Row[]>;
  /** Finalizes its statement. */
  close(): void;
}

/**
 * Renders `build(markers)` once and keeps its statement. Each marker must be a string or number
 * that appears in the rendered bindings as it was given (one no real value equals, e.g.
 * `'\u0000userId'`), so that its place can be found; the other bindings (constants such as a
 * status) stay as rendered. Values are bound as given, so they must be what the column stores
 * (strings and numbers; not null or lists, which would change the SQL itself). Throws at once if
 * a marker is not bound, or if rendering with other markers gives other SQL or other places (the
 * SQL depends on the values, or a constant equals a marker).
 */
export function preparedSelect<Values extends readonly unknown[], Entity extends object>(
  orm: Orm,
  markers: Values,
  build: (values: Values) => QueryBuilder<Entity>,
): PreparedSelect<Values, Entity> | undefined {
  const statements = preparedStatements(orm);
  if (!statements) return undefined;
  const qb = build(markers);
  const sql = qb.getQuery();
  const bindings = qb.getParams();
  const slots = bindings.map((binding) => markers.indexOf(binding));
  const missing = markers.filter((_marker, i) => !slots.includes(i));
  if (missing.length > 0)
    throw new Error(`preparedSelect: markers ${JSON.stringify(missing)} are not bound in ${sql}`);
  const others = markers.map((marker) =>
    typeof marker === 'number' ? marker + 1 : `${String(marker)}\u0001`,
  ) as unknown as Values;
  const again = build(others);
  const slotsAgain = again.getParams().map((binding) => others.indexOf(binding));
  if (again.getQuery() !== sql || slotsAgain.join() !== slots.join())
    throw new Error(`preparedSelect: the SQL or its value places depend on the values: ${sql}`);
  const meta = qb.mainAlias.metadata as EntityMetadata<Entity>;
  const driver = orm.em.getDriver();
  return {
    async all(values) {
      const params = bindings.map((binding, i) => {
        const slot = slots[i] as number;
        return slot < 0 ? binding : values[slot];
      });
      const rows = await statements.all<EntityData<Entity>>(sql, params);
      return rows.map((row) => driver.mapResult(row, meta) as Entity);
    },
    close: () => statements.close(),
  };
}
