import { IsString, MaxLength } from 'class-validator';

/** What each service needs to compute its part of the organization stats: the tenant's time zone (for "today"). */
export class StatsQueryDto {
  /** An IANA time zone (the organization's setting; UTC when unset). */
  @IsString()
  @MaxLength(100)
  timezone!: string;
}

/** The incidents service's part (incidents and problems). */
export interface IncidentStatsView {
  open_incidents: number;
  critical_incidents: number;
  high_priority_incidents: number;
  incidents_resolved_today: number;
  average_resolution_time: number | null;
  mttr: number | null;
  mtbf: number | null;
  sla_compliance_rate: number | null;
  sla_breaches: number;
  active_problems: number;
  problem_backlog: number;
}

/** The itsm service's part (changes). */
export interface ChangeStatsView {
  active_changes: number;
  change_success_rate: number | null;
  changes_scheduled_today: number;
  emergency_changes: number;
}

/**
 * `GET /api/organization/stats`, computed from the tenant's records when asked. Durations are hours;
 * rates are percentages (0-100, one decimal); a measure with nothing to measure is null.
 *
 * - total_members: active members of the organization.
 * - open_incidents: incidents not resolved or closed; critical_incidents / high_priority_incidents: those of priority critical (P1) / high (P2).
 * - incidents_resolved_today: incidents resolved since midnight in the organization's time zone.
 * - average_resolution_time: mean hours from creation to resolution of the incidents resolved in the last 30 days.
 * - mttr: mean time to restore, hours from detection (triggered, else opened) to resolution, incidents resolved in the last 90 days.
 * - mtbf: mean time between failures, mean hours between the starts of consecutive critical or high incidents in the last 90 days.
 * - sla_compliance_rate: share of the incidents resolved in the last 30 days whose resolution SLA timer was met (under the tenant's SLA policy:
 *   business hours, pauses); sla_breaches: incidents of the last 30 days with a breached response or resolution timer (resolved late, or
 *   still open past a target). Incidents from before SLA timers existed have none and count in neither.
 * - active_problems: problems new, investigating or known errors; problem_backlog: those still new (not yet investigated).
 * - active_changes: changes pending approval, approved, scheduled or in progress; emergency_changes: those of type emergency.
 * - change_success_rate: share of the changes finished in the last 90 days that completed (not failed).
 * - changes_scheduled_today: changes whose window starts today in the organization's time zone (not cancelled or rejected).
 */
export interface OrganizationStatsView extends IncidentStatsView, ChangeStatsView {
  total_members: number;
  /** The time zone "today" was computed in. */
  timezone: string;
  /** @format date-time */
  computed_at: string;
}
