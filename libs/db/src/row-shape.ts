import { EntityManager, ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';

/**
 * An entity's row, read from its TypeORM metadata, for the hot paths a service writes in plain SQL
 * (the ORM's entity mapping can cost more CPU than the query): the table, the columns in a fixed
 * order, and the conversions both ways. The entity class stays the one declaration of the shape;
 * no list of columns is written twice.
 */
export interface RowShape<T> {
  /** The table as SQL (unqualified: the service's connection has its schema on the search path). */
  table: string;
  /** [property, column] in declaration order. */
  columns: readonly (readonly [keyof T & string, string])[];
  /** `col1, col2, ...` for a SELECT. */
  selectList: string;
  fromRow(row: Record<string, unknown>): T;
  /** The values of `props` (default: every column), ready to bind. */
  values(entity: T, props?: readonly (keyof T & string)[]): unknown[];
  /** INSERT INTO table (every column) VALUES ($1...). */
  insertSql: string;
  /**
   * UPDATE table SET (every column a record is not born with) WHERE id = $1: all but `id`, `tenantId`,
   * `number`, `createdBy`, `createdAt`; bind `[entity.id, ...updateValues(entity)]`.
   */
  updateSql: string;
  updateValues(entity: T): unknown[];
}

/** The properties a record is born with: never rewritten by an update. */
const IMMUTABLE = new Set(['id', 'tenantId', 'number', 'createdBy', 'createdAt']);

/** A `bigint` column read as a number (per-tenant sequence numbers stay far below 2^53). */
export const bigintAsNumber = { to: (v: number) => v, from: (v: string) => Number(v) };

const shapes = new WeakMap<object, Map<unknown, RowShape<unknown>>>();

function toDriver(c: ColumnMetadata, value: unknown): unknown {
  let v = value;
  const t = c.transformer;
  if (t && !Array.isArray(t)) v = t.to(v);
  if ((c.type === 'jsonb' || c.type === 'json') && v !== null && v !== undefined) v = JSON.stringify(v);
  return v;
}

function fromDriver(c: ColumnMetadata, value: unknown): unknown {
  const t = c.transformer;
  return t && !Array.isArray(t) ? t.from(value) : value;
}

export function rowShape<T extends ObjectLiteral>(em: EntityManager, entity: new () => T): RowShape<T> {
  let byEntity = shapes.get(em.connection);
  if (!byEntity) shapes.set(em.connection, (byEntity = new Map()));
  const known = byEntity.get(entity);
  if (known) return known as RowShape<T>;
  const meta = em.connection.getMetadata(entity);
  const cols = meta.columns;
  const byProp = new Map(cols.map((c) => [c.propertyName, c]));
  const mutable = cols.filter((c) => !IMMUTABLE.has(c.propertyName));
  const shape: RowShape<T> = {
    table: `"${meta.tableName}"`,
    columns: cols.map((c) => [c.propertyName as keyof T & string, c.databaseName] as const),
    selectList: cols.map((c) => `"${c.databaseName}"`).join(', '),
    fromRow(row) {
      const e = new entity();
      for (const c of cols) (e as Record<string, unknown>)[c.propertyName] = fromDriver(c, row[c.databaseName]);
      return e;
    },
    values(e, props) {
      return (props ?? shape.columns.map(([p]) => p)).map((p) => toDriver(byProp.get(p)!, e[p]));
    },
    insertSql: `INSERT INTO "${meta.tableName}" (${cols.map((c) => `"${c.databaseName}"`).join(', ')}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')})`,
    updateSql: `UPDATE "${meta.tableName}" SET ${mutable.map((c, i) => `"${c.databaseName}" = $${i + 2}`).join(', ')} WHERE id = $1`,
    updateValues(e) {
      return mutable.map((c) => toDriver(c, e[c.propertyName as keyof T]));
    },
  };
  byEntity.set(entity, shape as RowShape<unknown>);
  return shape;
}
