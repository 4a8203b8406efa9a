import { CiListQueryDto, CiSort, RelationshipListQueryDto } from '@opsplane/contracts';
import { rowShape, TenantTx } from '@opsplane/db';
import { CiEntity, RelationshipEntity } from './ci.entity';
import { CiChanges, CiIdentity } from './ci.domain';
import { GraphChange } from '../relationships/impact-graph';

/**
 * The cmdb tables in plain SQL, the columns read from the entities (rowShape). The schema is the connection's
 * search path; row-level security keeps each tenant's rows apart (and the composite foreign keys keep a
 * relationship's ends in one tenant).
 */
const ciShape = (tx: TenantTx) => rowShape(tx, CiEntity);
const relShape = (tx: TenantTx) => rowShape(tx, RelationshipEntity);
/** The rows of a DELETE ... RETURNING (TypeORM answers [rows, count] for those). */
const returned = (r: unknown): Record<string, unknown>[] => (Array.isArray(r) && r.length === 2 && Array.isArray(r[0]) && typeof r[1] === 'number' ? r[0] : (r as Record<string, unknown>[]));
const like = (s: string) => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export async function insertCis(tx: TenantTx, items: CiEntity[]): Promise<void> {
  const shape = ciShape(tx);
  const cols = shape.columns.map(([, c]) => `"${c}"`).join(', ');
  // Multi-row inserts, a few hundred rows each (PostgreSQL takes at most 65535 parameters a statement).
  const per = Math.floor(60000 / shape.columns.length);
  for (let i = 0; i < items.length; i += per) {
    const chunk = items.slice(i, i + per);
    const params: unknown[] = [];
    const rows = chunk.map((e) => `(${shape.values(e).map((v) => `$${params.push(v)}`).join(', ')})`);
    await tx.query(`INSERT INTO ${shape.table} (${cols}) VALUES ${rows.join(', ')}`, params);
  }
}

export async function updateCi(tx: TenantTx, e: CiEntity): Promise<void> {
  const shape = ciShape(tx);
  await tx.query(shape.updateSql, [e.id, ...shape.updateValues(e)]);
}

export async function findCi(tx: TenantTx, id: string, o: { includeDeleted?: boolean; lock?: boolean } = {}): Promise<CiEntity | undefined> {
  const shape = ciShape(tx);
  const rows = (await tx.query(
    `SELECT ${shape.selectList} FROM ${shape.table} WHERE id = $1 ${o.includeDeleted ? '' : 'AND deleted_at IS NULL'} ${o.lock ? 'FOR UPDATE' : ''}`,
    [id],
  )) as Record<string, unknown>[];
  return rows.length ? shape.fromRow(rows[0]) : undefined;
}

/** The live items among `ids`, by id. */
export async function findCis(tx: TenantTx, ids: string[]): Promise<Map<string, CiEntity>> {
  if (!ids.length) return new Map();
  const shape = ciShape(tx);
  const rows = (await tx.query(`SELECT ${shape.selectList} FROM ${shape.table} WHERE id = ANY($1::uuid[]) AND deleted_at IS NULL`, [ids])) as Record<string, unknown>[];
  return new Map(rows.map((r) => [r.id as string, shape.fromRow(r)]));
}

/** The live items whose id is one of `ids` or whose name (any case) is one of `names`. */
export async function findCisByIdOrName(tx: TenantTx, ids: string[], names: string[]): Promise<{ id: string; name: string }[]> {
  return (await tx.query(
    `SELECT id, name FROM cis WHERE tenant_id = current_setting('app.tenant_id')::uuid AND deleted_at IS NULL
        AND (id = ANY($1::uuid[]) OR lower(name) = ANY($2::text[]))`,
    [ids, names.map((n) => n.toLowerCase())],
  )) as { id: string; name: string }[];
}

/** How many relationships each item is an end of. */
export async function relationshipCounts(tx: TenantTx, ids: string[]): Promise<Map<string, number>> {
  if (!ids.length) return new Map();
  const rows = (await tx.query(
    `SELECT id, ((SELECT count(*) FROM relationships r WHERE r.source_id = i.id) + (SELECT count(*) FROM relationships r WHERE r.target_id = i.id))::int AS n
       FROM unnest($1::uuid[]) AS i(id)`,
    [ids],
  )) as { id: string; n: number }[];
  return new Map(rows.map((r) => [r.id, r.n]));
}

