import { ChangeApprovalPolicyView, ChangeConflictView, ChangePageQueryDto, ListChangesQueryDto } from '@opsplane/contracts';
import { isUuid, nextNumber, rowShape, TenantTx } from '@opsplane/db';
import { ChangeEntity, ChangeTimelineEntity, FreezeWindowEntity } from './change.entity';
import { referenceOf } from './change.mapper';

/**
 * The changes tables in plain SQL, their columns read from the entities (rowShape): the entity is
 * the one declaration of the row. The schema is the connection's search path; row-level security
 * keeps each tenant's rows apart.
 */
const shapeOf = (tx: TenantTx) => rowShape(tx, ChangeEntity);
const timelineShape = (tx: TenantTx) => rowShape(tx, ChangeTimelineEntity);

/** The next CHG number of the tenant (its own short transaction, so no lock is held while a create runs). */
export const nextChangeNumber = (tx: TenantTx): Promise<number> => nextNumber(tx, 'change_counters', tx.tenant);

export async function insertChange(tx: TenantTx, e: ChangeEntity): Promise<void> {
  const shape = shapeOf(tx);
  await tx.query(shape.insertSql, shape.values(e));
}

/** Writes every column but those a change is born with (the version is checked by the caller, under the row lock). */
export async function updateChange(tx: TenantTx, e: ChangeEntity): Promise<void> {
  const shape = shapeOf(tx);
  await tx.query(shape.updateSql, [e.id, ...shape.updateValues(e)]);
}

/** By uuid or CHG reference; `lock` takes the row for an update. */
export async function findChange(tx: TenantTx, ref: string, lock = false): Promise<ChangeEntity | undefined> {
  const shape = shapeOf(tx);
  const m = /^CHG-(\d{1,12})$/i.exec(ref);
  const [where, param] = m ? ['number = $1', Number(m[1])] : isUuid(ref) ? ['id = $1', ref] : [null, null];
  if (!where) return undefined;
  const rows = (await tx.query(`SELECT ${shape.selectList} FROM ${shape.table} WHERE ${where}${lock ? ' FOR UPDATE' : ''}`, [param])) as Record<string, unknown>[];
  return rows.length ? shape.fromRow(rows[0]) : undefined;
}

const RANKS = {
  priority: `array_position(ARRAY['critical','high','medium','low'], priority)`,
  risk_level: `array_position(ARRAY['critical','high','medium','low'], risk_level)`,
} as const;

function orderBy(sort: ListChangesQueryDto['sort']): string {
  const desc = sort.startsWith('-');
  const key = sort.replace(/^-/, '');
  const dir = desc ? 'DESC' : 'ASC';
  switch (key) {
    case 'priority':
    case 'risk_level':
      // "-priority": the most urgent first.
      return `${RANKS[key]} ${desc ? 'ASC' : 'DESC'}, created_at DESC, id DESC`;
    case 'reference':
      return `number ${dir}`;
    case 'scheduled_start':
      return `scheduled_start ${dir} NULLS LAST, id ${dir}`;
    default:
      return `${key} ${dir}, id ${dir}`;
  }
}

