import { timelineFieldsView } from '@opsplane/db';
import { ChangeTimelineEntryView, ChangeView, FreezeWindowView } from '@opsplane/contracts';
import { ChangeEntity, ChangeTimelineEntity, FreezeWindowEntity } from './change.entity';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export const referenceOf = (n: number) => `CHG-${String(n).padStart(8, '0')}`;

/** A change as the API answers it (with the other document's names of the same fields). */
export function toChangeView(e: ChangeEntity): ChangeView {
  return {
    id: e.id,
    reference: referenceOf(e.number),
    title: e.title,
    description: e.description,
    type: e.type,
    change_type: e.type,
    status: e.status,
    priority: e.priority,
    risk_level: e.riskLevel,
    approval_status: e.approvalStatus,
    risk_score: e.riskScore,
    computed_risk_level: e.computedRiskLevel,
    conflicts: e.conflicts,
    approval_rule: { approvals: e.approvalRule.approvals, manager_approvals: e.approvalRule.manager_approvals },
    approvals: e.approvals.map((a) => ({ ...a, override_reason: a.override_reason ?? null })),
    requested_by: e.requestedBy,
    assigned_to: e.assignedTo,
    ci_ids: e.ciIds,
    requested_start: iso(e.requestedStart),
    requested_end: iso(e.requestedEnd),
    scheduled_start: iso(e.scheduledStart),
    scheduled_end: iso(e.scheduledEnd),
    actual_start: iso(e.actualStart),
    actual_end: iso(e.actualEnd),
    implementation_plan: e.implementationPlan,
    backout_plan: e.backoutPlan,
    rollback_plan: e.backoutPlan,
    test_plan: e.testPlan,
    backout_performed: e.backoutPerformed,
    closure_notes: e.closureNotes,
    review_required: e.reviewRequired,
    review_notes: e.reviewNotes,
    reviewed_by: e.reviewedBy,
    reviewed_at: iso(e.reviewedAt),
    created_by: e.createdBy,
    created_at: e.createdAt.toISOString(),
    updated_at: e.updatedAt.toISOString(),
    approved_at: iso(e.approvedAt),
    closed_at: iso(e.closedAt),
    version: e.version,
  };
}

export function toChangeTimelineView(t: ChangeTimelineEntity): ChangeTimelineEntryView {
  return { ...timelineFieldsView(t), change_id: t.changeId };
}

export function toFreezeWindowView(f: FreezeWindowEntity): FreezeWindowView {
  return {
    id: f.id,
    name: f.name,
    reason: f.reason,
    start: f.startsAt.toISOString(),
    end: f.endsAt.toISOString(),
    ci_ids: f.ciIds,
    created_by: f.createdBy,
    created_at: f.createdAt.toISOString(),
    updated_at: f.updatedAt.toISOString(),
    version: f.version,
  };
}
