import {
  Actor,
  ChangeApprovalDto,
  ChangeApprovalPolicyView,
  ChangeApprovalRuleView,
  ChangeApprovalView,
  ChangeRiskLevel,
  ChangeStatus,
  ChangeType,
  CreateChangeDto,
  FieldChange,
  isAdmin,
  UpdateChangeDto,
} from '@opsplane/contracts';
import { ChangeEntity } from './change.entity';
import { ChangesErrors } from './changes.exception';

/**
 * The change's rules, without I/O (the service loads, calls these, and records the outcome in one
 * unit of work): what a new change holds, the state machine, what an edit does to an approval
 * round, and the approval policy.
 */

/** The policy of a tenant that has not set one: more risk, more (and more senior) approvers. */
export const DEFAULT_CHANGE_POLICY: ChangeApprovalPolicyView = {
  normal: {
    low: { approvals: 1, manager_approvals: 0 },
    medium: { approvals: 1, manager_approvals: 1 },
    high: { approvals: 2, manager_approvals: 1 },
    critical: { approvals: 2, manager_approvals: 1 },
  },
  emergency: { approvals: 1, manager_approvals: 0 },
  cab: [],
  updated_at: null,
};

/** What the policy asks of a change of this type and risk (a standard change is pre-approved). */
export function ruleFor(policy: ChangeApprovalPolicyView, type: ChangeType, risk: ChangeRiskLevel): ChangeApprovalRuleView {
  if (type === 'standard') return { approvals: 0, manager_approvals: 0 };
  return { ...(type === 'emergency' ? policy.emergency : policy.normal[risk]) };
}

/**
 * The computed risk (0..100) shown beside the requested level: the type (an emergency change is
 * riskier than a normal one, a standard one is a known procedure), the CIs it touches (5 each, up to
 * 20), a missing backout plan (+15 unless standard), and the tenant's change failure rate over the
 * last 90 days (up to 30). Levels: < 25 low, < 50 medium, < 75 high, else critical.
 */
export function computeRisk(o: { type: ChangeType; ciCount: number; hasBackout: boolean; failureRate: number }): { score: number; level: ChangeRiskLevel } {
  const byType = { standard: 5, normal: 20, emergency: 35 }[o.type];
  const cis = Math.min(20, 5 * o.ciCount);
  const noBackout = o.type !== 'standard' && !o.hasBackout ? 15 : 0;
  const history = Math.round(30 * Math.min(1, Math.max(0, o.failureRate)));
  const score = Math.min(100, byType + cis + noBackout + history);
  const level: ChangeRiskLevel = score < 25 ? 'low' : score < 50 ? 'medium' : score < 75 ? 'high' : 'critical';
  return { score, level };
}

const riskOf = (e: ChangeEntity, failureRate: number) => computeRisk({ type: e.type, ciCount: e.ciIds.length, hasBackout: !!e.backoutPlan?.trim(), failureRate });

/** A policy an admin sets: its rules must be satisfiable. */
export function assertPolicy(p: Pick<ChangeApprovalPolicyView, 'normal' | 'emergency'>): void {
  const rules: [string, ChangeApprovalRuleView][] = [...Object.entries(p.normal).map(([k, r]) => [`normal.${k}`, r] as [string, ChangeApprovalRuleView]), ['emergency', p.emergency]];
  for (const [name, r] of rules) {
    if (r.approvals < 1) throw ChangesErrors.field(`${name}.approvals`, 'a normal or emergency change needs at least one approver (standard changes are the pre-approved kind)');
    if (r.manager_approvals > r.approvals) throw ChangesErrors.field(`${name}.manager_approvals`, 'cannot exceed approvals');
  }
}

/**
 * The state machine. `approved` and `rejected` are reached through an approval decision only;
 * `pending_approval` of a change its policy pre-approves goes straight on to `approved`.
 */
const TRANSITIONS: Record<ChangeStatus, ChangeStatus[]> = {
  draft: ['pending_approval', 'cancelled'],
  pending_approval: ['approved', 'rejected', 'draft', 'cancelled'],
  approved: ['scheduled', 'in_progress', 'cancelled'],
  scheduled: ['in_progress', 'cancelled'],
  in_progress: ['completed', 'failed'],
  completed: ['closed'],
  failed: ['closed'],
  rejected: ['draft', 'closed'],
  cancelled: [],
  closed: [],
};
const DECIDED_BY_APPROVAL: ChangeStatus[] = ['approved', 'rejected'];

export function allowedNextStatuses(from: ChangeStatus): ChangeStatus[] {
  return TRANSITIONS[from];
}

/** The moves an update may ask for (approval decisions excluded). */
export function updatableNextStatuses(from: ChangeStatus): ChangeStatus[] {
  return TRANSITIONS[from].filter((s) => !DECIDED_BY_APPROVAL.includes(s));
}

