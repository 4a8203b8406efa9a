import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import {
  Actor,
  AddCommentDto,
  canWrite,
  CommentView,
  CreateIncidentDto,
  EventSubject,
  FieldChange,
  IncidentStatus,
  IncidentView,
  ListIncidentsQueryDto,
  PageQueryDto,
  RequestMeta,
  TimelineEntryView,
  UpdateIncidentDto,
} from '@opsplane/contracts';
import { asTenantId, assertIfMatch, idempotentCreate, TenantId, TenantTx } from '@opsplane/db';
import { Page } from '@opsplane/errors';
import { currentTraceId } from '@opsplane/observability';
import { RUNTIME, ServiceRuntime } from '@opsplane/runtime';
import { IncidentCommentEntity, IncidentEntity, TimelineEntryEntity } from './incident.entity';
import { referenceOf, toCommentView, toIncidentView, toTimelineView } from './incident.mapper';
import { allowedNextStatuses, canTransition } from './incident-state-machine';
import { IncidentErrors } from './incidents.exception';
import { assertIncidentQuota } from '../tenancy/tenant-limits';
import { matrixRank, resolvePriority } from './priority';
import { findIncident, insertIncident, insertTimeline, listIncidents, updateIncident } from './incidents.repository';


type Changes = Record<string, FieldChange>;

const TS_COLUMN: Record<IncidentStatus, keyof IncidentEntity> = {
  triggered: 'triggeredAt',
  open: 'openedAt',
  acknowledged: 'acknowledgedAt',
  investigating: 'investigatingAt',
  resolved: 'resolvedAt',
  closed: 'closedAt',
  reopened: 'reopenedAt',
};

function actorType(a: Actor | null): 'user' | 'api_token' | 'system' {
  if (!a || a.auth_method === 'system') return 'system';
  return a.auth_method === 'api_token' ? 'api_token' : 'user';
}

const sameArray = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

@Injectable()
export class IncidentsService {
  constructor(@Inject(RUNTIME) private readonly rt: ServiceRuntime) {}

  private tenant(meta: RequestMeta): TenantId {
    return asTenantId(meta.tenant_id);
  }

  private assertWrite(meta: RequestMeta): void {
    if (!canWrite(meta.actor)) throw IncidentErrors.readOnly();
  }

  /** Next reference number: its own short transaction, so no lock is held while the create runs. */
  private async nextNumber(tenant: TenantId): Promise<number> {
    const rows = await this.rt.tenantDb.run(tenant, (tx) =>
      tx.query(
        `INSERT INTO incident_counters AS c (tenant_id, last_number) VALUES ($1, 1)
         ON CONFLICT (tenant_id) DO UPDATE SET last_number = c.last_number + 1 RETURNING last_number`,
        [tenant],
      ),
    );
    return Number((rows as { last_number: string }[])[0].last_number);
  }

  async create(meta: RequestMeta, dto: CreateIncidentDto, initialStatus: IncidentStatus = 'open'): Promise<IncidentView> {
    this.assertWrite(meta);
    const tenant = this.tenant(meta);
    const priority = resolvePriority(dto);
    if (!priority.ok) throw IncidentErrors.priorityConflict(priority.message);
    // A retry with the same Idempotency-Key answers the first answer, before a number is taken.
    return idempotentCreate(this.rt.tenantDb, tenant, meta.idempotency_key, `incidents.create:${initialStatus}`, dto, async (record) => {
      const number = await this.nextNumber(tenant);
      const now = new Date();
      const e = new IncidentEntity();
      Object.assign(e, {
        id: randomUUID(),
        tenantId: tenant,
        number,
        title: dto.title.trim(),
        description: dto.description ?? '',
        status: initialStatus,
        priorityRank: priority.rank,
        criticality: dto.criticality ?? null,
        urgency: dto.urgency ?? null,
        source: dto.source ?? 'api',
        assignedTo: dto.assigned_to ?? null,
        affectedServices: dto.affected_services ?? [],
        tags: dto.tags ?? [],
        ciIds: dto.ci_ids ?? [],
        resolutionNotes: null,
        resolvedBy: null,
        createdBy: meta.actor?.user_id ?? null,
        createdAt: now,
        updatedAt: now,
        triggeredAt: null,
        openedAt: null,
        acknowledgedAt: null,
        investigatingAt: null,
        resolvedAt: null,
        closedAt: null,
        reopenedAt: null,
        version: 1,
      } satisfies Partial<IncidentEntity>);
      (e[TS_COLUMN[initialStatus]] as Date) = now;
      const view = toIncidentView(e);
      await this.rt.tenantDb.run({ tenant, actor: meta.actor }, async (tx) => {
        await assertIncidentQuota(tx, tenant);
        await insertIncident(tx, e);
        await this.addTimeline(tx, tenant, meta, e.id, 'created', {}, null, now);
        await tx.emit(EventSubject.IncidentCreated, { incident: view });
        await tx.audit({ action: 'incident.created', resource_type: 'incident', resource_id: e.id, after: view });
        await record(tx, view);
      });
      return view;
    });
  }

