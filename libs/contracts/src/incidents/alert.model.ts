import type { Severity } from './incident.model';

/** What an alert delivery did to each alert it carried. */
export const ALERT_ACTIONS = ['created', 'updated', 'reopened', 'resolved', 'ignored'] as const;
export type AlertAction = (typeof ALERT_ACTIONS)[number];

export const ALERT_STATUSES = ['firing', 'resolved'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

/** One alert of a delivery and the incident it went to. */
export interface AlertOutcomeView {
  /** Alertmanager's fingerprint, or the plain form's dedup_key. */
  fingerprint: string;
  /** null when nothing was done (a resolved alert no incident knows, a stale repeat). */
  incident_id: string | null;
  reference: string | null;
  /** created: a new incident; updated: a repeat (counted) or firing again on its open incident; reopened: firing again within the re-open window after its incident was resolved; resolved: the alert resolved (noted, and the incident resolved when the settings say so); ignored: nothing to do. */
  action: AlertAction;
  /** The incident's status after the delivery. */
  incident_status: string | null;
  /** How many times the incident's alerts were received (repeats included). */
  alert_count: number | null;
}

/** The answer to an alert delivery. */
export interface AlertIntakeView {
  created: number;
  updated: number;
  resolved: number;
  ignored: number;
  incidents: AlertOutcomeView[];
}

/** How the tenant's alerts become incidents (the defaults until an admin sets them). */
export interface AlertSettingsView {
  /** The label whose value gives the severity. */
  severity_label: string;
  /** Label value (lower case) → severity; a value of P1..P4 is taken as is, anything else is `default_severity`. */
  severity_map: Record<string, Severity>;
  default_severity: Severity;
  /** Labels whose values name configuration items (CMDB names or ids), in order; unknown names are noted on the timeline. */
  ci_labels: string[];
  /** Resolve the incident when every alert of it is resolved. */
  auto_resolve: boolean;
  /** An alert firing again this many minutes after its incident was resolved re-opens it (0: never; a new incident). */
  reopen_window_minutes: number;
  updated_at: string | null;
}