const date = (s: string | null | undefined): Date | null | undefined => (s === undefined ? undefined : s === null ? null : new Date(s));
const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** A planned window ends after it starts; what actually happened may take no time (`actual`). */
function assertWindow(start: Date | null, end: Date | null, field: string, actual = false): void {
  if (start && end && (actual ? end.getTime() < start.getTime() : end.getTime() <= start.getTime())) {
    throw ChangesErrors.field(field, `${field} must be after the start`);
  }
}

/** Who the request acts for, as a string the change records (e-mail, else user id). */
const nameOf = (a: Actor | null) => a?.email ?? a?.user_id ?? null;

export function newChange(o: {
  id: string;
  tenantId: string;
  number: number;
  dto: CreateChangeDto;
  actor: Actor | null;
  policy: ChangeApprovalPolicyView;
  /** The tenant's change failure rate over the last 90 days (for the computed risk). */
  failureRate: number;
  now: Date;
}): ChangeEntity {
  const { dto, now } = o;
  const type = dto.type ?? 'normal';
  const riskLevel = dto.risk_level ?? (type === 'standard' ? 'low' : 'medium');
  const rule = ruleFor(o.policy, type, riskLevel);
  const requestedStart = date(dto.requested_start) ?? null;
  const requestedEnd = date(dto.requested_end) ?? null;
  assertWindow(requestedStart, requestedEnd, 'requested_end');
  const scheduledStart = dto.scheduled_start !== undefined ? date(dto.scheduled_start)! : requestedStart;
  const scheduledEnd = dto.scheduled_end !== undefined ? date(dto.scheduled_end)! : requestedEnd;
  assertWindow(scheduledStart, scheduledEnd, 'scheduled_end');
  const submitted = (dto.status ?? 'pending_approval') === 'pending_approval';
  const preApproved = submitted && rule.approvals === 0;
  const ciIds = [...new Set(dto.ci_ids ?? [])];
  const backoutPlan = dto.backout_plan ?? null;
  const risk = computeRisk({ type, ciCount: ciIds.length, hasBackout: !!backoutPlan?.trim(), failureRate: o.failureRate });
  return Object.assign(new ChangeEntity(), {
    id: o.id,
    tenantId: o.tenantId,
    number: o.number,
    title: dto.title.trim(),
    description: dto.description ?? '',
    type,
    status: preApproved ? 'approved' : submitted ? 'pending_approval' : 'draft',
    priority: dto.priority ?? 'medium',
    riskLevel,
    approvalStatus: preApproved ? 'approved' : submitted ? 'pending' : 'not_requested',
    riskScore: risk.score,
    computedRiskLevel: risk.level,
    conflicts: [],
    approvalRule: rule,
    approvals: [],
    requestedBy: dto.requested_by?.trim() || nameOf(o.actor),
    assignedTo: dto.assigned_to?.trim() || null,
    ciIds,
    requestedStart,
    requestedEnd,
    scheduledStart,
    scheduledEnd,
    actualStart: null,
    actualEnd: null,
    implementationPlan: dto.implementation_plan ?? null,
    backoutPlan,
    testPlan: dto.test_plan ?? null,
    backoutPerformed: null,
    closureNotes: null,
    reviewRequired: type === 'emergency',
    reviewNotes: null,
    reviewedBy: null,
    reviewedAt: null,
    createdBy: o.actor?.user_id ?? null,
    createdAt: now,
    updatedAt: now,
    approvedAt: preApproved ? now : null,
    closedAt: null,
    version: 1,
  } satisfies ChangeEntity);
}

export type Changes = Record<string, FieldChange>;

/** Fields whose change sends an approved (or half-approved) change back to its approvers. */
const MATERIAL = ['type', 'risk_level', 'ci_ids', 'requested_start', 'requested_end', 'scheduled_start', 'scheduled_end', 'implementation_plan', 'backout_plan'];

const PLAIN: [keyof UpdateChangeDto & string, keyof ChangeEntity & string][] = [
  ['title', 'title'],
  ['description', 'description'],
  ['type', 'type'],
  ['priority', 'priority'],
  ['risk_level', 'riskLevel'],
  ['requested_by', 'requestedBy'],
  ['assigned_to', 'assignedTo'],
  ['implementation_plan', 'implementationPlan'],
  ['backout_plan', 'backoutPlan'],
  ['test_plan', 'testPlan'],
  ['closure_notes', 'closureNotes'],
];
const DATES: [keyof UpdateChangeDto & string, keyof ChangeEntity & string][] = [
  ['requested_start', 'requestedStart'],
  ['requested_end', 'requestedEnd'],
  ['scheduled_start', 'scheduledStart'],
  ['scheduled_end', 'scheduledEnd'],
  ['actual_start', 'actualStart'],
  ['actual_end', 'actualEnd'],
];

