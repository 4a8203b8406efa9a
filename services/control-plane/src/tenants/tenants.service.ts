import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import {
  CreateTenantDto,
  EventSubject,
  ListTenantsQueryDto,
  OwnerInvitationView,
  ProvisionedTenantView,
  RequestMeta,
  RpcSubject,
  systemActor,
  TenantProvisionedData,
  TenantStatus,
  TenantStatusChangedData,
  TenantStatusesView,
  TenantView,
  UpdateTenantDto,
  slugify,
} from '@opsplane/contracts';
import { addToOutbox, asTenantId, Idempotency, mapUniqueViolation } from '@opsplane/db';
import { AppError, ErrorCode, Page } from '@opsplane/errors';
import { purgeOrder } from '@opsplane/registry';
import { RUNTIME, ServiceRuntime } from '@opsplane/runtime';
import { AuditService } from '../audit/audit.service';
import { operatorIdempotency } from '../operators/operator-idempotency';
import { ControlPlaneConfig } from '../config';
import { completeLimits, PlansService, pickLimits } from '../plans/plans.service';

const S = 'control_plane';

interface TenantRow {
  id: string;
  name: string;
  slug: string;
  status: TenantStatus;
  plan: string;
  overrides: Record<string, unknown>;
  settings: Record<string, unknown>;
  owner_email: string;
  created_at: Date;
  updated_at: Date;
  suspended_at: Date | null;
  plan_limits: Record<string, unknown>;
}

function toView(r: TenantRow): TenantView {
  const overrides = pickLimits(r.overrides);
  return {
    id: r.id,
    name: r.name,
    slug: r.slug,
    status: r.status,
    plan: r.plan,
    limits: { ...completeLimits(r.plan_limits), ...overrides },
    overrides,
    settings: r.settings,
    owner_email: r.owner_email,
    created_at: r.created_at.toISOString(),
    updated_at: r.updated_at.toISOString(),
    suspended_at: r.suspended_at?.toISOString() ?? null,
  };
}

type CreatedTenant = TenantView & { owner_invitation: OwnerInvitationView | null };

const SELECT = `SELECT t.*, p.limits AS plan_limits FROM "tenants" t JOIN "plans" p ON p.name = t.plan`;

@Injectable()
export class TenantsService {
  private readonly log = new Logger(TenantsService.name);

  constructor(
    @Inject(RUNTIME) private readonly rt: ServiceRuntime<ControlPlaneConfig>,
    private readonly plans: PlansService,
    private readonly audit: AuditService,
  ) {}

  private async load(em: EntityManager, id: string, lock = false): Promise<TenantView> {
    const rows = (await em.query(`${SELECT} WHERE t.id = $1${lock ? ' FOR UPDATE OF t' : ''}`, [id])) as TenantRow[];
    if (!rows.length) throw AppError.notFound(`Tenant ${id}`);
    return toView(rows[0]);
  }

  /** A tenant that can still be changed (a deleted one is only a tombstone). */
  private async loadLive(em: EntityManager, id: string): Promise<TenantView> {
    const t = await this.load(em, id, true);
    if (t.status === 'deleted') throw AppError.notFound(`Tenant ${id}`);
    return t;
  }

  /** Outbox rows carry the tenant they are about (the outbox policy checks it). */
  private async emit<T>(em: EntityManager, meta: RequestMeta, tenantId: string, subject: EventSubject, data: T): Promise<void> {
    await em.query(`SELECT set_config('app.tenant_id', $1, true)`, [tenantId]);
    await addToOutbox<T>(em, S, asTenantId(tenantId), subject, data, meta.operator?.operator_id ?? null);
  }

  /**
   * Registers the tenant, has the auth service create its organization and owner (so the owner
   * can log in when this returns), then marks it active and announces tenant.provisioned.
   */
  async create(meta: RequestMeta, dto: CreateTenantDto): Promise<CreatedTenant> {
    // Provisioning spans several transactions and the auth service: the key is held (in progress)
    // from the start, its answer recorded with the last step, and given up if provisioning fails.
    const idem = operatorIdempotency(meta, 'cp.tenant.create', dto);
    if (!idem) return this.provision(meta, dto);
    return Idempotency.unwrap(async () => {
      await this.rt.dataSource.transaction((em) => idem.claim(em));
      try {
        return await this.provision(meta, dto, (em, created) => idem.complete(em, created));
      } catch (e) {
        await this.rt.dataSource.transaction((em) => idem.release(em)).catch(() => undefined);
        throw e;
      }
    });
  }

