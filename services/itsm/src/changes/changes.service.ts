import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  canWrite,
  ChangeApprovalDto,
  ChangeApprovalPolicyDto,
  ChangeApprovalPolicyView,
  ChangeCalendarQueryDto,
  ChangeCalendarView,
  ChangePageQueryDto,
  ChangeStatus,
  ChangeTimelineEntryView,
  ChangeView,
  CreateChangeDto,
  EventSubject,
  isAdmin,
  ListChangesQueryDto,
  RequestMeta,
  UpdateChangeDto,
  CiChangeRefView,
  CiRecordsView,
} from '@opsplane/contracts';
import { asTenantId, assertIfMatch, idempotentCreate, timelineActor, TenantTx } from '@opsplane/db';
import { Page } from '@opsplane/errors';
import { byCi, resolveCiRefs, RUNTIME, ServiceRuntime } from '@opsplane/runtime';
import { applyPatch, assertPolicy, Changes, decide, DEFAULT_CHANGE_POLICY, newChange } from './change.domain';
import { ChangeEntity, ChangeTimelineEntity } from './change.entity';
import { referenceOf, toChangeTimelineView, toChangeView, toFreezeWindowView } from './change.mapper';
import { ChangesErrors } from './changes.exception';
import {
  changesBetween,
  failureRate,
  findConflicts,
  listFreezeWindows,
  findChange,
  findPolicy,
  insertChange,
  insertTimeline,
  listChanges,
  listTimeline,
  nextChangeNumber,
  savePolicy,
  updateChange,
  activeChangesOnCis,
} from './changes.repository';

@Injectable()
export class ChangesService {
  constructor(@Inject(RUNTIME) private readonly rt: ServiceRuntime) {}

  private assertWrite(meta: RequestMeta): void {
    if (!canWrite(meta.actor)) throw ChangesErrors.readOnly();
  }

  /** Creates a change (safe to retry with an Idempotency-Key): numbered, its approval round started, audited. */
  async create(meta: RequestMeta, dto: CreateChangeDto): Promise<ChangeView> {
    this.assertWrite(meta);
    dto.ci_ids = await resolveCiRefs(this.rt.rpc, meta, dto.ci_ids);
    const tenant = asTenantId(meta.tenant_id);
    return idempotentCreate(this.rt.tenantDb, tenant, meta.idempotency_key, 'itsm.change.create', dto, async (record) => {
      const number = await this.rt.tenantDb.run(tenant, (tx) => nextChangeNumber(tx));
      return this.rt.tenantDb.run({ tenant, actor: meta.actor }, async (tx) => {
        const now = new Date();
        const e = newChange({ id: randomUUID(), tenantId: tenant, number, dto, actor: meta.actor, policy: await this.policy(tx), failureRate: await failureRate(tx), now });
        e.conflicts = await findConflicts(tx, e);
        await insertChange(tx, e);
        const view = toChangeView(e);
        await this.addTimeline(tx, meta, e.id, 'created', {}, null, now);
        await tx.emit(EventSubject.ChangeCreated, { change: view });
        await tx.audit({ action: 'change.created', resource_type: 'change', resource_id: view.id, after: view });
        await record(tx, view);
        return view;
      });
    });
  }

  /** The changes approved, scheduled or in progress on each of the given configuration items (the CMDB's views). */
  async onCis(meta: RequestMeta, ciIds: string[]): Promise<CiRecordsView> {
    const rows = ciIds.length ? await this.rt.tenantDb.run(asTenantId(meta.tenant_id), (tx) => activeChangesOnCis(tx, ciIds)) : [];
    const grouped = byCi(rows, ciIds, (r): CiChangeRefView => ({
      id: r.id,
      reference: referenceOf(Number(r.number)),
      title: r.title,
      status: r.status,
      risk_level: r.risk_level,
      scheduled_start: r.scheduled_start?.toISOString() ?? null,
      scheduled_end: r.scheduled_end?.toISOString() ?? null,
    }));
    return { items: grouped.map((g) => ({ ci_id: g.ci_id, incidents: [], changes: g.records })) };
  }

  async get(meta: RequestMeta, ref: string): Promise<ChangeView> {
    const tenant = asTenantId(meta.tenant_id);
    return this.rt.tenantDb.run(tenant, async (tx) => toChangeView(await this.find(tx, ref)));
  }

  async list(meta: RequestMeta, q: ListChangesQueryDto): Promise<Page<ChangeView>> {
    const tenant = asTenantId(meta.tenant_id);
    const { rows, total } = await this.rt.tenantDb.run(tenant, (tx) => listChanges(tx, q));
    return { items: rows.map(toChangeView), total, limit: q.limit, offset: q.offset };
  }

