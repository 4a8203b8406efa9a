import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  canWrite,
  CreateSlaPolicyDto,
  EventSubject,
  isAdmin,
  ListSlaPoliciesQueryDto,
  RequestMeta,
  SlaCalendarDto,
  SlaCalendarView,
  SlaPolicyView,
  UpdateSlaPolicyDto,
} from '@opsplane/contracts';
import { asTenantId, assertIfMatch, idempotentCreate, rowShape, TenantTx } from '@opsplane/db';
import { Page } from '@opsplane/errors';
import { RUNTIME, ServiceRuntime } from '@opsplane/runtime';
import {
  addBusinessMs,
  assertCalendar,
  businessCalendarOf,
  DEFAULT_AT_RISK_PERCENT,
  DEFAULT_PAUSE_ON,
  DEFAULT_SLA_CALENDAR,
  defaultPolicy,
  fromSlaPolicyView,
  listPolicyRows,
  SlaPolicyEntity,
  toSlaPolicyView,
  upsertPolicyRow,
  withDefault,
} from '@opsplane/sla';
import { SlaErrors } from './sla.exception';

/** A calendar as given (defaults filled), checked: a known time zone, the end after the start. */
function calendarOf(c: SlaCalendarDto | undefined, base: SlaCalendarView = { ...DEFAULT_SLA_CALENDAR, twenty_four_seven: false }): SlaCalendarView {
  if (!c) return DEFAULT_SLA_CALENDAR;
  const out: SlaCalendarView = {
    timezone: c.timezone,
    twenty_four_seven: c.twenty_four_seven ?? base.twenty_four_seven,
    working_days: [...(c.working_days ?? base.working_days)].sort(),
    start_time: c.start_time ?? base.start_time,
    end_time: c.end_time ?? base.end_time,
    holidays: [...new Set(c.holidays ?? base.holidays)].sort(),
  };
  try {
    assertCalendar(businessCalendarOf({ ...out, twenty_four_seven: false }));
  } catch (e) {
    const message = (e as Error).message;
    throw SlaErrors.field(/zone/.test(message) ? 'calendar.timezone' : /end/.test(message) ? 'calendar.end_time' : 'calendar', message);
  }
  return out;
}

/** Every target must be reachable under the calendar (a few working minutes a week cannot hold a year-long target). */
function assertReachable(p: Pick<SlaPolicyView, 'targets' | 'calendar'>): void {
  const longest = Math.max(...Object.values(p.targets).map((t) => t.resolution_minutes), ...Object.values(p.targets).map((t) => t.response_minutes));
  try {
    addBusinessMs(businessCalendarOf(p.calendar), new Date(), longest * 60_000);
  } catch {
    throw SlaErrors.field('targets', `a target of ${longest} minutes is not reached within ten years of this calendar's working time`);
  }
}

/**
 * Writes the tenant's built-in default policy if it has no default row yet. Until then the default
 * exists without a row (a new tenant's reads write nothing), with the same id wherever it is
 * derived: the records whose timers started under it point at the row once it is written (by the
 * first policy write of an admin, in that write's unit of work).
 */
export async function ensureDefaultPolicy(tx: TenantTx): Promise<void> {
  const rows = await listPolicyRows(tx);
  if (rows.some((r) => r.isDefault)) return;
  const d = defaultPolicy(tx.tenant, new Date());
  const shape = rowShape(tx, SlaPolicyEntity);
  const inserted = (await tx.query(`${shape.insertSql} ON CONFLICT (id) DO NOTHING RETURNING id`, shape.values(fromSlaPolicyView(tx.tenant, d)))) as unknown[];
  if (!inserted.length) return;
  await tx.emit(EventSubject.SlaPolicyCreated, { policy: d, deleted: false });
  await tx.audit({ action: 'sla_policy.created', resource_type: 'sla_policy', resource_id: d.id, after: d }, null);
}

