import type { TimelineEntryFields } from '../common/timeline';
import type { IncidentHoldReason, RecordSlaView } from '../sla/sla.model';

/** The incident vocabulary of the API contract (both documents, one scale). */
export const INCIDENT_STATUSES = ['triggered', 'open', 'acknowledged', 'investigating', 'resolved', 'closed', 'reopened'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

export const SEVERITIES = ['P1', 'P2', 'P3', 'P4'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const PRIORITIES = ['critical', 'high', 'medium', 'low'] as const;
export type Priority = (typeof PRIORITIES)[number];

/** Impact ("criticality" in the second document). */
export const CRITICALITIES = ['critical', 'major', 'moderate', 'minor'] as const;
export type Criticality = (typeof CRITICALITIES)[number];

export const URGENCIES = ['critical', 'high', 'medium', 'low'] as const;
export type Urgency = (typeof URGENCIES)[number];

export interface IncidentView {
  id: string;
  reference: string;
  title: string;
  description: string;
  status: IncidentStatus;
  severity: Severity;
  priority: Priority;
  criticality: Criticality | null;
  urgency: Urgency | null;
  source: string;
  assigned_to: string | null;
  /** The assignee's name when `assigned_to` is a member's user id or e-mail (the second document's assignedToName); set in API answers, not in events. */
  assigned_to_name?: string | null;
  affected_services: string[];
  tags: string[];
  ci_ids: string[];
  /** Key/value labels (an alert's Prometheus labels when an alert opened it). */
  labels: Record<string, string>;
  /** How many times alerts of this incident were received, repeats included (0: not opened by an alert). */
  alert_count: number;
  /** When an alert of this incident was last received. */
  last_alert_at: string | null;
  resolution_notes: string | null;
  resolved_by: string | null;
  created_by: string | null;
  created_at: string;
  updated_at: string;
  triggered_at: string | null;
  opened_at: string | null;
  acknowledged_at: string | null;
  investigating_at: string | null;
  resolved_at: string | null;
  closed_at: string | null;
  reopened_at: string | null;
  /** Grows with every change of the incident's fields; its ETag (send it back in If-Match to update safely). */
  version: number;
  /** The problem this incident is linked to (the latest link), if any. */
  problem_id: string | null;
  /** Waiting on someone outside the desk; the SLA clock pauses when its policy says so. Cleared on resolution. */
  hold_reason: IncidentHoldReason | null;
  /** Its SLA timers (response, resolution) under the tenant's policy. */
  sla: RecordSlaView | null;
}

export interface FieldChange {
  from: unknown;
  to: unknown;
}

export interface TimelineEntryView extends TimelineEntryFields<'created' | 'updated' | 'status_changed' | 'comment' | 'alert'> {
  incident_id: string;
}

export interface CommentView {
  id: string;
  incident_id: string;
  body: string;
  author_id: string | null;
  author_email: string | null;
  created_at: string;
}

export interface IncidentCreatedData {
  incident: IncidentView;
}
export interface IncidentUpdatedData {
  incident: IncidentView;
  changes: Record<string, FieldChange>;
}
export interface IncidentStatusChangedData {
  incident_id: string;
  reference: string;
  from: IncidentStatus;
  to: IncidentStatus;
  incident: IncidentView;
}
export interface IncidentCommentedData {
  incident_id: string;
  reference: string;
  comment: CommentView;
}
