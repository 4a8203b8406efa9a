import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  canWrite,
  CreateServiceRequestDto,
  EventSubject,
  ListServiceRequestsQueryDto,
  RequestApprovalDto,
  RequestEventData,
  RequestMeta,
  RequestStatus,
  ServiceRequestView,
  UpdateServiceRequestDto,
  UpdateTaskDto,
} from '@opsplane/contracts';
import { asTenantId, assertIfMatch, idempotentCreate, TenantTx } from '@opsplane/db';
import { Page } from '@opsplane/errors';
import { RUNTIME, ServiceRuntime } from '@opsplane/runtime';
import { findPolicy } from '../changes/changes.repository';
import { decideRequest, moveRequest, newRequest, updateTask } from './request.domain';
import { ServiceRequestEntity } from './request.entity';
import { toRequestView } from './request.mapper';
import { RequestsErrors } from './requests.exception';
import { findCatalogItem, findRequest, insertRequest, listRequests, nextRequestNumber, updateRequest } from './requests.repository';
import { loadTimers, recordSlaView, syncSla } from '@opsplane/sla';
import { requestPolicies, requestSlaState } from '../sla/request-sla';

/** What the audit keeps of a request: its fields (the SLA, a clock, is on the record and in the events). */
const audited = (v: ServiceRequestView): ServiceRequestView => ({ ...v, sla: null });

const eventOf = (v: ServiceRequestView, from: RequestStatus | null): RequestEventData => ({
  request_id: v.id,
  reference: v.reference,
  catalog_item_id: v.catalog_item_id,
  catalog_item_name: v.catalog_item_name,
  requested_by: v.requested_by,
  status: v.status,
  from,
});

/** Service requests: ordered from the catalog, approved as the item says, fulfilled task by task. */
@Injectable()
export class RequestsService {
  constructor(@Inject(RUNTIME) private readonly rt: ServiceRuntime) {}

  private assertWrite(meta: RequestMeta): void {
    if (!canWrite(meta.actor)) throw RequestsErrors.readOnly();
  }

  /** Submits a request (safe to retry with an Idempotency-Key): its fields checked against the item's form; nothing written on error. */
  async create(meta: RequestMeta, dto: CreateServiceRequestDto): Promise<ServiceRequestView> {
    this.assertWrite(meta);
    const tenant = asTenantId(meta.tenant_id);
    return idempotentCreate(this.rt.tenantDb, tenant, meta.idempotency_key, 'itsm.request.create', dto, async (record) => {
      // Checked before a number is taken: a refused request uses none.
      await this.rt.tenantDb.run(tenant, async (tx) => {
        const item = await findCatalogItem(tx, dto.catalog_item_id);
        if (!item) throw RequestsErrors.field('catalog_item_id', `no catalog item ${dto.catalog_item_id}`);
        newRequest({ id: randomUUID(), tenantId: tenant, number: 0, item, fields: dto.fields ?? {}, requestedBy: dto.requested_by, priority: dto.priority, actor: meta.actor, now: new Date() });
      });
      const number = await this.rt.tenantDb.run(tenant, (tx) => nextRequestNumber(tx));
      return this.rt.tenantDb.run({ tenant, actor: meta.actor }, async (tx) => {
        const item = await findCatalogItem(tx, dto.catalog_item_id);
        if (!item) throw RequestsErrors.field('catalog_item_id', `no catalog item ${dto.catalog_item_id}`);
        const now = new Date();
        const r = newRequest({ id: randomUUID(), tenantId: tenant, number, item, fields: dto.fields ?? {}, requestedBy: dto.requested_by, priority: dto.priority, actor: meta.actor, now });
        await insertRequest(tx, r);
        const view = toRequestView(r, await syncSla(tx, () => requestPolicies(tx), requestSlaState(r, item.category), now, { start: true }));
        await tx.emit(EventSubject.RequestCreated, eventOf(view, null));
        await tx.audit({ action: 'service_request.created', resource_type: 'service_request', resource_id: r.id, after: audited(view) });
        await record(tx, view);
        return view;
      });
    });
  }

  async get(meta: RequestMeta, ref: string): Promise<ServiceRequestView> {
    const tenant = asTenantId(meta.tenant_id);
    return this.rt.tenantDb.run(tenant, async (tx) => {
      const r = await this.find(tx, ref);
      return toRequestView(r, recordSlaView((await loadTimers(tx, [r.id])).get(r.id), new Date()));
    });
  }