  /**
   * Edits fields, moves the status, records the review, in one unit of work: the rules are the
   * domain's (applyPatch); here the change is locked, checked against If-Match, and the outcome
   * recorded (row and version, timeline, events, audit). A patch that changes nothing writes nothing.
   */
  async update(meta: RequestMeta, ref: string, patch: UpdateChangeDto): Promise<ChangeView> {
    if (patch.ci_ids !== undefined) this.assertWrite(meta);
    patch.ci_ids = await resolveCiRefs(this.rt.rpc, meta, patch.ci_ids);
    return this.write(meta, ref, async (tx, e, before, now) => {
      // The failure history is read only when the computed risk can change.
      const riskInputs = patch.type !== undefined || patch.ci_ids !== undefined || patch.backout_plan !== undefined;
      const { changes, statusChange } = applyPatch(e, patch, { actor: meta.actor, policy: await this.policy(tx), failureRate: riskInputs ? await failureRate(tx) : 0, now });
      if (Object.keys(changes).length) e.conflicts = await findConflicts(tx, e);
      const comment = patch.comment?.trim() || null;
      if (!Object.keys(changes).length && !comment) return before;
      const view = Object.keys(changes).length ? await this.save(tx, e, now) : before;
      await this.addTimeline(tx, meta, e.id, statusChange ? 'status_changed' : Object.keys(changes).length ? 'updated' : 'comment', changes, comment, now);
      if (Object.keys(changes).length) await this.recordUpdate(tx, before, view, changes, statusChange);
      return view;
    });
  }

  /** An approver's decision on a change pending approval (a second decision by the same person changes nothing). */
  decide(meta: RequestMeta, ref: string, d: ChangeApprovalDto): Promise<ChangeView> {
    return this.write(meta, ref, async (tx, e, before, now) => {
      // The conflicts as they are now (another change may have been approved since this one's last write).
      e.conflicts = await findConflicts(tx, e);
      const outcome = decide(e, d, { actor: meta.actor!, policy: await this.policy(tx), now });
      if (outcome.ignored) return before;
      const view = await this.save(tx, e, now);
      const changes: Changes = { approvals: { from: before.approvals.length, to: view.approvals.length } };
      if (outcome.statusChange) {
        changes.status = { from: outcome.statusChange.from, to: outcome.statusChange.to };
        changes.approval_status = { from: before.approval_status, to: view.approval_status };
      }
      const who = meta.actor?.email ?? meta.actor?.user_id;
      const message =
        `${d.action === 'approve' ? 'Approved' : 'Rejected'} by ${who}${outcome.approval.comments ? `: ${outcome.approval.comments}` : ''}` +
        (outcome.approval.override_reason ? ` (conflicts overridden: ${outcome.approval.override_reason})` : '');
      await this.addTimeline(tx, meta, e.id, 'approval', changes, message, now);
      const decided = { change_id: view.id, reference: view.reference, approval: outcome.approval, change: view };
      if (view.status === 'approved') await tx.emit(EventSubject.ChangeApproved, decided);
      if (view.status === 'rejected') await tx.emit(EventSubject.ChangeRejected, decided);
      if (outcome.statusChange) {
        await tx.emit(EventSubject.ChangeStatusChanged, { change_id: view.id, reference: view.reference, from: outcome.statusChange.from, to: outcome.statusChange.to, change: view });
      } else {
        await tx.emit(EventSubject.ChangeUpdated, { change: view, changes });
      }
      await tx.audit({ action: d.action === 'approve' ? 'change.approved' : 'change.rejected', resource_type: 'change', resource_id: view.id, before, after: view });
      return view;
    });
  }

  async timeline(meta: RequestMeta, ref: string, page: ChangePageQueryDto): Promise<Page<ChangeTimelineEntryView>> {
    const tenant = asTenantId(meta.tenant_id);
    return this.rt.tenantDb.run(tenant, async (tx) => {
      const e = await this.find(tx, ref);
      const { rows, total } = await listTimeline(tx, e.id, page);
      return { items: rows.map(toChangeTimelineView), total, limit: page.limit, offset: page.offset };
    });
  }

  /** The changes and freeze windows of a range (at most 366 days; up to 1,000 changes). */
  async calendar(meta: RequestMeta, q: ChangeCalendarQueryDto): Promise<ChangeCalendarView> {
    const tenant = asTenantId(meta.tenant_id);
    const from = new Date(q.from);
    const to = new Date(q.to);
    if (to.getTime() <= from.getTime()) throw ChangesErrors.field('to', 'to must be after from');
    if (to.getTime() - from.getTime() > 366 * 86400_000) throw ChangesErrors.field('to', 'a calendar covers at most 366 days');
    return this.rt.tenantDb.run(tenant, async (tx) => {
      const changes = await changesBetween(tx, q.from, q.to, 1000);
      const freezes = await listFreezeWindows(tx, { from: q.from, to: q.to, limit: 1000, offset: 0 });
      return { from: from.toISOString(), to: to.toISOString(), changes: changes.map(toChangeView), freeze_windows: freezes.rows.map(toFreezeWindowView) };
    });
  }