  async get(meta: RequestMeta, ref: string): Promise<IncidentView> {
    const tenant = this.tenant(meta);
    return this.rt.tenantDb.run(tenant, async (em) => toIncidentView(await this.find(em, tenant, ref)));
  }

  async list(meta: RequestMeta, q: ListIncidentsQueryDto): Promise<Page<IncidentView>> {
    const tenant = this.tenant(meta);
    const { rows, total } = await this.rt.tenantDb.run(tenant, (em) => listIncidents(em, tenant, q));
    return { items: rows.map(toIncidentView), total, limit: q.limit, offset: q.offset };
  }

  async update(meta: RequestMeta, ref: string, patch: UpdateIncidentDto): Promise<IncidentView> {
    this.assertWrite(meta);
    const tenant = this.tenant(meta);
    const result = await this.rt.tenantDb.run({ tenant, actor: meta.actor }, async (tx) => {
      const e = await this.find(tx, tenant, ref, true);
      // Two people editing one incident: the second, holding an older version, gets 412.
      assertIfMatch(meta.if_match, e.version, 'incident');
      const before = toIncidentView(e);
      const changes: Changes = {};
      const now = new Date();
      const set = <K extends keyof IncidentEntity>(key: K, field: string, value: IncidentEntity[K]) => {
        const old = e[key];
        const equal = Array.isArray(old) && Array.isArray(value) ? sameArray(old as string[], value as string[]) : old === value;
        if (!equal) {
          changes[field] = { from: old instanceof Date ? old.toISOString() : old, to: value };
          e[key] = value;
        }
      };
      const statusChange = patch.status !== undefined && patch.status !== e.status ? patch.status : undefined;
      if (e.status === 'closed') {
        const touches = Object.entries(patch).some(([k, v]) => v !== undefined && k !== 'comment' && k !== 'status');
        if (statusChange || touches) {
          throw statusChange ? IncidentErrors.invalidTransition('closed', statusChange, []) : IncidentErrors.closed();
        }
      }
      if (statusChange && !canTransition(e.status, statusChange)) {
        throw IncidentErrors.invalidTransition(e.status, statusChange, allowedNextStatuses(e.status));
      }
      if (patch.title !== undefined) set('title', 'title', patch.title.trim());
      if (patch.description !== undefined) set('description', 'description', patch.description);
      if (patch.assigned_to !== undefined) set('assignedTo', 'assigned_to', patch.assigned_to);
      if (patch.affected_services !== undefined) set('affectedServices', 'affected_services', patch.affected_services);
      if (patch.tags !== undefined) set('tags', 'tags', patch.tags);
      if (patch.ci_ids !== undefined) set('ciIds', 'ci_ids', patch.ci_ids);
      if (patch.criticality !== undefined) set('criticality', 'criticality', patch.criticality);
      if (patch.urgency !== undefined) set('urgency', 'urgency', patch.urgency);
      if (patch.resolution_notes !== undefined) set('resolutionNotes', 'resolution_notes', patch.resolution_notes);
      if (patch.resolved_by !== undefined) set('resolvedBy', 'resolved_by', patch.resolved_by);
      if (patch.severity !== undefined || patch.priority !== undefined) {
        const p = resolvePriority({ severity: patch.severity, priority: patch.priority });
        if (!p.ok) throw IncidentErrors.priorityConflict(p.message);
        set('priorityRank', 'priority_rank', p.rank);
      } else if (patch.criticality !== undefined || patch.urgency !== undefined) {
        set('priorityRank', 'priority_rank', matrixRank(e.criticality, e.urgency));
      }
      if (statusChange) {
        set('status', 'status', statusChange);
        (e[TS_COLUMN[statusChange]] as Date) = now;
        if (statusChange === 'resolved' && patch.resolved_by === undefined) set('resolvedBy', 'resolved_by', meta.actor?.email ?? null);
      }
      if (changes.priority_rank) {
        const from = changes.priority_rank.from as 1;
        const to = changes.priority_rank.to as 1;
        delete changes.priority_rank;
        changes.severity = { from: `P${from}`, to: `P${to}` };
      }
      const commented = !!patch.comment?.trim();
      if (!Object.keys(changes).length && !commented) return { view: before, changed: false };
      if (Object.keys(changes).length) {
        e.updatedAt = now;
        e.version += 1;
        await updateIncident(tx, e);
      }
      const view = toIncidentView(e);
      const type = statusChange ? 'status_changed' : Object.keys(changes).length ? 'updated' : 'comment';
      await this.addTimeline(tx, tenant, meta, e.id, type, changes, patch.comment?.trim() || null, now);
      if (commented) {
        const c = await this.insertComment(tx, tenant, meta, e.id, patch.comment!.trim(), now);
        await this.commented(tx, e, toCommentView(c));
      }
      if (Object.keys(changes).length) {
        await tx.emit(EventSubject.IncidentUpdated, { incident: view, changes });
        await tx.audit({ action: 'incident.updated', resource_type: 'incident', resource_id: e.id, before, after: view });
        if (statusChange) {
          await tx.emit(EventSubject.IncidentStatusChanged, { incident_id: e.id, reference: view.reference, from: before.status, to: statusChange, incident: view });
        }
      }
      return { view, changed: true };
    });
    return result.view;
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

  async listComments(meta: RequestMeta, ref: string, page: PageQueryDto): Promise<Page<CommentView>> {
    const tenant = this.tenant(meta);
    return this.rt.tenantDb.run(tenant, async (em) => {
      const e = await this.find(em, tenant, ref);
      const [rows, total] = await em.getRepository(IncidentCommentEntity).findAndCount({
        where: { tenantId: tenant, incidentId: e.id },
        order: { createdAt: 'ASC', id: 'ASC' },
        skip: page.offset,
        take: page.limit,
      });
      return { items: rows.map(toCommentView), total, limit: page.limit, offset: page.offset };
    });
  }

  async timeline(meta: RequestMeta, ref: string, page: PageQueryDto): Promise<Page<TimelineEntryView>> {
    const tenant = this.tenant(meta);
    return this.rt.tenantDb.run(tenant, async (em) => {
      const e = await this.find(em, tenant, ref);
      const [rows, total] = await em.getRepository(TimelineEntryEntity).findAndCount({
        where: { tenantId: tenant, incidentId: e.id },
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

  private async addTimeline(
    em: EntityManager,
    tenant: TenantId,
    meta: RequestMeta,
    incidentId: string,
    type: TimelineEntryEntity['type'],
    changes: Changes,
    message: string | null,
    at: Date,
  ): Promise<void> {
    await insertTimeline(em, {
      id: randomUUID(),
      tenantId: tenant,
      incidentId,
      type,
      actorId: meta.actor?.user_id ?? null,
      actorEmail: meta.actor?.email ?? null,
      actorType: actorType(meta.actor),
      tokenId: meta.actor?.token_id ?? null,
      changes,
      message,
      traceId: currentTraceId(),
      createdAt: at,
    });
  }
}
