import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager, MoreThanOrEqual } from 'typeorm';
import {
  AddCommentDto,
  canWrite,
  CommentView,
  CreateIncidentDto,
  EventSubject,
  IncidentStatus,
  IncidentView,
  ListIncidentsQueryDto,
  IncidentPageQueryDto,
  RequestMeta,
  TimelineEntryView,
  UpdateIncidentDto,
  CiIncidentRefView,
  CiRecordsView,
} from '@opsplane/contracts';
import { asTenantId, assertIfMatch, idempotentCreate, nextNumber, TenantId, TenantTx, timelineActor } from '@opsplane/db';
import { Page } from '@opsplane/errors';
import { byCi, resolveCiRefs, RUNTIME, ServiceRuntime } from '@opsplane/runtime';
import { IncidentCommentEntity, IncidentEntity, TimelineEntryEntity } from './incident.entity';
import { referenceOf, toCommentView, toIncidentView, toTimelineView } from './incident.mapper';
import { applyPatch, assertPriority, Changes, newIncident } from './incident.domain';
import { IncidentErrors } from './incidents.exception';
import { assertIncidentQuota } from '../tenancy/tenant-limits';
import { findIncident, insertIncident, insertTimeline, listIncidents, openIncidentsOnCis, updateIncident } from './incidents.repository';
import { PriorityRank, priorityOf } from './priority';
import { loadTimers, recordSlaView, syncSla } from '@opsplane/sla';
import { SlaPoliciesService } from '../sla/sla-policies.service';
import { incidentSlaState } from '../sla/incident-sla';


@Injectable()
export class IncidentsService {
  constructor(
    @Inject(RUNTIME) private readonly rt: ServiceRuntime,
    private readonly slaPolicies: SlaPoliciesService,
  ) {}

  /** Starts or moves the incident's SLA timers with it (in its unit of work). */
  private sla(tx: TenantTx, e: IncidentEntity, at: Date, start = false) {
    return syncSla(tx, () => this.slaPolicies.policies(tx), incidentSlaState(e), at, { start });
  }

  private tenant(meta: RequestMeta): TenantId {
    return asTenantId(meta.tenant_id);
  }

  private assertWrite(meta: RequestMeta): void {
    if (!canWrite(meta.actor)) throw IncidentErrors.readOnly();
  }

  /** Next reference number: its own short transaction, so no lock is held while the create runs. */
  private nextNumber(tenant: TenantId): Promise<number> {
    return this.rt.tenantDb.run(tenant, (tx) => nextNumber(tx, 'incident_counters', tenant));
  }

  /** Opens an incident (from the API; `triggered` when an alert opens it). */
  async create(meta: RequestMeta, dto: CreateIncidentDto, initialStatus: IncidentStatus = 'open'): Promise<IncidentView> {
    this.assertWrite(meta);
    const tenant = this.tenant(meta);
    assertPriority(dto);
    // The items it names, checked in the CMDB (ids, or names resolved to ids).
    dto.ci_ids = await resolveCiRefs(this.rt.rpc, meta, dto.ci_ids);
    // A retry with the same Idempotency-Key answers the first answer, before a number is taken.
    return idempotentCreate(this.rt.tenantDb, tenant, meta.idempotency_key, `incidents.create:${initialStatus}`, dto, async (record) => {
      const number = await this.nextNumber(tenant);
      const now = new Date();
      const e = newIncident({ id: randomUUID(), tenantId: tenant, number, dto, status: initialStatus, createdBy: meta.actor?.user_id ?? null, now });
      return this.rt.tenantDb.run({ tenant, actor: meta.actor }, async (tx) => {
        const view = await this.insertNew(tx, meta, e, now);
        await record(tx, view);
        return view;
      });
    });
  }

  /**
   * Records a new incident (built by the domain's newIncident) in the caller's unit of work: the plan's quota, the row,
   * its SLA timers, the timeline, the created event and the audit entry. The API's create and the alert intake use it.
   */
  async insertNew(tx: TenantTx, meta: RequestMeta, e: IncidentEntity, now: Date): Promise<IncidentView> {
    const tenant = this.tenant(meta);
    await assertIncidentQuota(tx, tenant);
    await insertIncident(tx, e);
    const view = toIncidentView(e, await this.sla(tx, e, now, true));
    await this.addTimeline(tx, tenant, meta, e.id, 'created', {}, null, now);
    await tx.emit(EventSubject.IncidentCreated, { incident: view });
    await tx.audit({ action: 'incident.created', resource_type: 'incident', resource_id: e.id, after: toIncidentView(e) });
    return view;
  }