  async getPolicy(meta: RequestMeta): Promise<ChangeApprovalPolicyView> {
    const tenant = asTenantId(meta.tenant_id);
    return this.rt.tenantDb.run(tenant, (tx) => this.policy(tx));
  }

  /** Replaces the tenant's approval policy (admins); changes already pending keep the rule they were submitted under. */
  async setPolicy(meta: RequestMeta, dto: ChangeApprovalPolicyDto): Promise<ChangeApprovalPolicyView> {
    if (!isAdmin(meta.actor) || !canWrite(meta.actor)) throw ChangesErrors.adminOnly();
    const tenant = asTenantId(meta.tenant_id);
    assertPolicy(dto);
    return this.rt.tenantDb.run({ tenant, actor: meta.actor }, async (tx) => {
      const before = await this.policy(tx);
      const now = new Date();
      const policy = {
        normal: { low: { ...dto.normal.low }, medium: { ...dto.normal.medium }, high: { ...dto.normal.high }, critical: { ...dto.normal.critical } },
        emergency: { ...dto.emergency },
        cab: [...new Set((dto.cab ?? []).map((x) => x.toLowerCase()))],
      };
      await savePolicy(tx, policy, now);
      const after = { ...policy, updated_at: now.toISOString() };
      await tx.audit({ action: 'change_policy.updated', resource_type: 'change_policy', resource_id: tenant, before, after });
      return after;
    });
  }

  /** One write of a change, in one unit of work: the row locked and checked against If-Match; `fn` gets the view before it. */
  private write(meta: RequestMeta, ref: string, fn: (tx: TenantTx, e: ChangeEntity, before: ChangeView, now: Date) => Promise<ChangeView>): Promise<ChangeView> {
    this.assertWrite(meta);
    const tenant = asTenantId(meta.tenant_id);
    return this.rt.tenantDb.run({ tenant, actor: meta.actor }, async (tx) => {
      const e = await this.find(tx, ref, true);
      assertIfMatch(meta.if_match, e.version, 'change');
      return fn(tx, e, toChangeView(e), new Date());
    });
  }

  /** The change's new version. */
  private async save(tx: TenantTx, e: ChangeEntity, now: Date): Promise<ChangeView> {
    e.updatedAt = now;
    e.version += 1;
    await updateChange(tx, e);
    return toChangeView(e);
  }

  private async policy(tx: TenantTx): Promise<ChangeApprovalPolicyView> {
    return (await findPolicy(tx)) ?? DEFAULT_CHANGE_POLICY;
  }

  /** By uuid or by reference (CHG-00000001). Another tenant's change is simply not found (RLS). */
  private async find(tx: TenantTx, ref: string, lock = false): Promise<ChangeEntity> {
    const e = await findChange(tx, ref, lock);
    if (!e) throw ChangesErrors.notFound(ref);
    return e;
  }

  private async recordUpdate(tx: TenantTx, before: ChangeView, view: ChangeView, changes: Changes, statusChange?: { from: ChangeStatus; to: ChangeStatus }): Promise<void> {
    await tx.emit(EventSubject.ChangeUpdated, { change: view, changes });
    if (statusChange) await tx.emit(EventSubject.ChangeStatusChanged, { change_id: view.id, reference: view.reference, from: statusChange.from, to: statusChange.to, change: view });
    if (statusChange?.to === 'approved') {
      // Pre-approved by the policy on submission (a standard change).
      const approval = {
        approver_id: null,
        approver_email: null,
        approver_role: 'policy',
        manager: false,
        action: 'approve' as const,
        comments: 'pre-approved (standard change)',
        override_reason: null,
        created_at: view.updated_at,
      };
      await tx.emit(EventSubject.ChangeApproved, { change_id: view.id, reference: view.reference, approval, change: view });
    }
    await tx.audit({ action: 'change.updated', resource_type: 'change', resource_id: view.id, before, after: view });
  }

  private async addTimeline(tx: TenantTx, meta: RequestMeta, changeId: string, type: ChangeTimelineEntity['type'], changes: Changes, message: string | null, at: Date): Promise<void> {
    await insertTimeline(
      tx,
      Object.assign(new ChangeTimelineEntity(), { id: randomUUID(), tenantId: tx.tenant, changeId, type, changes, message, createdAt: at, ...timelineActor(meta.actor) } satisfies ChangeTimelineEntity),
    );
  }
}