export async function listChanges(tx: TenantTx, q: ListChangesQueryDto): Promise<{ rows: ChangeEntity[]; total: number }> {
  const shape = shapeOf(tx);
  const params: unknown[] = [];
  const where: string[] = [];
  const p = (v: unknown) => `$${params.push(v)}`;
  if (q.status?.length) where.push(`status = ANY(${p(q.status)}::text[])`);
  if (q.type?.length) where.push(`type = ANY(${p(q.type)}::text[])`);
  if (q.risk_level?.length) where.push(`risk_level = ANY(${p(q.risk_level)}::text[])`);
  if (q.approval_status?.length) where.push(`approval_status = ANY(${p(q.approval_status)}::text[])`);
  if (q.assigned_to) where.push(`assigned_to = ${p(q.assigned_to)}`);
  if (q.ci_id) where.push(`id IN (SELECT record_id FROM change_cis WHERE tenant_id = current_setting('app.tenant_id')::uuid AND ci_id = ${p(q.ci_id)})`);
  // The window: scheduled, else requested.
  if (q.from) where.push(`COALESCE(scheduled_end, requested_end, scheduled_start, requested_start) >= ${p(q.from)}`);
  if (q.to) where.push(`COALESCE(scheduled_start, requested_start) <= ${p(q.to)}`);
  if (q.q) {
    const like = p(`%${q.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    where.push(`(title ILIKE ${like} OR description ILIKE ${like})`);
  }
  if (q.updated_since) where.push(`updated_at >= ${p(q.updated_since)}`);
  const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const [{ n }] = (await tx.query(`SELECT count(*)::int AS n FROM ${shape.table} ${filter}`, params)) as { n: number }[];
  const rows = (await tx.query(`SELECT ${shape.selectList} FROM ${shape.table} ${filter} ORDER BY ${orderBy(q.sort)} LIMIT ${p(q.limit)} OFFSET ${p(q.offset)}`, params)) as Record<
    string,
    unknown
  >[];
  return { rows: rows.map((r) => shape.fromRow(r)), total: n };
}

export async function insertTimeline(tx: TenantTx, t: ChangeTimelineEntity): Promise<void> {
  const shape = timelineShape(tx);
  await tx.query(shape.insertSql, shape.values(t));
}

export async function listTimeline(tx: TenantTx, changeId: string, q: ChangePageQueryDto): Promise<{ rows: ChangeTimelineEntity[]; total: number }> {
  const shape = timelineShape(tx);
  const params: unknown[] = [changeId];
  const since = q.updated_since ? ` AND created_at >= $${params.push(q.updated_since)}` : '';
  const [{ n }] = (await tx.query(`SELECT count(*)::int AS n FROM ${shape.table} WHERE change_id = $1${since}`, params)) as { n: number }[];
  const rows = (await tx.query(
    `SELECT ${shape.selectList} FROM ${shape.table} WHERE change_id = $1${since} ORDER BY created_at, id LIMIT $${params.push(q.limit)} OFFSET $${params.push(q.offset)}`,
    params,
  )) as Record<string, unknown>[];
  return { rows: rows.map((r) => shape.fromRow(r)), total: n };
}

export async function findPolicy(tx: TenantTx): Promise<ChangeApprovalPolicyView | undefined> {
  const rows = (await tx.query(`SELECT policy, updated_at FROM change_policies WHERE tenant_id = $1`, [tx.tenant])) as { policy: ChangeApprovalPolicyView; updated_at: Date }[];
  return rows.length ? { ...rows[0].policy, updated_at: rows[0].updated_at.toISOString() } : undefined;
}

export async function savePolicy(tx: TenantTx, policy: Omit<ChangeApprovalPolicyView, 'updated_at'>, now: Date): Promise<void> {
  await tx.query(
    `INSERT INTO change_policies (tenant_id, policy, updated_at) VALUES ($1, $2, $3)
     ON CONFLICT (tenant_id) DO UPDATE SET policy = EXCLUDED.policy, updated_at = EXCLUDED.updated_at`,
    [tx.tenant, JSON.stringify(policy), now],
  );
}

interface ConflictRow {
  id: string;
  number: string | null;
  title: string;
  s: Date;
  e: Date;
  shared: string[];
}

/** A change's window: the scheduled one, else the requested one (none without both ends). */
export function windowOf(e: ChangeEntity): { start: Date; end: Date } | undefined {
  const start = e.scheduledStart ?? e.requestedStart;
  const end = e.scheduledEnd ?? e.requestedEnd;
  return start && end ? { start, end } : undefined;
}

/**
 * What the change's window collides with: approved, scheduled or running changes on one of its CIs,
 * and freeze windows (covering every CI, or one of its CIs).
 */
export async function findConflicts(tx: TenantTx, e: ChangeEntity): Promise<ChangeConflictView[]> {
  const w = windowOf(e);
  if (!w || ['completed', 'failed', 'closed', 'cancelled', 'rejected'].includes(e.status)) return [];
  const changes = e.ciIds.length
    ? ((await tx.query(
        `SELECT id, number::text AS number, title, COALESCE(scheduled_start, requested_start) AS s, COALESCE(scheduled_end, requested_end) AS e,
                ARRAY(SELECT unnest(ci_ids) INTERSECT SELECT unnest($2::text[]) ORDER BY 1) AS shared
           FROM changes
          WHERE id <> $1 AND status IN ('approved', 'scheduled', 'in_progress') AND ci_ids && $2::text[]
            AND COALESCE(scheduled_start, requested_start) < $4 AND COALESCE(scheduled_end, requested_end) > $3
          ORDER BY s, id LIMIT 50`,
        [e.id, e.ciIds, w.start, w.end],
      )) as ConflictRow[])
    : [];
  const freezes = (await tx.query(
    `SELECT id, NULL AS number, name AS title, starts_at AS s, ends_at AS e,
            ARRAY(SELECT unnest(ci_ids) INTERSECT SELECT unnest($1::text[]) ORDER BY 1) AS shared
       FROM freeze_windows
      WHERE starts_at < $3 AND ends_at > $2 AND (cardinality(ci_ids) = 0 OR ci_ids && $1::text[])
      ORDER BY starts_at, id LIMIT 50`,
    [e.ciIds, w.start, w.end],
  )) as ConflictRow[];
  const view = (kind: 'change' | 'freeze') => (r: ConflictRow): ChangeConflictView => ({
    kind,
    id: r.id,
    reference: r.number ? referenceOf(Number(r.number)) : null,
    title: r.title,
    start: r.s.toISOString(),
    end: r.e.toISOString(),
    ci_ids: r.shared,
  });
  return [...changes.map(view('change')), ...freezes.map(view('freeze'))];
}

/** The share of the tenant's changes finished in the last 90 days that failed (0 without history). */
export async function failureRate(tx: TenantTx): Promise<number> {
  const [r] = (await tx.query(
    `SELECT count(*) FILTER (WHERE backout_performed IS NOT NULL)::float8 / NULLIF(count(*), 0) AS rate
       FROM changes WHERE actual_end IS NOT NULL AND actual_end > now() - interval '90 days'`,
  )) as { rate: number | null }[];
  return r.rate ?? 0;
}

/** Changes whose window overlaps [from, to] (not cancelled or rejected), earliest first. */
export async function changesBetween(tx: TenantTx, from: string, to: string, limit: number): Promise<ChangeEntity[]> {
  const shape = shapeOf(tx);
  const rows = (await tx.query(
    `SELECT ${shape.selectList} FROM ${shape.table}
      WHERE status NOT IN ('cancelled', 'rejected')
        AND COALESCE(scheduled_start, requested_start) <= $2 AND COALESCE(scheduled_end, requested_end) >= $1
      ORDER BY COALESCE(scheduled_start, requested_start), number LIMIT $3`,
    [from, to, limit],
  )) as Record<string, unknown>[];
  return rows.map((r) => shape.fromRow(r));
}

const freezeShape = (tx: TenantTx) => rowShape(tx, FreezeWindowEntity);

export async function insertFreezeWindow(tx: TenantTx, f: FreezeWindowEntity): Promise<void> {
  const shape = freezeShape(tx);
  await tx.query(shape.insertSql, shape.values(f));
}

export async function updateFreezeWindow(tx: TenantTx, f: FreezeWindowEntity): Promise<void> {
  await tx.query(`UPDATE freeze_windows SET name = $2, reason = $3, starts_at = $4, ends_at = $5, ci_ids = $6, updated_at = $7, version = $8 WHERE id = $1`, [
    f.id,
    f.name,
    f.reason,
    f.startsAt,
    f.endsAt,
    f.ciIds,
    f.updatedAt,
    f.version,
  ]);
}

export async function deleteFreezeWindow(tx: TenantTx, id: string): Promise<void> {
  await tx.query(`DELETE FROM freeze_windows WHERE id = $1`, [id]);
}

export async function findFreezeWindow(tx: TenantTx, id: string, lock = false): Promise<FreezeWindowEntity | undefined> {
  const shape = freezeShape(tx);
  const rows = (await tx.query(`SELECT ${shape.selectList} FROM ${shape.table} WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id])) as Record<string, unknown>[];
  return rows.length ? shape.fromRow(rows[0]) : undefined;
}