  /** The open incidents on each of the given configuration items (the CMDB's item view and impact analysis). */
  async onCis(meta: RequestMeta, ciIds: string[]): Promise<CiRecordsView> {
    const rows = ciIds.length ? await this.rt.tenantDb.run(this.tenant(meta), (tx) => openIncidentsOnCis(tx, ciIds)) : [];
    const grouped = byCi(rows, ciIds, (r): CiIncidentRefView => ({
      id: r.id,
      reference: referenceOf(Number(r.number)),
      title: r.title,
      status: r.status,
      priority: priorityOf(r.priority_rank as PriorityRank),
      created_at: r.created_at.toISOString(),
    }));
    return { items: grouped.map((g) => ({ ci_id: g.ci_id, incidents: g.records, changes: [] })) };
  }

  async get(meta: RequestMeta, ref: string): Promise<IncidentView> {
    const tenant = this.tenant(meta);
    return this.rt.tenantDb.run(tenant, async (em) => {
      const e = await this.find(em, tenant, ref);
      return toIncidentView(e, recordSlaView((await loadTimers(em, [e.id])).get(e.id), new Date()));
    });
  }

  async list(meta: RequestMeta, q: ListIncidentsQueryDto): Promise<Page<IncidentView>> {
    const tenant = this.tenant(meta);
    const { rows, total, timers } = await this.rt.tenantDb.run(tenant, async (em) => {
      const page = await listIncidents(em, tenant, q);
      return { ...page, timers: await loadTimers(em, page.rows.map((e) => e.id)) };
    });
    const now = new Date();
    return { items: rows.map((e) => toIncidentView(e, recordSlaView(timers.get(e.id), now))), total, limit: q.limit, offset: q.offset };
  }

  /**
   * Edits fields, moves the status and/or comments, in one unit of work: the rules are the
   * domain's (applyPatch); here the incident is locked, checked against If-Match, and the outcome
   * recorded (row and version, timeline, comment, events, audit). A patch that changes nothing
   * and has no comment writes nothing.
   */
  async update(meta: RequestMeta, ref: string, patch: UpdateIncidentDto): Promise<IncidentView> {
    this.assertWrite(meta);
    const tenant = this.tenant(meta);
    patch.ci_ids = await resolveCiRefs(this.rt.rpc, meta, patch.ci_ids);
    return this.rt.tenantDb.run({ tenant, actor: meta.actor }, async (tx) => {
      const e = await this.find(tx, tenant, ref, true);
      // Two people editing one incident: the second, holding an older version, gets 412.
      assertIfMatch(meta.if_match, e.version, 'incident');
      return this.patchIn(tx, meta, e, patch, new Date());
    });
  }

  /**
   * Applies a patch to an incident the caller loaded FOR UPDATE in its unit of work, by the domain's rules, and records
   * the outcome (row and version, SLA, timeline, comment, events, audit). The API's update and the alert intake
   * (re-open, auto-resolve) use it.
   */
  async patchIn(tx: TenantTx, meta: RequestMeta, e: IncidentEntity, patch: UpdateIncidentDto, now: Date): Promise<IncidentView> {
    const tenant = this.tenant(meta);
    const before = toIncidentView(e);
    const { changes, statusChange } = applyPatch(e, patch, { email: meta.actor?.email ?? null }, now);
    const changed = Object.keys(changes).length > 0;
    const comment = patch.comment?.trim() || null;
    if (!changed && !comment) return toIncidentView(e, recordSlaView((await loadTimers(tx, [e.id])).get(e.id), now));
    if (changed) {
      e.updatedAt = now;
      e.version += 1;
      await updateIncident(tx, e);
    }
    const view = toIncidentView(e, await this.sla(tx, e, now));
    await this.addTimeline(tx, tenant, meta, e.id, statusChange ? 'status_changed' : changed ? 'updated' : 'comment', changes, comment, now);
    if (comment) await this.commented(tx, e, toCommentView(await this.insertComment(tx, tenant, meta, e.id, comment, now)));
    if (changed) await this.updated(tx, before, view, changes, statusChange);
    return view;
  }

  async addComment(meta: RequestMeta, ref: string, dto: AddCommentDto): Promise<CommentView> {
    this.assertWrite(meta);
    const tenant = this.tenant(meta);
    return idempotentCreate(this.rt.tenantDb, tenant, meta.idempotency_key, `incidents.comment:${ref}`, dto, async (record) => {
      return this.rt.tenantDb.run({ tenant, actor: meta.actor }, async (tx) => {
        const e = await this.find(tx, tenant, ref);
        const now = new Date();
        const c = toCommentView(await this.insertComment(tx, tenant, meta, e.id, dto.body.trim(), now));
        await this.addTimeline(tx, tenant, meta, e.id, 'comment', {}, dto.body.trim(), now);
        await this.commented(tx, e, c);
        await record(tx, c);
        return c;
      });
    });
  }