const ORDER: Record<CiSort, string> = {
  name: 'lower(name) ASC, id ASC',
  '-name': 'lower(name) DESC, id DESC',
  class: 'class ASC, lower(name) ASC, id ASC',
  '-class': 'class DESC, lower(name) DESC, id DESC',
  created_at: 'created_at ASC, id ASC',
  '-created_at': 'created_at DESC, id DESC',
  updated_at: 'updated_at ASC, id ASC',
  '-updated_at': 'updated_at DESC, id DESC',
};

export async function listCis(tx: TenantTx, q: CiListQueryDto): Promise<{ rows: CiEntity[]; total: number }> {
  const shape = ciShape(tx);
  const params: unknown[] = [];
  const where: string[] = [];
  if (!q.include_deleted) where.push('deleted_at IS NULL');
  if (q.class?.length) where.push(`class = ANY($${params.push(q.class)}::text[])`);
  if (q.environment?.length) where.push(`environment = ANY($${params.push(q.environment)}::text[])`);
  if (q.owner) where.push(`owner = $${params.push(q.owner)}`);
  if (q.lifecycle_status?.length) where.push(`lifecycle_status = ANY($${params.push(q.lifecycle_status)}::text[])`);
  if (q.criticality?.length) where.push(`criticality = ANY($${params.push(q.criticality)}::text[])`);
  if (q.q) where.push(`(name ILIKE $${params.push(like(q.q))} OR title ILIKE $${params.length})`);
  // Attribute equality: the value as given matches a string attribute, or the JSON value it spells (a number, true).
  for (const [k, v] of Object.entries(q.attr ?? {})) {
    const p = params.push(JSON.stringify({ [k]: v }));
    let alt = '';
    try {
      const parsed: unknown = JSON.parse(String(v));
      if (parsed !== null && typeof parsed !== 'object' && typeof parsed !== 'string') alt = ` OR attributes @> $${params.push(JSON.stringify({ [k]: parsed }))}::jsonb`;
    } catch {
      /* a plain string */
    }
    where.push(`(attributes @> $${p}::jsonb${alt})`);
  }
  if (q.updated_since) where.push(`updated_at >= $${params.push(q.updated_since)}`);
  const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const [{ n }] = (await tx.query(`SELECT count(*)::int AS n FROM ${shape.table} ${filter}`, params)) as { n: number }[];
  const rows = (await tx.query(
    `SELECT ${shape.selectList} FROM ${shape.table} ${filter} ORDER BY ${ORDER[q.sort]} LIMIT $${params.push(q.limit)} OFFSET $${params.push(q.offset)}`,
    params,
  )) as Record<string, unknown>[];
  return { rows: rows.map((r) => shape.fromRow(r)), total: n };
}

/** The live items holding any of the identities' keys (one indexed lookup per kind of key). */
export async function identify(tx: TenantTx, ids: { cls: string; identity: CiIdentity }[]): Promise<CiEntity[]> {
  const shape = ciShape(tx);
  const found = new Map<string, CiEntity>();
  const run = async (sql: string, params: unknown[]) => {
    for (const r of (await tx.query(`SELECT ${shape.selectList} FROM ${shape.table} WHERE deleted_at IS NULL AND ${sql}`, params)) as Record<string, unknown>[]) {
      found.set(r.id as string, shape.fromRow(r));
    }
  };
  const uids = ids.map((i) => i.identity.k8sUid).filter((x): x is string => !!x);
  if (uids.length) await run(`k8s_uid = ANY($1::text[])`, [uids]);
  const serials = ids.filter((i) => i.identity.serial);
  if (serials.length) await run(`(class, serial) IN (SELECT * FROM unnest($1::text[], $2::text[]))`, [serials.map((i) => i.cls), serials.map((i) => i.identity.serial)]);
  const hosts = ids.filter((i) => i.identity.hostname);
  if (hosts.length) await run(`(class, hostname) IN (SELECT * FROM unnest($1::text[], $2::text[]))`, [hosts.map((i) => i.cls), hosts.map((i) => i.identity.hostname)]);
  const naturals = ids.map((i) => JSON.parse(i.identity.natural) as [string, string, string]);
  if (naturals.length) {
    await run(`(class, lower(name), COALESCE(environment, '')) IN (SELECT * FROM unnest($1::text[], $2::text[], $3::text[]))`, [
      naturals.map((n) => n[0]),
      naturals.map((n) => n[1]),
      naturals.map((n) => n[2]),
    ]);
  }
  return [...found.values()];
}

export interface HistoryRow {
  ciId: string;
  at: Date;
  action: string;
  actorId: string | null;
  actorEmail: string | null;
  changes: CiChanges;
}

