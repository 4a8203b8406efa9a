import { slaFilterSql } from '@opsplane/sla';
import { ListCatalogQueryDto, ListServiceRequestsQueryDto } from '@opsplane/contracts';
import { isUuid, nextNumber, rowShape, RowShape, TenantTx } from '@opsplane/db';
import { CatalogItemEntity, ServiceRequestEntity } from './request.entity';

/** The catalog and requests tables in plain SQL, their columns read from the entities (rowShape). */
const itemShape = (tx: TenantTx) => rowShape(tx, CatalogItemEntity);
const requestShape = (tx: TenantTx) => rowShape(tx, ServiceRequestEntity);
const like = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Writes every column but those a record is born with. */
async function update<T extends { id: string }>(tx: TenantTx, shape: RowShape<T>, e: T): Promise<void> {
  await tx.query(shape.updateSql, [e.id, ...shape.updateValues(e)]);
}

export const insertCatalogItem = async (tx: TenantTx, e: CatalogItemEntity) => {
  const s = itemShape(tx);
  await tx.query(s.insertSql, s.values(e));
};
export const updateCatalogItem = (tx: TenantTx, e: CatalogItemEntity) => update(tx, itemShape(tx), e);
export const deleteCatalogItem = async (tx: TenantTx, id: string) => {
  await tx.query(`DELETE FROM catalog_items WHERE id = $1`, [id]);
};

/** By uuid or code. */
export async function findCatalogItem(tx: TenantTx, ref: string, lock = false): Promise<CatalogItemEntity | undefined> {
  const s = itemShape(tx);
  const rows = (await tx.query(`SELECT ${s.selectList} FROM ${s.table} WHERE ${isUuid(ref) ? 'id = $1' : 'lower(code) = lower($1)'}${lock ? ' FOR UPDATE' : ''}`, [ref])) as Record<string, unknown>[];
  return rows.length ? s.fromRow(rows[0]) : undefined;
}

export async function codeTaken(tx: TenantTx, code: string, except: string): Promise<boolean> {
  const rows = (await tx.query(`SELECT 1 FROM catalog_items WHERE lower(code) = lower($1) AND id <> $2`, [code, except])) as unknown[];
  return rows.length > 0;
}

export async function itemHasRequests(tx: TenantTx, id: string): Promise<boolean> {
  return ((await tx.query(`SELECT 1 FROM service_requests WHERE catalog_item_id = $1 LIMIT 1`, [id])) as unknown[]).length > 0;
}

export async function listCatalog(tx: TenantTx, q: ListCatalogQueryDto): Promise<{ rows: CatalogItemEntity[]; total: number }> {
  const s = itemShape(tx);
  const params: unknown[] = [];
  const where: string[] = [];
  const active = q.active ?? 'true';
  if (active !== 'all') where.push(`active = $${params.push(active === 'true')}`);
  if (q.category) where.push(`category = $${params.push(q.category)}`);
  if (q.q) {
    const p = `$${params.push(like(q.q))}`;
    where.push(`(name ILIKE ${p} OR description ILIKE ${p})`);
  }
  if (q.updated_since) where.push(`updated_at >= $${params.push(q.updated_since)}`);
  const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const [{ n }] = (await tx.query(`SELECT count(*)::int AS n FROM ${s.table} ${filter}`, params)) as { n: number }[];
  const rows = (await tx.query(`SELECT ${s.selectList} FROM ${s.table} ${filter} ORDER BY category, name, id LIMIT $${params.push(q.limit)} OFFSET $${params.push(q.offset)}`, params)) as Record<
    string,
    unknown
  >[];
  return { rows: rows.map((r) => s.fromRow(r)), total: n };
}

export const nextRequestNumber = (tx: TenantTx): Promise<number> => nextNumber(tx, 'request_counters', tx.tenant);

export const insertRequest = async (tx: TenantTx, e: ServiceRequestEntity) => {
  const s = requestShape(tx);
  await tx.query(s.insertSql, s.values(e));
};
export const updateRequest = (tx: TenantTx, e: ServiceRequestEntity) => update(tx, requestShape(tx), e);

/** By uuid or REQ reference. */
export async function findRequest(tx: TenantTx, ref: string, lock = false): Promise<ServiceRequestEntity | undefined> {
  const s = requestShape(tx);
  const m = /^REQ-(\d{1,12})$/i.exec(ref);
  const [where, param] = m ? ['number = $1', Number(m[1])] : isUuid(ref) ? ['id = $1', ref] : [null, null];
  if (!where) return undefined;
  const rows = (await tx.query(`SELECT ${s.selectList} FROM ${s.table} WHERE ${where}${lock ? ' FOR UPDATE' : ''}`, [param])) as Record<string, unknown>[];
  return rows.length ? s.fromRow(rows[0]) : undefined;
}

export async function listRequests(tx: TenantTx, q: ListServiceRequestsQueryDto, itemId: string | null): Promise<{ rows: ServiceRequestEntity[]; total: number }> {
  const s = requestShape(tx);
  const params: unknown[] = [];
  const where: string[] = [];
  if (q.status?.length) where.push(`status = ANY($${params.push(q.status)}::text[])`);
  if (itemId) where.push(`catalog_item_id = $${params.push(itemId)}`);
  if (q.requested_by) where.push(`lower(requested_by) = lower($${params.push(q.requested_by)})`);
  if (q.q) where.push(`catalog_item_name ILIKE $${params.push(like(q.q))}`);
  if (q.updated_since) where.push(`updated_at >= $${params.push(q.updated_since)}`);
  if (q.priority?.length) where.push(`priority = ANY($${params.push(q.priority)}::text[])`);
  if (q.sla) where.push(slaFilterSql(q.sla, `${s.table}.id`));
  const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const [{ n }] = (await tx.query(`SELECT count(*)::int AS n FROM ${s.table} ${filter}`, params)) as { n: number }[];
  const rows = (await tx.query(`SELECT ${s.selectList} FROM ${s.table} ${filter} ORDER BY created_at DESC, id DESC LIMIT $${params.push(q.limit)} OFFSET $${params.push(q.offset)}`, params)) as Record<
    string,
    unknown
  >[];
  return { rows: rows.map((r) => s.fromRow(r)), total: n };
}
