import { ChangeApprovalPolicyView, ChangePageQueryDto, ListChangesQueryDto } from '@opsplane/contracts';
import { isUuid, nextNumber, rowShape, TenantTx } from '@opsplane/db';
import { ChangeEntity, ChangeTimelineEntity } from './change.entity';

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

/** Writes every column but the keys (the version is checked by the caller, under the row lock). */
export async function updateChange(tx: TenantTx, e: ChangeEntity): Promise<void> {
  const shape = shapeOf(tx);
  const cols = shape.columns.filter(([p]) => p !== 'id' && p !== 'tenantId' && p !== 'number' && p !== 'createdAt' && p !== 'createdBy');
  const values = shape.values(
    e,
    cols.map(([p]) => p),
  );
  await tx.query(`UPDATE ${shape.table} SET ${cols.map(([, c], i) => `"${c}" = $${i + 2}`).join(', ')} WHERE id = $1`, [e.id, ...values]);
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
  if (q.ci_id) where.push(`ci_ids @> ARRAY[${p(q.ci_id)}]::text[]`);
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
