import { EntityManager } from 'typeorm';
import { ListIncidentsQueryDto } from '@opsplane/contracts';
import { isUuid, TenantId } from '@opsplane/db';
import { IncidentEntity, TimelineEntryEntity } from './incident.entity';
import { rankOfPriority, rankOfSeverity } from './priority';

/**
 * The incident hot paths (create, find, list) in plain SQL: the entity mapping of the ORM cost
 * more CPU than the queries themselves (see bench/). Every statement still runs inside
 * TenantDb.run, so row-level security applies; the explicit tenant_id predicates let the planner
 * use the (tenant_id, ...) indexes.
 */
const T = '"incidents"."incidents"';

const COLUMNS: [keyof IncidentEntity, string][] = [
  ['id', 'id'],
  ['tenantId', 'tenant_id'],
  ['number', 'number'],
  ['title', 'title'],
  ['description', 'description'],
  ['status', 'status'],
  ['priorityRank', 'priority_rank'],
  ['criticality', 'criticality'],
  ['urgency', 'urgency'],
  ['source', 'source'],
  ['assignedTo', 'assigned_to'],
  ['affectedServices', 'affected_services'],
  ['tags', 'tags'],
  ['ciIds', 'ci_ids'],
  ['resolutionNotes', 'resolution_notes'],
  ['resolvedBy', 'resolved_by'],
  ['createdBy', 'created_by'],
  ['createdAt', 'created_at'],
  ['updatedAt', 'updated_at'],
  ['triggeredAt', 'triggered_at'],
  ['openedAt', 'opened_at'],
  ['acknowledgedAt', 'acknowledged_at'],
  ['investigatingAt', 'investigating_at'],
  ['resolvedAt', 'resolved_at'],
  ['closedAt', 'closed_at'],
  ['reopenedAt', 'reopened_at'],
  ['version', 'version'],
];
const SELECT_LIST = COLUMNS.map(([, c]) => c).join(', ');
const INSERT_SQL = `INSERT INTO ${T} (${SELECT_LIST}) VALUES (${COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})`;

type Row = Record<string, unknown>;

function toEntity(r: Row): IncidentEntity {
  const e = new IncidentEntity();
  for (const [prop, col] of COLUMNS) (e as unknown as Row)[prop] = r[col];
  e.number = Number(r.number);
  return e;
}

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
  await em.query(
    INSERT_SQL,
    COLUMNS.map(([prop]) => e[prop]),
  );
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
  const rows: Row[] = await em.query(`SELECT ${SELECT_LIST} FROM ${T} WHERE tenant_id = $1 AND ${where}${forUpdate ? ' FOR UPDATE' : ''}`, [tenant, key]);
  return rows.length ? toEntity(rows[0]) : null;
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
  if (q.ci_id) add((p) => `ci_ids @> ARRAY[${p}::text]`, q.ci_id);
  if (q.tag) add((p) => `tags @> ARRAY[${p}::text]`, q.tag);
  if (q.q) {
    const ts = toPrefixTsQuery(q.q);
    if (ts) add((p) => `search @@ to_tsquery('simple', ${p})`, ts);
  }
  if (q.created_from) add((p) => `created_at >= ${p}`, q.created_from);
  if (q.created_to) add((p) => `created_at < ${p}`, q.created_to);
  if (q.updated_since) add((p) => `updated_at >= ${p}`, q.updated_since);
  const filter = where.join(' AND ');
  const desc = q.sort.startsWith('-') ? 'DESC' : 'ASC';
  const col = SORT_COLUMNS[q.sort.replace(/^-/, '')];
  const [count, rows] = [
    (await em.query(`SELECT count(*)::int AS n FROM ${T} WHERE ${filter}`, params)) as { n: number }[],
    (await em.query(`SELECT ${SELECT_LIST} FROM ${T} WHERE ${filter} ORDER BY ${col} ${desc}, id ${desc} LIMIT ${q.limit} OFFSET ${q.offset}`, params)) as Row[],
  ];
  return { rows: rows.map(toEntity), total: count[0].n };
}

const UPDATABLE = COLUMNS.filter(([prop]) => !['id', 'tenantId', 'number', 'createdBy', 'createdAt'].includes(prop));
const UPDATE_SQL = `UPDATE ${T} SET ${UPDATABLE.map(([, c], i) => `${c} = $${i + 2}`).join(', ')} WHERE id = $1`;

export async function updateIncident(em: EntityManager, e: IncidentEntity): Promise<void> {
  await em.query(UPDATE_SQL, [e.id, ...UPDATABLE.map(([prop]) => e[prop])]);
}

export async function insertTimeline(em: EntityManager, t: TimelineEntryEntity): Promise<void> {
  await em.query(
    `INSERT INTO "incidents"."incident_timeline" (id, tenant_id, incident_id, type, actor_id, actor_email, actor_type, token_id, changes, message, trace_id, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
    [t.id, t.tenantId, t.incidentId, t.type, t.actorId, t.actorEmail, t.actorType, t.tokenId, JSON.stringify(t.changes), t.message, t.traceId, t.createdAt],
  );
}