  private async provision(meta: RequestMeta, dto: CreateTenantDto, record?: (em: EntityManager, created: CreatedTenant) => Promise<void>): Promise<CreatedTenant> {
    const id = randomUUID();
    const slug = dto.slug ?? `${slugify(dto.name)}-${id.slice(0, 6)}`;
    const plan = dto.plan ?? this.rt.config.DEFAULT_PLAN;
    const now = new Date();
    await this.rt.dataSource.transaction(async (em) => {
      await this.plans.get(em, plan);
      try {
        await em.query(
          `INSERT INTO "tenants" (id, name, slug, status, plan, owner_email, settings, created_at, updated_at) VALUES ($1, $2, $3, 'provisioning', $4, $5, '{}', $6, $6)`,
          [id, dto.name.trim(), slug, plan, dto.owner_email, now],
        );
      } catch (e) {
        mapUniqueViolation(e, `A tenant with the slug ${slug} already exists`);
      }
    });
    let provisioned: ProvisionedTenantView;
    try {
      provisioned = await this.rt.rpc.request<ProvisionedTenantView>(
        RpcSubject.AuthProvisionTenant,
        { tenant_id: '', actor: systemActor(), traceparent: meta.traceparent },
        { tenant_id: id, name: dto.name, slug, admin_email: dto.owner_email, admin_password: dto.owner_password, admin_name: dto.owner_name },
        30_000,
      );
    } catch (e) {
      await this.rt.dataSource.query(`DELETE FROM "tenants" WHERE id = $1 AND status = 'provisioning'`, [id]);
      throw e;
    }
    const created = await this.rt.dataSource.transaction(async (em) => {
      await em.query(`UPDATE "tenants" SET status = 'active', updated_at = now() WHERE id = $1`, [id]);
      const v = await this.load(em, id);
      await this.audit.record(em, meta, 'tenant.created', 'tenant', id, null, v);
      await this.emit<TenantProvisionedData>(em, meta, id, EventSubject.TenantProvisioned, { tenant: v });
      // Without a password the owner was invited: the token is shown here, once.
      const answer: CreatedTenant = { ...v, owner_invitation: provisioned.owner_invitation };
      await record?.(em, answer);
      return answer;
    });
    this.rt.relay.kick();
    return created;
  }

  async get(id: string): Promise<TenantView> {
    return this.load(this.rt.dataSource.manager, id);
  }

  async list(q: ListTenantsQueryDto): Promise<Page<TenantView>> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (q.status) where.push(`t.status = $${params.push(q.status)}`);
    else where.push(`t.status <> 'deleted'`);
    if (q.plan) where.push(`t.plan = $${params.push(q.plan)}`);
    if (q.updated_since) where.push(`t.updated_at >= $${params.push(q.updated_since)}`);
    if (q.q) where.push(`(t.name ILIKE $${params.push(`%${q.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`)} OR t.slug ILIKE $${params.length})`);
    const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const [count] = (await this.rt.dataSource.query(`SELECT count(*)::int AS n FROM "tenants" t ${filter}`, params)) as { n: number }[];
    const rows = (await this.rt.dataSource.query(`${SELECT} ${filter} ORDER BY t.created_at DESC, t.id DESC LIMIT ${q.limit} OFFSET ${q.offset}`, params)) as TenantRow[];
    return { items: rows.map(toView), total: count.n, limit: q.limit, offset: q.offset };
  }

  async update(meta: RequestMeta, id: string, patch: UpdateTenantDto): Promise<TenantView> {
    const view = await this.rt.dataSource.transaction(async (em) => {
      const before = await this.loadLive(em, id);
      if (patch.plan) await this.plans.get(em, patch.plan);
      const overrides = patch.limits ? { ...before.overrides, ...pickLimits(patch.limits) } : before.overrides;
      for (const [k, v] of Object.entries(overrides)) if (v === null) delete (overrides as Record<string, unknown>)[k];
      await em.query(`UPDATE "tenants" SET name = $2, plan = $3, settings = $4, overrides = $5, updated_at = now() WHERE id = $1`, [
        id,
        patch.name?.trim() ?? before.name,
        patch.plan ?? before.plan,
        JSON.stringify(patch.settings ? { ...before.settings, ...patch.settings } : before.settings),
        JSON.stringify(overrides),
      ]);
      const after = await this.load(em, id);
      await this.audit.record(em, meta, 'tenant.updated', 'tenant', id, before, after);
      await this.emit<TenantProvisionedData>(em, meta, id, EventSubject.TenantUpdated, { tenant: after });
      return after;
    });
    this.rt.relay.kick();
    return view;
  }