/**
 * Applies an update: edits, a move of the state machine, the review. Mutates `e` and returns what
 * changed (field → from/to); `statusChange` when the status moved. Refuses (without touching
 * anything the caller will write) what the rules forbid.
 */
export function applyPatch(
  e: ChangeEntity,
  patch: UpdateChangeDto,
  o: { actor: Actor | null; policy: ChangeApprovalPolicyView; failureRate: number; now: Date },
): { changes: Changes; statusChange?: { from: ChangeStatus; to: ChangeStatus } } {
  const changes: Changes = {};
  const set = (field: string, prop: keyof ChangeEntity & string, to: unknown, from: unknown = e[prop]) => {
    (e as unknown as Record<string, unknown>)[prop] = to;
    changes[field] = { from, to };
  };
  const from = e.status;
  if (from === 'closed' || from === 'cancelled') {
    const asked = patch.status ?? from;
    throw ChangesErrors.invalidTransition(from, asked, [], `${from} is final`);
  }

  for (const [field, prop] of PLAIN) {
    let v = patch[field] as unknown;
    if (v === undefined) continue;
    if (typeof v === 'string' && (field === 'title' || field === 'requested_by' || field === 'assigned_to')) v = v.trim() || null;
    if (field === 'description' && v === null) v = '';
    if (v !== e[prop]) set(field, prop, v);
  }
  if (patch.ci_ids !== undefined) {
    const ids = [...new Set(patch.ci_ids)];
    if (JSON.stringify(ids) !== JSON.stringify(e.ciIds)) set('ci_ids', 'ciIds', ids);
  }
  for (const [field, prop] of DATES) {
    const v = date(patch[field] as string | null | undefined);
    if (v === undefined) continue;
    const cur = e[prop] as Date | null;
    if ((v?.getTime() ?? null) !== (cur?.getTime() ?? null)) {
      (e as unknown as Record<string, unknown>)[prop] = v;
      changes[field] = { from: iso(cur), to: iso(v) };
    }
  }
  assertWindow(e.requestedStart, e.requestedEnd, 'requested_end');
  assertWindow(e.scheduledStart, e.scheduledEnd, 'scheduled_end');
  assertWindow(e.actualStart, e.actualEnd, 'actual_end', true);

  // An edit of what was (being) approved starts a new approval round under the policy's rule for it.
  const material = MATERIAL.some((f) => f in changes);
  if (material && ['pending_approval', 'approved', 'scheduled'].includes(e.status)) {
    const rule = ruleFor(o.policy, e.type, e.riskLevel);
    e.approvalRule = rule;
    if (e.approvals.length) set('approvals', 'approvals', []);
    if (rule.approvals === 0) {
      if (e.status === 'pending_approval') set('status', 'status', 'approved');
      if (e.approvalStatus !== 'approved') set('approval_status', 'approvalStatus', 'approved');
      e.approvedAt ??= o.now;
    } else {
      if (e.status !== 'pending_approval') set('status', 'status', 'pending_approval');
      if (e.approvalStatus !== 'pending') set('approval_status', 'approvalStatus', 'pending');
      e.approvedAt = null;
    }
  } else if ('type' in changes || 'risk_level' in changes) {
    e.approvalRule = ruleFor(o.policy, e.type, e.riskLevel);
  }
  e.reviewRequired = e.reviewRequired || e.type === 'emergency';
  if (['type', 'ci_ids', 'backout_plan'].some((f) => f in changes)) {
    const risk = riskOf(e, o.failureRate);
    if (risk.score !== e.riskScore) set('risk_score', 'riskScore', risk.score);
    e.computedRiskLevel = risk.level;
  }

  if (patch.status !== undefined && patch.status !== e.status) moveTo(e, patch, patch.status, set, o.now);

  if (patch.backout_performed !== undefined && !('backout_performed' in changes)) {
    if (e.status !== 'failed') throw ChangesErrors.field('backout_performed', 'recorded for a failed change only');
    if (patch.backout_performed !== e.backoutPerformed) set('backout_performed', 'backoutPerformed', patch.backout_performed);
  }
  if (patch.review_notes !== undefined) {
    if (!['completed', 'failed', 'closed'].includes(e.status)) {
      throw ChangesErrors.field('review_notes', 'the post-implementation review follows the implementation (completed or failed)');
    }
    if (patch.review_notes.trim() !== e.reviewNotes) {
      set('review_notes', 'reviewNotes', patch.review_notes.trim());
      e.reviewedBy = nameOf(o.actor);
      e.reviewedAt = o.now;
    }
  }
  const statusChange = e.status !== from ? { from, to: e.status } : undefined;
  return { changes, statusChange };
}

