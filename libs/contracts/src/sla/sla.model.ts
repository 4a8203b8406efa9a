import type { Priority } from '../incidents/incident.model';

/** The records SLA timers run on. */
export const SLA_RECORD_TYPES = ['incident', 'service_request'] as const;
export type SlaRecordType = (typeof SLA_RECORD_TYPES)[number];

/** An incident waiting on someone outside the desk (its clock may pause, by the SLA policy). */
export const INCIDENT_HOLD_REASONS = ['awaiting_customer', 'awaiting_vendor', 'awaiting_change'] as const;
export type IncidentHoldReason = (typeof INCIDENT_HOLD_REASONS)[number];

/**
 * The states an SLA policy can pause the clock in: an incident's hold reasons, and the service
 * request statuses that wait on someone else (approval).
 */
export const SLA_PAUSE_STATES = ['awaiting_customer', 'awaiting_vendor', 'awaiting_change', 'pending_approval'] as const;
export type SlaPauseState = (typeof SLA_PAUSE_STATES)[number];

export const SLA_TIMER_KINDS = ['response', 'resolution'] as const;
export type SlaTimerKind = (typeof SLA_TIMER_KINDS)[number];

export interface SlaTargetView {
  /** Business minutes to the first response (fractions allowed). */
  response_minutes: number;
  /** Business minutes to the resolution (fractions allowed). */
  resolution_minutes: number;
}

/** When the clock runs: working days and hours in a time zone, holidays; or 24x7. */
export interface SlaCalendarView {
  /** An IANA time zone (e.g. Europe/Paris); daylight saving is followed. */
  timezone: string;
  /** Around the clock, every day (days, hours and holidays are then ignored). */
  twenty_four_seven: boolean;
  /** ISO weekdays: 1 = Monday .. 7 = Sunday. */
  working_days: number[];
  /** HH:MM, local. */
  start_time: string;
  /** HH:MM, local (24:00 for midnight). */
  end_time: string;
  /** Local dates (YYYY-MM-DD) without working hours. */
  holidays: string[];
}

/** Which records a policy is for, beyond its record types (empty lists match everything). */
export interface SlaPolicyMatchView {
  /** Incidents that affect one of these services. */
  services: string[];
  /** Service requests for catalog items of one of these categories. */
  catalog_categories: string[];
}

export interface SlaPolicyView {
  /** @format uuid */
  id: string;
  name: string;
  description: string;
  applies_to: SlaRecordType[];
  /** Used for a record no other policy matches (one per tenant; it cannot be deleted). */
  is_default: boolean;
  match: SlaPolicyMatchView;
  targets: Record<Priority, SlaTargetView>;
  calendar: SlaCalendarView;
  /** The states in which the clock pauses (an incident's hold reason, a request's status). */
  pause_on: SlaPauseState[];
  /** The share of a target at which a timer is at risk (sla.at_risk), in percent. */
  at_risk_percent: number;
  /** @format uuid */
  created_by: string | null;
  /** @format date-time */
  created_at: string;
  /** @format date-time */
  updated_at: string;
  version: number;
}

export type SlaTimerState = 'running' | 'paused' | 'completed' | 'cancelled';

export interface SlaPausedIntervalView {
  /** @format date-time */
  from: string;
  /** @format date-time */
  to: string | null;
}

/** One timer of a record (its response or its resolution). */
export interface SlaTimerView {
  kind: SlaTimerKind;
  state: SlaTimerState;
  target_minutes: number;
  /** @format date-time */
  started_at: string;
  /** When the target is (or was) reached; null while paused before it. */
  due_at: string | null;
  /** When the at-risk share is (or was) reached; null while paused before it. */
  at_risk_at: string | null;
  /** Business minutes consumed so far (pauses excluded). */
  elapsed_minutes: number;
  /** Business minutes left before the target (negative once breached). */
  remaining_minutes: number;
  /** When it stopped (met, or cancelled). */
  completed_at: string | null;
  breached: boolean;
  /** Past the at-risk share, not breached, still running or paused. */
  at_risk: boolean;
  paused_intervals: SlaPausedIntervalView[];
}

/** The SLA of a record: the policy it runs under and its timers. */
export interface RecordSlaView {
  /** @format uuid */
  policy_id: string;
  policy_name: string;
  response: SlaTimerView | null;
  resolution: SlaTimerView | null;
  /** A timer is breached. */
  breached: boolean;
  /** A timer is at risk (and none is breached). */
  at_risk: boolean;
}

export interface SlaTimerEventData {
  record_type: SlaRecordType;
  /** @format uuid */
  record_id: string;
  reference: string;
  timer: SlaTimerKind;
  /** @format uuid */
  policy_id: string;
  policy_name: string;
  priority: Priority;
  target_minutes: number;
  /** @format date-time */
  due_at: string | null;
  /** @format date-time */
  at_risk_at: string | null;
}

export interface SlaPolicyEventData {
  policy: SlaPolicyView;
  /** Set on sla.policy.deleted. */
  deleted: boolean;
}
