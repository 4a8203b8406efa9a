import { ListProblemsQueryDto } from '@opsplane/contracts';
import { isUuid, nextNumber, rowShape, TenantTx } from '@opsplane/db';
import { ProblemEntity } from './problem.entity';

/** The problems tables in plain SQL, the columns read from the entity (rowShape). */
const shapeOf = (tx: TenantTx) => rowShape(tx, ProblemEntity);

export const nextProblemNumber = (tx: TenantTx) => nextNumber(tx, 'problem_counters', tx.tenant);

export async function insertProblem(tx: TenantTx, p: ProblemEntity): Promise<void> {
  const s = shapeOf(tx);
  await tx.query(s.insertSql, s.values(p));
}

/** Writes every column but those a problem is born with. */
export async function updateProblem(tx: TenantTx, p: ProblemEntity): Promise<void> {
  const s = shapeOf(tx);
  await tx.query(s.updateSql, [p.id, ...s.updateValues(p)]);
}

export async function findProblem(tx: TenantTx, ref: string, lock = false): Promise<ProblemEntity | undefined> {
  const s = shapeOf(tx);
  const m = /^PRB-(\d{1,12})$/i.exec(ref);
  const [where, param] = m ? ['number = $1', Number(m[1])] : isUuid(ref) ? ['id = $1', ref] : [null, null];
  if (!where) return undefined;
  const rows = (await tx.query(`SELECT ${s.selectList} FROM ${s.table} WHERE ${where}${lock ? ' FOR UPDATE' : ''}`, [param])) as Record<string, unknown>[];
  return rows.length ? s.fromRow(rows[0]) : undefined;
}

/** Incident ids by id or INC reference, in this tenant (row-level security); the refs not found are returned too. */
export async function resolveIncidents(tx: TenantTx, refs: string[]): Promise<{ ids: string[]; missing: string[] }> {
  const ids: string[] = [];
  const missing: string[] = [];
  for (const ref of [...new Set(refs.map((r) => r.trim()))]) {
    const m = /^INC-(\d{1,12})$/i.exec(ref);
    const rows = (await tx.query(`SELECT id FROM incidents WHERE ${m ? 'number = $1' : 'id = $1'}`, [m ? Number(m[1]) : ref.toLowerCase()])) as { id: string }[];
    if (rows.length) ids.push(rows[0].id);
    else missing.push(ref);
  }
  return { ids: [...new Set(ids)], missing };
}

/** Links incidents to a problem (idempotent); each incident shows the problem. */
export async function linkIncidents(tx: TenantTx, problemId: string, incidentIds: string[], at: Date): Promise<string[]> {
  if (!incidentIds.length) return [];
  const rows = (await tx.query(
    `INSERT INTO problem_incidents (tenant_id, problem_id, incident_id, linked_at) SELECT $1, $2, unnest($3::uuid[]), $4
     ON CONFLICT DO NOTHING RETURNING incident_id`,
    [tx.tenant, problemId, incidentIds, at],
  )) as { incident_id: string }[];
  const added = rows.map((r) => r.incident_id);
  if (added.length) await tx.query(`UPDATE incidents SET problem_id = $1 WHERE id = ANY($2::uuid[])`, [problemId, added]);
  return added;
}

/** Replaces the problem's links with exactly these incidents. */
export async function setLinks(tx: TenantTx, problemId: string, incidentIds: string[], at: Date): Promise<void> {
  const removed = (await tx.query(`DELETE FROM problem_incidents WHERE problem_id = $1 AND NOT (incident_id = ANY($2::uuid[])) RETURNING incident_id`, [problemId, incidentIds])) as {
    incident_id: string;
  }[];
  if (removed.length) {
    await tx.query(
      `UPDATE incidents i SET problem_id = (SELECT pi.problem_id FROM problem_incidents pi WHERE pi.incident_id = i.id ORDER BY pi.linked_at DESC LIMIT 1)
        WHERE i.id = ANY($1::uuid[]) AND i.problem_id = $2`,
      [removed.map((r) => r.incident_id), problemId],
    );
  }
  await linkIncidents(tx, problemId, incidentIds, at);
}

export async function linkedIncidents(tx: TenantTx, problemIds: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>(problemIds.map((id) => [id, []]));
  if (!problemIds.length) return out;
  const rows = (await tx.query(`SELECT problem_id, incident_id FROM problem_incidents WHERE problem_id = ANY($1::uuid[]) ORDER BY linked_at, incident_id`, [problemIds])) as {
    problem_id: string;
    incident_id: string;
  }[];
  for (const r of rows) out.get(r.problem_id)!.push(r.incident_id);
  return out;
}

/** The linked incidents not yet resolved or closed (a resolution is noted on their timelines). */
export async function openLinkedIncidents(tx: TenantTx, problemId: string): Promise<string[]> {
  const rows = (await tx.query(
    `SELECT i.id FROM problem_incidents pi JOIN incidents i ON i.id = pi.incident_id WHERE pi.problem_id = $1 AND i.status NOT IN ('resolved', 'closed')`,
    [problemId],
  )) as { id: string }[];
  return rows.map((r) => r.id);
}

export async function listProblems(tx: TenantTx, q: ListProblemsQueryDto, incidentId: string | null): Promise<{ rows: ProblemEntity[]; total: number }> {
  const s = shapeOf(tx);
  const params: unknown[] = [];
  const where: string[] = [];
  if (q.status?.length) where.push(`status = ANY($${params.push(q.status)}::text[])`);
  if (q.priority?.length) where.push(`priority = ANY($${params.push(q.priority)}::text[])`);
  if (q.assigned_to) where.push(`assigned_to = $${params.push(q.assigned_to)}`);
  if (q.known_error) where.push(`known_error = $${params.push(q.known_error === 'true')}`);
  if (incidentId) where.push(`id IN (SELECT problem_id FROM problem_incidents WHERE incident_id = $${params.push(incidentId)})`);
  if (q.q) {
    const p = `$${params.push(`%${q.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`)}`;
    where.push(`(title ILIKE ${p} OR description ILIKE ${p})`);
  }
  if (q.updated_since) where.push(`updated_at >= $${params.push(q.updated_since)}`);
  const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const [{ n }] = (await tx.query(`SELECT count(*)::int AS n FROM ${s.table} ${filter}`, params)) as { n: number }[];
  const rows = (await tx.query(`SELECT ${s.selectList} FROM ${s.table} ${filter} ORDER BY created_at DESC, id DESC LIMIT $${params.push(q.limit)} OFFSET $${params.push(q.offset)}`, params)) as Record<
    string,
    unknown
  >[];
  return { rows: rows.map((r) => s.fromRow(r)), total: n };
}
