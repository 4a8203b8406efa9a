import { EntityManager } from 'typeorm';
import { ListIncidentsQueryDto } from '@opsplane/contracts';
import { isUuid, rowShape, TenantId, TenantTx } from '@opsplane/db';
import { IncidentEntity, TimelineEntryEntity } from './incident.entity';
import { rankOfPriority, rankOfSeverity } from './priority';
import { slaFilterSql } from '@opsplane/sla';

/**
 * The incident hot paths (create, find, list) in plain SQL: the entity mapping of the ORM cost
 * more CPU than the queries themselves (see bench/). The columns come from the entity's metadata
 * (rowShape), so the entity stays the one declaration of an incident's row. Every statement still
 * runs inside TenantDb.run, so row-level security applies; the explicit tenant_id predicates let
 * the planner use the (tenant_id, ...) indexes.
 */
const shapeOf = (em: EntityManager) => rowShape(em, IncidentEntity);

type Row = Record<string, unknown>;

const SORT_COLUMNS: Record<string, string> = {
  created_at: 'created_at',
  updated_at: 'updated_at',
  priority: 'priority_rank',
  severity: 'priority_rank',
  reference: 'number',
  status: 'status',
};

/** Turns free text into a prefix-matching tsquery over words (no operators reach PostgreSQL). */
export function toPrefixTsQuery(q: string): string | null {
  const words = q.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? [];
  return words.length ? words.slice(0, 10).map((w) => `${w}:*`).join(' & ') : null;
}

export async function insertIncident(em: EntityManager, e: IncidentEntity): Promise<void> {
  const shape = shapeOf(em);
  await em.query(shape.insertSql, shape.values(e));
}

/** By uuid or by reference (INC-00000001); null when absent (or another tenant's: RLS). */
export async function findIncident(em: EntityManager, tenant: TenantId, ref: string, forUpdate: boolean): Promise<IncidentEntity | null> {
  let where: string;
  let key: unknown;
  if (isUuid(ref)) {
    where = 'id = $2';
    key = ref.toLowerCase();
  } else {
    const m = /^INC-(\d{1,12})$/i.exec(ref);
    if (!m) return null;
    where = 'number = $2';
    key = Number(m[1]);
  }
  const shape = shapeOf(em);
  const rows: Row[] = await em.query(`SELECT ${shape.selectList} FROM ${shape.table} WHERE tenant_id = $1 AND ${where}${forUpdate ? ' FOR UPDATE' : ''}`, [tenant, key]);
  return rows.length ? shape.fromRow(rows[0]) : null;
}

export async function listIncidents(em: EntityManager, tenant: TenantId, q: ListIncidentsQueryDto): Promise<{ rows: IncidentEntity[]; total: number }> {
  const params: unknown[] = [tenant];
  const where = ['tenant_id = $1'];
  const add = (sql: (p: string) => string, value: unknown) => {
    params.push(value);
    where.push(sql(`$${params.length}`));
  };
  // One value is an equality (so the (tenant, status, rank, created_at) index also gives the order); several, ANY.
  const oneOf = (col: string, type: string, values: unknown[]) =>
    values.length === 1 ? add((p) => `${col} = ${p}`, values[0]) : add((p) => `${col} = ANY(${p}::${type}[])`, values);
  if (q.status?.length) oneOf('status', 'text', q.status);
  if (q.severity?.length) oneOf('priority_rank', 'smallint', q.severity.map(rankOfSeverity));
  if (q.priority?.length) oneOf('priority_rank', 'smallint', q.priority.map(rankOfPriority));
  if (q.assigned_to) add((p) => `assigned_to = ${p}`, q.assigned_to);
  if (q.source) add((p) => `source = ${p}`, q.source);
  if (q.ci_id) add((p) => `id IN (SELECT record_id FROM incident_cis WHERE tenant_id = current_setting('app.tenant_id')::uuid AND ci_id = ${p}::text)`, q.ci_id);
  if (q.tag) add((p) => `tags @> ARRAY[${p}::text]`, q.tag);
  if (q.q) {
    const ts = toPrefixTsQuery(q.q);
    if (ts) add((p) => `search @@ to_tsquery('simple', ${p})`, ts);
  }
  if (q.created_from) add((p) => `created_at >= ${p}`, q.created_from);
  if (q.created_to) add((p) => `created_at < ${p}`, q.created_to);
  if (q.updated_since) add((p) => `updated_at >= ${p}`, q.updated_since);
  if (q.sla) where.push(slaFilterSql(q.sla, 'incidents.id'));
  const filter = where.join(' AND ');
  const shape = shapeOf(em);
  const desc = q.sort.startsWith('-') ? 'DESC' : 'ASC';
  const col = SORT_COLUMNS[q.sort.replace(/^-/, '')];
  const [count, rows] = [
    (await em.query(`SELECT count(*)::int AS n FROM ${shape.table} WHERE ${filter}`, params)) as { n: number }[],
    (await em.query(`SELECT ${shape.selectList} FROM ${shape.table} WHERE ${filter} ORDER BY ${col} ${desc}, id ${desc} LIMIT ${q.limit} OFFSET ${q.offset}`, params)) as Row[],
  ];
  return { rows: rows.map((r) => shape.fromRow(r)), total: count[0].n };
}

/** Every column but those an incident is born with (id, tenant, number, creator, creation time). */
export async function updateIncident(em: EntityManager, e: IncidentEntity): Promise<void> {
  const shape = shapeOf(em);
  await em.query(shape.updateSql, [e.id, ...shape.updateValues(e)]);
}

export async function insertTimeline(em: EntityManager, t: TimelineEntryEntity): Promise<void> {
  const shape = rowShape(em, TimelineEntryEntity);
  await em.query(shape.insertSql, shape.values(t));
}

/** The open incidents (neither resolved nor closed) naming any of the items, newest first (at most 1,000). */
export async function openIncidentsOnCis(
  tx: TenantTx,
  ciIds: string[],
): Promise<{ id: string; number: number; title: string; status: string; priority_rank: number; created_at: Date; ci_ids: string[] }[]> {
  return (await tx.query(
    `SELECT id, number, title, status, priority_rank, created_at, ci_ids FROM incidents
      WHERE id IN (SELECT record_id FROM incident_cis WHERE tenant_id = current_setting('app.tenant_id')::uuid AND ci_id = ANY($1::text[]))
        AND status NOT IN ('resolved', 'closed')
      ORDER BY created_at DESC, id LIMIT 1000`,
    [ciIds],
  )) as { id: string; number: number; title: string; status: string; priority_rank: number; created_at: Date; ci_ids: string[] }[];
}
