import { Inject, Injectable } from '@nestjs/common';
import { AuditEntryView, ListAuditEntriesQueryDto, RequestMeta } from '@opsplane/contracts';
import { asTenantId } from '@opsplane/db';
import { AppError, Page } from '@opsplane/errors';
import { RUNTIME, ServiceRuntime } from '@opsplane/runtime';
import { AuthConfig } from '../config';
import { currentActor } from '../team/team-actor';


interface AuditRow {
  id: string;
  action: AuditEntryView['action'];
  resource_type: string;
  resource_id: string;
  actor_id: string | null;
  actor_email: string | null;
  actor_type: AuditEntryView['actor_type'];
  token_id: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  trace_id: string | null;
  occurred_at: Date;
  recorded_at: Date;
}

const toView = (r: AuditRow): AuditEntryView => ({ ...r, occurred_at: r.occurred_at.toISOString(), recorded_at: r.recorded_at.toISOString() });

/** GET /api/audit: the tenant's audit log (read only; the table is append-only). Admins and owners. */
@Injectable()
export class AuditService {
  constructor(@Inject(RUNTIME) private readonly rt: ServiceRuntime<AuthConfig>) {}

  async list(meta: RequestMeta, q: ListAuditEntriesQueryDto): Promise<Page<AuditEntryView>> {
    const tenant = asTenantId(meta.tenant_id);
    return this.rt.tenantDb.run(tenant, async (em) => {
      const actor = await currentActor(em, tenant, meta);
      if (actor.role !== 'owner' && actor.role !== 'admin') throw AppError.forbidden('Only an admin or an owner can read the audit log');
      const params: unknown[] = [tenant];
      const where = ['tenant_id = $1'];
      const eq = (column: string, value: string | undefined) => value !== undefined && where.push(`${column} = $${params.push(value)}`);
      eq('action', q.action);
      eq('resource_type', q.resource_type);
      eq('resource_id', q.resource_id);
      eq('actor_id', q.actor_id);
      if (q.from) where.push(`occurred_at >= $${params.push(q.from)}::timestamptz`);
      if (q.to) where.push(`occurred_at < $${params.push(q.to)}::timestamptz`);
      // Entries are never changed: those recorded since.
      if (q.updated_since) where.push(`recorded_at >= $${params.push(q.updated_since)}::timestamptz`);
      const filter = where.join(' AND ');
      const [{ n }] = (await em.query(`SELECT count(*)::int AS n FROM "audit_log" WHERE ${filter}`, params)) as { n: number }[];
      const rows = (await em.query(
        `SELECT id, action, resource_type, resource_id, actor_id, actor_email, actor_type, token_id, before, after, trace_id, occurred_at, recorded_at
         FROM "audit_log" WHERE ${filter} ORDER BY occurred_at DESC, recorded_at DESC, id DESC LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
        [...params, q.limit, q.offset],
      )) as AuditRow[];
      return { items: rows.map(toView), total: n, limit: q.limit, offset: q.offset };
    });
  }
}