/**
 * SLA policies (`/api/sla/policies`): admins write them, everyone reads them. Every tenant has a
 * default policy (materialised on first use, with the same id wherever it is derived). Each write
 * publishes sla.policy.* with the whole policy, so the services that run timers on their own
 * records (itsm's service requests) keep a copy.
 */
@Injectable()
export class SlaPoliciesService {
  constructor(@Inject(RUNTIME) private readonly rt: ServiceRuntime) {}

  private assertAdmin(meta: RequestMeta): void {
    if (!isAdmin(meta.actor) || !canWrite(meta.actor)) throw SlaErrors.adminOnly();
  }

  /** The tenant's policies, oldest first, the built-in default included while it has no row (reads write nothing). */
  async policies(tx: TenantTx): Promise<SlaPolicyView[]> {
    const views = withDefault(tx.tenant, await listPolicyRows(tx), new Date());
    return views.sort((a, b) => Number(b.is_default) - Number(a.is_default) || a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id));
  }

  async create(meta: RequestMeta, dto: CreateSlaPolicyDto): Promise<SlaPolicyView> {
    this.assertAdmin(meta);
    const tenant = asTenantId(meta.tenant_id);
    const calendar = calendarOf(dto.calendar);
    return idempotentCreate(this.rt.tenantDb, tenant, meta.idempotency_key, 'incidents.sla_policy.create', dto, (record) =>
      this.rt.tenantDb.run({ tenant, actor: meta.actor }, async (tx) => {
        await ensureDefaultPolicy(tx);
        const now = new Date();
        const view: SlaPolicyView = {
          id: randomUUID(),
          name: dto.name.trim(),
          description: dto.description?.trim() ?? '',
          applies_to: dto.applies_to ?? ['incident', 'service_request'],
          is_default: dto.is_default ?? false,
          match: { services: dto.match?.services ?? [], catalog_categories: dto.match?.catalog_categories ?? [] },
          targets: dto.targets,
          calendar,
          pause_on: dto.pause_on ?? DEFAULT_PAUSE_ON,
          at_risk_percent: dto.at_risk_percent ?? DEFAULT_AT_RISK_PERCENT,
          created_by: meta.actor?.user_id ?? null,
          created_at: now.toISOString(),
          updated_at: now.toISOString(),
          version: 1,
        };
        assertReachable(view);
        if (view.is_default) await this.clearDefault(tx, now);
        await upsertPolicyRow(tx, fromSlaPolicyView(tenant, view));
        await tx.emit(EventSubject.SlaPolicyCreated, { policy: view, deleted: false });
        await tx.audit({ action: 'sla_policy.created', resource_type: 'sla_policy', resource_id: view.id, after: view });
        await record(tx, view);
        return view;
      }),
    );
  }

  async list(meta: RequestMeta, q: ListSlaPoliciesQueryDto): Promise<Page<SlaPolicyView>> {
    const tenant = asTenantId(meta.tenant_id);
    const all = await this.rt.tenantDb.run({ tenant, actor: meta.actor }, (tx) => this.policies(tx));
    const items = all.filter((p) => (!q.applies_to || p.applies_to.includes(q.applies_to)) && (!q.updated_since || p.updated_at >= new Date(q.updated_since).toISOString()));
    return { items: items.slice(q.offset, q.offset + q.limit), total: items.length, limit: q.limit, offset: q.offset };
  }

  async get(meta: RequestMeta, id: string): Promise<SlaPolicyView> {
    const tenant = asTenantId(meta.tenant_id);
    return this.rt.tenantDb.run({ tenant, actor: meta.actor }, async (tx) => {
      const p = (await this.policies(tx)).find((x) => x.id === id.toLowerCase());
      if (!p) throw SlaErrors.notFound(id);
      return p;
    });
  }

  async update(meta: RequestMeta, id: string, patch: UpdateSlaPolicyDto): Promise<SlaPolicyView> {
    this.assertAdmin(meta);
    const tenant = asTenantId(meta.tenant_id);
    return this.rt.tenantDb.run({ tenant, actor: meta.actor }, async (tx) => {
      await ensureDefaultPolicy(tx);
      const row = await this.find(tx, id);
      assertIfMatch(meta.if_match, row.version, 'SLA policy');
      const before = toSlaPolicyView(row);
      if (before.is_default && patch.is_default === false) throw SlaErrors.defaultStays();
      const after: SlaPolicyView = {
        ...before,
        name: patch.name?.trim() ?? before.name,
        description: patch.description?.trim() ?? before.description,
        applies_to: patch.applies_to ?? before.applies_to,
        is_default: patch.is_default ?? before.is_default,
        match: patch.match ? { services: patch.match.services ?? before.match.services, catalog_categories: patch.match.catalog_categories ?? before.match.catalog_categories } : before.match,
        targets: patch.targets ?? before.targets,
        calendar: patch.calendar ? calendarOf(patch.calendar, before.calendar) : before.calendar,
        pause_on: patch.pause_on ?? before.pause_on,
        at_risk_percent: patch.at_risk_percent ?? before.at_risk_percent,
      };
      assertReachable(after);
      const same = (v: SlaPolicyView) => JSON.stringify({ ...v, updated_at: null, version: null });
      if (same(after) === same(before)) return before;
      const now = new Date();
      if (after.is_default && !before.is_default) await this.clearDefault(tx, now);
      after.updated_at = now.toISOString();
      after.version = before.version + 1;
      await upsertPolicyRow(tx, fromSlaPolicyView(tenant, after));
      await tx.emit(EventSubject.SlaPolicyUpdated, { policy: after, deleted: false });
      await tx.audit({ action: 'sla_policy.updated', resource_type: 'sla_policy', resource_id: after.id, before, after });
      return after;
    });
  }

  /** Deletes a policy (not the default). Records that run under it keep their timers; new ones get another policy. */
  async remove(meta: RequestMeta, id: string): Promise<{ deleted: true }> {
    this.assertAdmin(meta);
    const tenant = asTenantId(meta.tenant_id);
    return this.rt.tenantDb.run({ tenant, actor: meta.actor }, async (tx) => {
      await ensureDefaultPolicy(tx);
      const row = await this.find(tx, id);
      if (row.isDefault) throw SlaErrors.defaultCannotGo();
      const now = new Date();
      const view = { ...toSlaPolicyView(row), updated_at: now.toISOString(), version: row.version + 1 };
      await upsertPolicyRow(tx, fromSlaPolicyView(tenant, view, now));
      await tx.emit(EventSubject.SlaPolicyDeleted, { policy: view, deleted: true });
      await tx.audit({ action: 'sla_policy.deleted', resource_type: 'sla_policy', resource_id: row.id, before: toSlaPolicyView(row) });
      return { deleted: true as const };
    });
  }

  /** The current default stops being one (before another becomes it). */
  private async clearDefault(tx: TenantTx, now: Date): Promise<void> {
    for (const r of (await listPolicyRows(tx)).filter((x) => x.isDefault)) {
      const v = { ...toSlaPolicyView(r), is_default: false, updated_at: now.toISOString(), version: r.version + 1 };
      await upsertPolicyRow(tx, fromSlaPolicyView(tx.tenant, v));
      await tx.emit(EventSubject.SlaPolicyUpdated, { policy: v, deleted: false });
    }
  }

  private async find(tx: TenantTx, id: string): Promise<SlaPolicyEntity> {
    const shape = rowShape(tx, SlaPolicyEntity);
    const rows = (await tx.query(`SELECT ${shape.selectList} FROM ${shape.table} WHERE id = $1 AND deleted_at IS NULL FOR UPDATE`, [id.toLowerCase()])) as Record<string, unknown>[];
    if (!rows.length) throw SlaErrors.notFound(id);
    return shape.fromRow(rows[0]);
  }
}