  async listComments(meta: RequestMeta, ref: string, page: IncidentPageQueryDto): Promise<Page<CommentView>> {
    const tenant = this.tenant(meta);
    return this.rt.tenantDb.run(tenant, async (em) => {
      const e = await this.find(em, tenant, ref);
      const [rows, total] = await em.getRepository(IncidentCommentEntity).findAndCount({
        // Never edited: `updated_since` keeps those added since.
        where: { tenantId: tenant, incidentId: e.id, ...(page.updated_since ? { createdAt: MoreThanOrEqual(new Date(page.updated_since)) } : {}) },
        order: { createdAt: 'ASC', id: 'ASC' },
        skip: page.offset,
        take: page.limit,
      });
      return { items: rows.map(toCommentView), total, limit: page.limit, offset: page.offset };
    });
  }

  async timeline(meta: RequestMeta, ref: string, page: IncidentPageQueryDto): Promise<Page<TimelineEntryView>> {
    const tenant = this.tenant(meta);
    return this.rt.tenantDb.run(tenant, async (em) => {
      const e = await this.find(em, tenant, ref);
      const [rows, total] = await em.getRepository(TimelineEntryEntity).findAndCount({
        // Never edited: `updated_since` keeps those added since.
        where: { tenantId: tenant, incidentId: e.id, ...(page.updated_since ? { createdAt: MoreThanOrEqual(new Date(page.updated_since)) } : {}) },
        order: { createdAt: 'ASC', id: 'ASC' },
        skip: page.offset,
        take: page.limit,
      });
      return { items: rows.map(toTimelineView), total, limit: page.limit, offset: page.offset };
    });
  }

  /** By uuid or by reference (INC-00000001). Another tenant's incident is simply not found (RLS). */
  private async find(em: EntityManager, tenant: TenantId, ref: string, forUpdate = false): Promise<IncidentEntity> {
    const e = await findIncident(em, tenant, ref, forUpdate);
    if (!e) throw IncidentErrors.notFound(ref);
    return e;
  }

  private async updated(tx: TenantTx, before: IncidentView, view: IncidentView, changes: Changes, statusChange: IncidentStatus | undefined): Promise<void> {
    await tx.emit(EventSubject.IncidentUpdated, { incident: view, changes });
    // The audit keeps the record's fields; its SLA (a clock) is on the record and in the events.
    await tx.audit({ action: 'incident.updated', resource_type: 'incident', resource_id: view.id, before, after: { ...view, sla: null } });
    if (statusChange) {
      await tx.emit(EventSubject.IncidentStatusChanged, { incident_id: view.id, reference: view.reference, from: before.status, to: statusChange, incident: view });
    }
  }

  private async commented(tx: TenantTx, e: IncidentEntity, comment: CommentView): Promise<void> {
    await tx.emit(EventSubject.IncidentCommented, { incident_id: e.id, reference: referenceOf(e.number), comment });
    await tx.audit({ action: 'incident.commented', resource_type: 'incident', resource_id: e.id, after: comment });
  }

  private async insertComment(em: EntityManager, tenant: TenantId, meta: RequestMeta, incidentId: string, body: string, at: Date) {
    const c = Object.assign(new IncidentCommentEntity(), {
      id: randomUUID(),
      tenantId: tenant,
      incidentId,
      body,
      authorId: meta.actor?.user_id ?? null,
      authorEmail: meta.actor?.email ?? null,
      createdAt: at,
    });
    await em.createQueryBuilder().insert().into(IncidentCommentEntity).values(c).updateEntity(false).execute();
    return c;
  }

  /** One line of the incident's timeline, in the caller's unit of work (the alert intake notes alerts with it). */
  async addTimeline(
    em: EntityManager,
    tenant: TenantId,
    meta: RequestMeta,
    incidentId: string,
    type: TimelineEntryEntity['type'],
    changes: Changes,
    message: string | null,
    at: Date,
  ): Promise<void> {
    await insertTimeline(em, Object.assign(new TimelineEntryEntity(), { id: randomUUID(), tenantId: tenant, incidentId, type, changes, message, createdAt: at, ...timelineActor(meta.actor) }));
  }
}