/** Freeze windows overlapping [from, to] (either end open), earliest first. */
export async function listFreezeWindows(
  tx: TenantTx,
  q: { from?: string; to?: string; updated_since?: string; limit: number; offset: number },
): Promise<{ rows: FreezeWindowEntity[]; total: number }> {
  const shape = freezeShape(tx);
  const params: unknown[] = [];
  const where: string[] = [];
  if (q.from) where.push(`ends_at >= $${params.push(q.from)}`);
  if (q.to) where.push(`starts_at <= $${params.push(q.to)}`);
  if (q.updated_since) where.push(`updated_at >= $${params.push(q.updated_since)}`);
  const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const [{ n }] = (await tx.query(`SELECT count(*)::int AS n FROM ${shape.table} ${filter}`, params)) as { n: number }[];
  const rows = (await tx.query(`SELECT ${shape.selectList} FROM ${shape.table} ${filter} ORDER BY starts_at, id LIMIT $${params.push(q.limit)} OFFSET $${params.push(q.offset)}`, params)) as Record<
    string,
    unknown
  >[];
  return { rows: rows.map((r) => shape.fromRow(r)), total: n };
}

/** The changes approved, scheduled or in progress naming any of the items, soonest first (at most 1,000). */
export async function activeChangesOnCis(
  tx: TenantTx,
  ciIds: string[],
): Promise<{ id: string; number: number; title: string; status: string; risk_level: string; scheduled_start: Date | null; scheduled_end: Date | null; ci_ids: string[] }[]> {
  return (await tx.query(
    `SELECT id, number, title, status, risk_level, scheduled_start, scheduled_end, ci_ids FROM changes
      WHERE id IN (SELECT record_id FROM change_cis WHERE tenant_id = current_setting('app.tenant_id')::uuid AND ci_id = ANY($1::text[]))
        AND status IN ('approved', 'scheduled', 'in_progress')
      ORDER BY scheduled_start NULLS LAST, id LIMIT 1000`,
    [ciIds],
  )) as { id: string; number: number; title: string; status: string; risk_level: string; scheduled_start: Date | null; scheduled_end: Date | null; ci_ids: string[] }[];
}
