import type { TimelineEntryFields } from '../common/timeline';
import type { FieldChange } from '../incidents/incident.model';

/** The change vocabulary of the API contract (both documents). */
export const CHANGE_TYPES = ['standard', 'normal', 'emergency'] as const;
export type ChangeType = (typeof CHANGE_TYPES)[number];

export const CHANGE_RISK_LEVELS = ['low', 'medium', 'high', 'critical'] as const;
export type ChangeRiskLevel = (typeof CHANGE_RISK_LEVELS)[number];

/** `normal` (the second document's word) is `medium`. */
export const CHANGE_PRIORITIES = ['critical', 'high', 'medium', 'low'] as const;
export type ChangePriority = (typeof CHANGE_PRIORITIES)[number];

/**
 * `draft → pending_approval → approved → scheduled → in_progress → completed | failed → closed`;
 * `pending_approval → rejected` (by an approval), `rejected → draft` (reworked); `cancelled` before work
 * starts. Approval moves are made by `/approval`, never by an update.
 */
export const CHANGE_STATUSES = ['draft', 'pending_approval', 'approved', 'scheduled', 'in_progress', 'completed', 'failed', 'closed', 'rejected', 'cancelled'] as const;
export type ChangeStatus = (typeof CHANGE_STATUSES)[number];

export const CHANGE_APPROVAL_STATUSES = ['not_requested', 'pending', 'approved', 'rejected'] as const;
export type ChangeApprovalStatus = (typeof CHANGE_APPROVAL_STATUSES)[number];

export const CHANGE_APPROVAL_ACTIONS = ['approve', 'reject'] as const;
export type ChangeApprovalAction = (typeof CHANGE_APPROVAL_ACTIONS)[number];

/** One decision on a change. */
export interface ChangeApprovalView {
  approver_id: string | null;
  approver_email: string | null;
  approver_role: string;
  /** Counted as a change manager's (an admin or owner, or a member of the tenant's CAB). */
  manager: boolean;
  action: ChangeApprovalAction;
  comments: string | null;
  /** Set when an admin approved despite the change's conflicts: why. */
  override_reason: string | null;
  created_at: string;
}

/** Another change or a freeze window that the change's window (and CIs) collides with. */
export interface ChangeConflictView {
  kind: 'change' | 'freeze';
  /** @format uuid */
  id: string;
  /** The other change's reference (null for a freeze window). */
  reference: string | null;
  /** The other change's title, or the freeze window's name. */
  title: string;
  /** @format date-time */
  start: string;
  /** @format date-time */
  end: string;
  /** The CIs both touch (empty: a freeze window that covers every CI). */
  ci_ids: string[];
}

/** A period in which changes are not made (a release freeze, a peak season), for every CI or some. */
export interface FreezeWindowView {
  /** @format uuid */
  id: string;
  name: string;
  reason: string | null;
  /** @format date-time */
  start: string;
  /** @format date-time */
  end: string;
  /** The CIs it covers; empty: all of them. */
  ci_ids: string[];
  /** @format uuid */
  created_by: string | null;
  /** @format date-time */
  created_at: string;
  /** @format date-time */
  updated_at: string;
  version: number;
}

/** The changes and freeze windows in a range (`GET .../changes/calendar`). */
export interface ChangeCalendarView {
  /** @format date-time */
  from: string;
  /** @format date-time */
  to: string;
  changes: ChangeView[];
  freeze_windows: FreezeWindowView[];
}

/** What the tenant's policy asks of this change: how many approvers, how many of them change managers. */
export interface ChangeApprovalRuleView {
  approvals: number;
  manager_approvals: number;
}

export interface ChangeView {
  /** @format uuid */
  id: string;
  /** CHG-00000001: per tenant, sequential; usable wherever the id is. */
  reference: string;
  title: string;
  description: string;
  type: ChangeType;
  /** The same as `type` (the second document's name). */
  change_type: ChangeType;
  status: ChangeStatus;
  priority: ChangePriority;
  risk_level: ChangeRiskLevel;
  approval_status: ChangeApprovalStatus;
  /**
   * A score from 0 to 100 computed from the change type, the CIs it touches, whether it has a backout
   * plan and the tenant's change failure rate over the last 90 days; shown beside the requested level.
   */
  risk_score: number;
  computed_risk_level: ChangeRiskLevel;
  /** Approved or scheduled changes on the same CIs, and freeze windows, that its window overlaps (as of its last write). */
  conflicts: ChangeConflictView[];
  /** What the policy asks of this change (none for a standard change: pre-approved). */
  approval_rule: ChangeApprovalRuleView;
  approvals: ChangeApprovalView[];
  requested_by: string | null;
  assigned_to: string | null;
  /** The assignee's name when `assigned_to` is a member's user id or e-mail (the second document's assignedToName); set in API answers, not in events. */
  assigned_to_name?: string | null;
  ci_ids: string[];
  /** @format date-time */
  requested_start: string | null;
  /** @format date-time */
  requested_end: string | null;
  /** @format date-time */
  scheduled_start: string | null;
  /** @format date-time */
  scheduled_end: string | null;
  /** @format date-time */
  actual_start: string | null;
  /** @format date-time */
  actual_end: string | null;
  implementation_plan: string | null;
  backout_plan: string | null;
  /** The same as `backout_plan` (the first document's name). */
  rollback_plan: string | null;
  test_plan: string | null;
  /** For a failed change: whether the backout plan was carried out. */
  backout_performed: boolean | null;
  closure_notes: string | null;
  /** Emergency changes are reviewed after the fact; a change needing a review cannot be closed without one. */
  review_required: boolean;
  review_notes: string | null;
  reviewed_by: string | null;
  /** @format date-time */
  reviewed_at: string | null;
  /** @format uuid */
  created_by: string | null;
  /** @format date-time */
  created_at: string;
  /** @format date-time */
  updated_at: string;
  /** @format date-time */
  approved_at: string | null;
  /** @format date-time */
  closed_at: string | null;
  /** Grows with every change; its ETag (send it back in If-Match to update safely). */
  version: number;
}

export interface ChangeTimelineEntryView extends TimelineEntryFields<'created' | 'updated' | 'status_changed' | 'approval' | 'comment'> {
  change_id: string;
}

/** The tenant's change approval policy (defaults until an admin sets one). */
export interface ChangeApprovalPolicyView {
  normal: Record<ChangeRiskLevel, ChangeApprovalRuleView>;
  emergency: ChangeApprovalRuleView;
  /** Users (ids) who count as change managers besides admins and owners: the change advisory board. */
  cab: string[];
  updated_at: string | null;
}

export interface ChangeCreatedData {
  change: ChangeView;
}
export interface ChangeUpdatedData {
  change: ChangeView;
  changes: Record<string, FieldChange>;
}
export interface ChangeStatusChangedData {
  change_id: string;
  reference: string;
  from: ChangeStatus;
  to: ChangeStatus;
  change: ChangeView;
}
export interface ChangeDecidedData {
  change_id: string;
  reference: string;
  approval: ChangeApprovalView;
  change: ChangeView;
}