  async list(meta: RequestMeta, q: ListServiceRequestsQueryDto): Promise<Page<ServiceRequestView>> {
    const tenant = asTenantId(meta.tenant_id);
    return this.rt.tenantDb.run(tenant, async (tx) => {
      let itemId: string | null = null;
      if (q.catalog_item_id) {
        const item = await findCatalogItem(tx, q.catalog_item_id);
        if (!item) return { items: [], total: 0, limit: q.limit, offset: q.offset };
        itemId = item.id;
      }
      const { rows, total } = await listRequests(tx, q, itemId);
      const timers = await loadTimers(tx, rows.map((r) => r.id));
      const now = new Date();
      return { items: rows.map((r) => toRequestView(r, recordSlaView(timers.get(r.id), now))), total, limit: q.limit, offset: q.offset };
    });
  }

  update(meta: RequestMeta, ref: string, patch: UpdateServiceRequestDto): Promise<ServiceRequestView> {
    return this.write(meta, ref, async (tx, r, before, now) => {
      const move = !!patch.status && patch.status !== r.status;
      const reprioritise = patch.priority !== undefined && patch.priority !== r.priority;
      if (!move && !reprioritise) return before;
      if (reprioritise) {
        if (['fulfilled', 'rejected', 'cancelled'].includes(r.status)) throw RequestsErrors.field('priority', `a ${r.status} request keeps its priority`);
        r.priority = patch.priority!;
      }
      if (move) moveRequest(r, patch.status!, now);
      const view = await this.save(tx, r, now);
      if (move) {
        await tx.emit(EventSubject.RequestStatusChanged, eventOf(view, before.status));
        if (view.status === 'fulfilled') await tx.emit(EventSubject.RequestFulfilled, eventOf(view, before.status));
      }
      await tx.audit({ action: move ? `service_request.${view.status}` : 'service_request.updated', resource_type: 'service_request', resource_id: r.id, before, after: audited(view) });
      return view;
    });
  }

  decide(meta: RequestMeta, ref: string, d: RequestApprovalDto): Promise<ServiceRequestView> {
    return this.write(meta, ref, async (tx, r, before, now) => {
      const cab = (await findPolicy(tx))?.cab ?? [];
      const outcome = decideRequest(r, d, { actor: meta.actor!, cab, now });
      if (outcome.ignored) return before;
      const view = await this.save(tx, r, now);
      if (view.status !== before.status) {
        await tx.emit(d.action === 'approve' ? EventSubject.RequestApproved : EventSubject.RequestRejected, eventOf(view, before.status));
        await tx.emit(EventSubject.RequestStatusChanged, eventOf(view, before.status));
      }
      await tx.audit({
        action: d.action === 'approve' ? 'service_request.approved' : 'service_request.rejected',
        resource_type: 'service_request',
        resource_id: r.id,
        before,
        after: audited(view),
      });
      return view;
    });
  }

  updateTask(meta: RequestMeta, ref: string, taskId: string, patch: UpdateTaskDto): Promise<ServiceRequestView> {
    return this.write(meta, ref, async (tx, r, before, now) => {
      const { changed, fulfilled } = updateTask(r, taskId, patch.status, patch.notes, { actor: meta.actor, now });
      if (!changed) return before;
      const view = await this.save(tx, r, now);
      if (fulfilled) {
        await tx.emit(EventSubject.RequestFulfilled, eventOf(view, before.status));
        await tx.emit(EventSubject.RequestStatusChanged, eventOf(view, before.status));
      }
      await tx.audit({ action: 'service_request.task_updated', resource_type: 'service_request', resource_id: r.id, before, after: audited(view) });
      return view;
    });
  }

  /** One write of a request, in one unit of work: the row locked and checked against If-Match. */
  private write(
    meta: RequestMeta,
    ref: string,
    fn: (tx: TenantTx, r: ServiceRequestEntity, before: ServiceRequestView, now: Date) => Promise<ServiceRequestView>,
  ): Promise<ServiceRequestView> {
    this.assertWrite(meta);
    const tenant = asTenantId(meta.tenant_id);
    return this.rt.tenantDb.run({ tenant, actor: meta.actor }, async (tx) => {
      const r = await this.find(tx, ref, true);
      assertIfMatch(meta.if_match, r.version, 'service request');
      const now = new Date();
      const before = toRequestView(r);
      const view = await fn(tx, r, before, now);
      // Unchanged (nothing saved, so no SLA computed): shown with its SLA as it stands.
      return view !== before ? view : { ...view, sla: recordSlaView((await loadTimers(tx, [r.id])).get(r.id), now) };
    });
  }

  private async save(tx: TenantTx, r: ServiceRequestEntity, now: Date): Promise<ServiceRequestView> {
    r.updatedAt = now;
    r.version += 1;
    await updateRequest(tx, r);
    return toRequestView(r, await syncSla(tx, () => requestPolicies(tx), requestSlaState(r), now));
  }

  private async find(tx: TenantTx, ref: string, lock = false): Promise<ServiceRequestEntity> {
    const r = await findRequest(tx, ref, lock);
    if (!r) throw RequestsErrors.notFound(ref);
    return r;
  }
}