function moveTo(e: ChangeEntity, patch: UpdateChangeDto, to: ChangeStatus, set: (f: string, p: keyof ChangeEntity & string, to: unknown) => void, now: Date): void {
  const from = e.status;
  const allowed = updatableNextStatuses(from);
  if (DECIDED_BY_APPROVAL.includes(to)) {
    throw ChangesErrors.invalidTransition(from, to, allowed, 'approvals are decided through POST /api/changes/{id}/approval');
  }
  if (!allowed.includes(to)) throw ChangesErrors.invalidTransition(from, to, allowed);
  switch (to) {
    case 'pending_approval':
      if (e.approvalRule.approvals === 0) {
        // Pre-approved by the policy (a standard change).
        set('status', 'status', 'approved');
        set('approval_status', 'approvalStatus', 'approved');
        e.approvedAt = now;
        return;
      }
      set('approval_status', 'approvalStatus', 'pending');
      if (e.approvals.length) set('approvals', 'approvals', []);
      break;
    case 'draft':
      set('approval_status', 'approvalStatus', 'not_requested');
      if (e.approvals.length) set('approvals', 'approvals', []);
      break;
    case 'scheduled':
      if (!e.scheduledStart || !e.scheduledEnd) throw ChangesErrors.field('scheduled_start', 'a change is scheduled with its window: scheduled_start and scheduled_end');
      break;
    case 'in_progress':
      if (!e.actualStart) set('actual_start', 'actualStart', patch.actual_start ? new Date(patch.actual_start) : now);
      break;
    case 'completed':
    case 'failed':
      if (to === 'failed') {
        if (patch.backout_performed === undefined) throw ChangesErrors.field('backout_performed', 'say whether the backout plan was carried out when a change fails');
        set('backout_performed', 'backoutPerformed', patch.backout_performed);
      }
      if (!e.actualEnd) set('actual_end', 'actualEnd', patch.actual_end ? new Date(patch.actual_end) : now);
      assertWindow(e.actualStart, e.actualEnd, 'actual_end', true);
      break;
    case 'closed':
      if (e.reviewRequired && !e.reviewNotes && !patch.review_notes?.trim()) {
        throw ChangesErrors.invalidTransition(from, to, allowed.filter((s) => s !== 'closed'), 'an emergency change is closed after its post-implementation review: send review_notes');
      }
      e.closedAt = now;
      break;
    case 'cancelled':
      e.closedAt = now;
      break;
  }
  set('status', 'status', to);
}

/**
 * An approver's decision. Returns `ignored` when this approver has decided already (each counts
 * once); otherwise records it, and moves the change when a rejection stops it or the policy is met.
 */
export function decide(
  e: ChangeEntity,
  d: ChangeApprovalDto,
  o: { actor: Actor; policy: ChangeApprovalPolicyView; now: Date },
): { ignored: true } | { ignored: false; approval: ChangeApprovalView; statusChange?: { from: ChangeStatus; to: ChangeStatus } } {
  // (e.conflicts: as found just now by the caller.)
  const a = o.actor;
  if (!a.user_id) throw ChangesErrors.approverIsPerson();
  if (e.status !== 'pending_approval') throw ChangesErrors.notPendingApproval(e.status);
  const mine = [e.createdBy, e.requestedBy].filter(Boolean);
  if (mine.includes(a.user_id) || (a.email && mine.some((m) => m!.toLowerCase() === a.email!.toLowerCase()))) throw ChangesErrors.selfApproval();
  if (e.approvals.some((x) => x.approver_id === a.user_id)) return { ignored: true };
  const override = d.action === 'approve' && e.conflicts.length > 0;
  if (override) {
    if (!d.override_reason?.trim()) throw ChangesErrors.conflicts(e.conflicts);
    if (!isAdmin(a)) throw ChangesErrors.overrideAdminOnly();
  }
  const approval: ChangeApprovalView = {
    approver_id: a.user_id,
    approver_email: a.email,
    approver_role: a.role,
    manager: isAdmin(a) || o.policy.cab.includes(a.user_id),
    action: d.action,
    comments: d.comments?.trim() || null,
    override_reason: override ? d.override_reason!.trim() : null,
    created_at: o.now.toISOString(),
  };
  e.approvals = [...e.approvals, approval];
  const from = e.status;
  if (d.action === 'reject') {
    e.status = 'rejected';
    e.approvalStatus = 'rejected';
  } else {
    const approvers = e.approvals.filter((x) => x.action === 'approve');
    const rule = e.approvalRule;
    if (approvers.length >= rule.approvals && approvers.filter((x) => x.manager).length >= rule.manager_approvals) {
      e.status = 'approved';
      e.approvalStatus = 'approved';
      e.approvedAt = o.now;
    }
  }
  return { ignored: false, approval, statusChange: e.status !== from ? { from, to: e.status } : undefined };
}