export async function insertHistory(tx: TenantTx, rows: HistoryRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 5000) {
    const chunk = rows.slice(i, i + 5000);
    const params: unknown[] = [];
    const values = chunk.map(
      (r) =>
        `(current_setting('app.tenant_id')::uuid, $${params.push(r.ciId)}, $${params.push(r.at)}, $${params.push(r.action)}, $${params.push(r.actorId)}, $${params.push(r.actorEmail)}, $${params.push(JSON.stringify(r.changes))}::jsonb)`,
    );
    await tx.query(`INSERT INTO ci_history (tenant_id, ci_id, at, action, actor_id, actor_email, changes) VALUES ${values.join(', ')}`, params);
  }
}

export async function listHistory(tx: TenantTx, ciId: string, q: { limit: number; offset: number; updated_since?: string }): Promise<{ rows: HistoryRow[]; total: number }> {
  const since = q.updated_since ?? '-infinity';
  const [{ n }] = (await tx.query(`SELECT count(*)::int AS n FROM ci_history WHERE ci_id = $1 AND at >= $2`, [ciId, since])) as { n: number }[];
  const rows = (await tx.query(
    `SELECT ci_id, at, action, actor_id, actor_email, changes FROM ci_history WHERE ci_id = $1 AND at >= $2 ORDER BY id DESC LIMIT $3 OFFSET $4`,
    [ciId, since, q.limit, q.offset],
  )) as { ci_id: string; at: Date; action: string; actor_id: string | null; actor_email: string | null; changes: CiChanges }[];
  return { rows: rows.map((r) => ({ ciId: r.ci_id, at: r.at, action: r.action, actorId: r.actor_id, actorEmail: r.actor_email, changes: r.changes })), total: n };
}

// ---------------------------------------------------------------- classes

export interface ClassRow {
  name: string;
  description: string;
  zone: boolean;
}

export async function listClassRows(tx: TenantTx): Promise<ClassRow[]> {
  return (await tx.query(`SELECT name, description, zone FROM ci_classes ORDER BY name`)) as ClassRow[];
}

export async function insertClass(tx: TenantTx, c: ClassRow): Promise<boolean> {
  const r = (await tx.query(
    `INSERT INTO ci_classes (tenant_id, name, description, zone, created_at) VALUES (current_setting('app.tenant_id')::uuid, $1, $2, $3, now())
     ON CONFLICT DO NOTHING RETURNING name`,
    [c.name, c.description, c.zone],
  )) as unknown[];
  return r.length > 0;
}

export async function deleteClass(tx: TenantTx, name: string): Promise<boolean> {
  return returned(await tx.query(`DELETE FROM ci_classes WHERE name = $1 RETURNING name`, [name])).length > 0;
}

export async function classInUse(tx: TenantTx, name: string): Promise<number> {
  const [{ n }] = (await tx.query(`SELECT count(*)::int AS n FROM cis WHERE class = $1 AND deleted_at IS NULL`, [name])) as { n: number }[];
  return n;
}

// ---------------------------------------------------------------- relationships

export async function insertRelationships(tx: TenantTx, rels: RelationshipEntity[]): Promise<RelationshipEntity[]> {
  const shape = relShape(tx);
  const cols = shape.columns.map(([, c]) => `"${c}"`).join(', ');
  const created: RelationshipEntity[] = [];
  const per = Math.floor(60000 / shape.columns.length);
  for (let i = 0; i < rels.length; i += per) {
    const chunk = rels.slice(i, i + per);
    const params: unknown[] = [];
    const rows = chunk.map((e) => `(${shape.values(e).map((v) => `$${params.push(v)}`).join(', ')})`);
    const out = (await tx.query(`INSERT INTO ${shape.table} (${cols}) VALUES ${rows.join(', ')} ON CONFLICT (tenant_id, source_id, target_id, type) DO NOTHING RETURNING id`, params)) as {
      id: string;
    }[];
    const ids = new Set(out.map((r) => r.id));
    created.push(...chunk.filter((r) => ids.has(r.id)));
  }
  return created;
}

export async function findRelationship(tx: TenantTx, id: string): Promise<RelationshipEntity | undefined> {
  const shape = relShape(tx);
  const rows = (await tx.query(`SELECT ${shape.selectList} FROM ${shape.table} WHERE id = $1`, [id])) as Record<string, unknown>[];
  return rows.length ? shape.fromRow(rows[0]) : undefined;
}