  /**
   * Suspends or resumes: the auth service refuses logins, refreshes and API tokens of a suspended
   * tenant, and every gateway refuses its JWTs once it has polled the suspended list (seconds).
   * Nothing is deleted.
   */
  async setStatus(meta: RequestMeta, id: string, status: 'active' | 'suspended'): Promise<TenantView> {
    const current = await this.get(id);
    if (current.status === 'deleted') throw AppError.notFound(`Tenant ${id}`);
    if (current.status === 'provisioning' || current.status === 'deleting') throw new AppError(ErrorCode.CONFLICT, `The tenant is ${current.status}`);
    await this.rt.rpc.request(RpcSubject.AuthSetTenantStatus, { tenant_id: id, actor: systemActor(), traceparent: meta.traceparent }, { tenant_id: id, status });
    const view = await this.rt.dataSource.transaction(async (em) => {
      const before = await this.load(em, id, true);
      if (before.status === status) return before;
      await em.query(`UPDATE "tenants" SET status = $2, suspended_at = CASE WHEN $2 = 'suspended' THEN now() ELSE NULL END, updated_at = now() WHERE id = $1`, [id, status]);
      const after = await this.load(em, id);
      await this.audit.record(em, meta, status === 'suspended' ? 'tenant.suspended' : 'tenant.resumed', 'tenant', id, before, after);
      await this.emit<TenantStatusChangedData>(em, meta, id, status === 'suspended' ? EventSubject.TenantSuspended : EventSubject.TenantResumed, {
        tenant_id: id,
        status,
      });
      return after;
    });
    this.rt.relay.kick();
    // In force on every gateway before this answers (and on later ones through the statuses list).
    await this.broadcastStatus(id, status);
    return view;
  }

  private async broadcastStatus(id: string, status: 'active' | 'suspended' | 'deleting' | 'deleted'): Promise<void> {
    const r = await this.rt.access.broadcast({ kind: 'tenant', tenant_id: id, status });
    if (r.missing.length) this.log.warn(`gateways ${r.missing.join(', ')} did not confirm tenant ${id} ${status}`);
  }

  /**
   * Deletes a tenant: it is shut out first (the gateways treat `deleting` as suspended), then
   * every tenant-plane service purges its rows (synchronously, so nothing of the tenant is left
   * when this returns). The registry keeps a tombstone (status `deleted`, no owner, slug freed)
   * so that every gateway goes on refusing the tenant's unexpired JWTs; the CP audit keeps the
   * record. A purge that fails leaves the tenant `deleting`; deleting again resumes.
   */
  async delete(meta: RequestMeta, id: string): Promise<{ id: string; deleted: true; purged: Record<string, Record<string, number>> }> {
    const before = await this.get(id);
    if (before.status === 'deleted') throw AppError.notFound(`Tenant ${id}`);
    await this.rt.dataSource.query(`UPDATE "tenants" SET status = 'deleting', updated_at = now() WHERE id = $1`, [id]);
    // Every gateway shuts the tenant out first; a request already past one is fenced by the purge.
    await this.broadcastStatus(id, 'deleting');
    const purged: Record<string, Record<string, number>> = {};
    const sys = { tenant_id: id, actor: systemActor(), traceparent: meta.traceparent };
    for (const s of purgeOrder()) {
      purged[s.name] = (await this.rt.rpc.request<{ deleted: Record<string, number> }>(s.subjects!.purge as RpcSubject, sys, { id }, 60_000)).deleted;
    }
    await this.rt.dataSource.transaction(async (em) => {
      await em.query(
        `UPDATE "tenants" SET status = 'deleted', name = '(deleted)', slug = 'deleted-' || id, owner_email = '', settings = '{}', overrides = '{}', updated_at = now() WHERE id = $1`,
        [id],
      );
      await this.audit.record(em, meta, 'tenant.deleted', 'tenant', id, before, { purged });
      await this.emit<TenantStatusChangedData>(em, meta, id, EventSubject.TenantDeleted, { tenant_id: id, status: 'deleted' });
    });
    this.rt.relay.kick();
    await this.broadcastStatus(id, 'deleted');
    return { id, deleted: true, purged };
  }

  /** For the gateways' suspension check (polled every few seconds; a short list). */
  async statuses(): Promise<TenantStatusesView> {
    const rows = (await this.rt.dataSource.query(
      `SELECT id, status FROM "tenants" WHERE status IN ('suspended', 'deleting') OR (status = 'deleted' AND updated_at > now() - interval '1 day')`,
    )) as { id: string; status: TenantStatus }[];
    return { suspended: rows.map((r) => r.id), statuses: Object.fromEntries(rows.map((r) => [r.id, r.status])) };
  }
}
