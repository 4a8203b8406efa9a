import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { CpAuditView, ListAuditQueryDto, RequestMeta } from '@opsplane/contracts';
import { Page } from '@opsplane/errors';
import { currentTraceId } from '@opsplane/observability';
import { RUNTIME, ServiceRuntime } from '@opsplane/runtime';


/** The control-plane audit: every operator write, who, what, before/after, trace. Append-only (a trigger). */
@Injectable()
export class AuditService {
  constructor(@Inject(RUNTIME) private readonly rt: ServiceRuntime) {}

  async record(em: EntityManager, meta: RequestMeta, action: string, targetType: string, targetId: string | null, before: unknown, after: unknown): Promise<void> {
    await em.query(
      `INSERT INTO "audit" (operator_id, operator_email, action, target_type, target_id, before, after, trace_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        meta.operator?.operator_id ?? null,
        meta.operator?.email ?? null,
        action,
        targetType,
        targetId,
        before === undefined ? null : JSON.stringify(before),
        after === undefined ? null : JSON.stringify(after),
        currentTraceId(),
      ],
    );
  }

  async list(q: ListAuditQueryDto): Promise<Page<CpAuditView>> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (q.action) where.push(`action = $${params.push(q.action)}`);
    if (q.target_id) where.push(`target_id = $${params.push(q.target_id)}`);
    // Entries are never changed: those recorded since.
    if (q.updated_since) where.push(`created_at >= $${params.push(q.updated_since)}`);
    const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const [count] = (await this.rt.dataSource.query(`SELECT count(*)::int AS n FROM "audit" ${filter}`, params)) as { n: number }[];
    const rows = (await this.rt.dataSource.query(
      `SELECT * FROM "audit" ${filter} ORDER BY created_at DESC, id DESC LIMIT ${q.limit} OFFSET ${q.offset}`,
      params,
    )) as Record<string, unknown>[];
    return {
      items: rows.map((r) => ({
        id: r.id as string,
        operator_id: r.operator_id as string | null,
        operator_email: r.operator_email as string | null,
        action: r.action as string,
        target_type: r.target_type as string,
        target_id: r.target_id as string | null,
        before: r.before,
        after: r.after,
        trace_id: r.trace_id as string | null,
        created_at: (r.created_at as Date).toISOString(),
      })),
      total: count.n,
      limit: q.limit,
      offset: q.offset,
    };
  }
}