export async function findEdge(tx: TenantTx, sourceId: string, targetId: string, type: string): Promise<RelationshipEntity | undefined> {
  const shape = relShape(tx);
  const rows = (await tx.query(`SELECT ${shape.selectList} FROM ${shape.table} WHERE source_id = $1 AND target_id = $2 AND type = $3`, [sourceId, targetId, type])) as Record<
    string,
    unknown
  >[];
  return rows.length ? shape.fromRow(rows[0]) : undefined;
}

/** Which of the `source → target` pairs have a relationship of `type`, as `source/target` keys. */
export async function existingEdges(tx: TenantTx, pairs: { sourceId: string; targetId: string }[], type: string): Promise<Set<string>> {
  if (!pairs.length) return new Set();
  const rows = (await tx.query(
    `SELECT source_id, target_id FROM relationships WHERE type = $3 AND (source_id, target_id) IN (SELECT * FROM unnest($1::uuid[], $2::uuid[]))`,
    [pairs.map((p) => p.sourceId), pairs.map((p) => p.targetId), type],
  )) as { source_id: string; target_id: string }[];
  return new Set(rows.map((r) => `${r.source_id}/${r.target_id}`));
}

export async function listRelationships(tx: TenantTx, q: RelationshipListQueryDto): Promise<{ rows: RelationshipEntity[]; total: number }> {
  const shape = relShape(tx);
  const params: unknown[] = [];
  const where: string[] = [];
  if (q.ci_id) where.push(`(source_id = $${params.push(q.ci_id)} OR target_id = $${params.length})`);
  if (q.source_id) where.push(`source_id = $${params.push(q.source_id)}`);
  if (q.target_id) where.push(`target_id = $${params.push(q.target_id)}`);
  if (q.type?.length) where.push(`type = ANY($${params.push(q.type)}::text[])`);
  if (q.updated_since) where.push(`updated_at >= $${params.push(q.updated_since)}`);
  const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const [{ n }] = (await tx.query(`SELECT count(*)::int AS n FROM ${shape.table} ${filter}`, params)) as { n: number }[];
  const rows = (await tx.query(
    `SELECT ${shape.selectList} FROM ${shape.table} ${filter} ORDER BY created_at, id LIMIT $${params.push(q.limit)} OFFSET $${params.push(q.offset)}`,
    params,
  )) as Record<string, unknown>[];
  return { rows: rows.map((r) => shape.fromRow(r)), total: n };
}

export async function updateRelationshipCriticality(tx: TenantTx, id: string, criticality: string, at: Date): Promise<void> {
  await tx.query(`UPDATE relationships SET criticality = $2, updated_at = $3 WHERE id = $1`, [id, criticality, at]);
}

export async function deleteRelationships(tx: TenantTx, where: { id?: string; ciId?: string }): Promise<RelationshipEntity[]> {
  const shape = relShape(tx);
  const rows = returned(
    await tx.query(
      where.id
        ? `DELETE FROM ${shape.table} WHERE id = $1 RETURNING ${shape.selectList}`
        : `DELETE FROM ${shape.table} WHERE source_id = $1 OR target_id = $1 RETURNING ${shape.selectList}`,
      [where.id ?? where.ciId],
    ),
  );
  return rows.map((r) => shape.fromRow(r));
}

/** The tenant's relationship graph version (0 before its first relationship). */
export async function graphVersion(tx: TenantTx): Promise<number> {
  const rows = (await tx.query(`SELECT version FROM graph_versions WHERE tenant_id = current_setting('app.tenant_id')::uuid`)) as { version: string }[];
  return rows.length ? Number(rows[0].version) : 0;
}

/** The logged changes after version `after` up to `upTo`, oldest first; null when the log no longer reaches back to `after`. */
export async function graphChanges(tx: TenantTx, after: number, upTo: number): Promise<GraphChange[] | null> {
  const rows = (await tx.query(
    `SELECT version, op, source_id, target_id, type, criticality FROM graph_changes
      WHERE tenant_id = current_setting('app.tenant_id')::uuid AND version > $1 AND version <= $2 ORDER BY version`,
    [after, upTo],
  )) as (GraphChange & { version: string })[];
  // Every version has at least one change: the log is whole when it holds each version in between.
  const versions = new Set(rows.map((r) => r.version));
  return versions.size === upTo - after ? rows : null;
}

/** Every relationship of the tenant, as graph changes. */
export async function allEdges(tx: TenantTx): Promise<GraphChange[]> {
  return (await tx.query(
    `SELECT '+' AS op, source_id, target_id, type, criticality FROM relationships WHERE tenant_id = current_setting('app.tenant_id')::uuid`,
  )) as GraphChange[];
}
