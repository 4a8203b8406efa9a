import { createHash } from 'node:crypto';
import { AlertIntakeDto, AlertSettingsDto, AlertSettingsView, AlertStatus, IncidentStatus, Severity, SEVERITIES } from '@opsplane/contracts';

/**
 * The alert intake's rules, without I/O: what each alert of a delivery is (from either form), its severity and the
 * items it names under the tenant's settings, and what it does to the incident it belongs to.
 */

/** Used until an admin sets the tenant's alert settings. */
export const DEFAULT_ALERT_SETTINGS: Omit<AlertSettingsView, 'updated_at'> = {
  severity_label: 'severity',
  severity_map: { critical: 'P1', high: 'P2', error: 'P2', warning: 'P3', info: 'P4' },
  default_severity: 'P3',
  ci_labels: ['ci', 'service', 'instance'],
  auto_resolve: false,
  reopen_window_minutes: 15,
};

/** The settings a PUT gives (each field left out takes its default), map keys in lower case. */
export function settingsOf(dto: AlertSettingsDto): Omit<AlertSettingsView, 'updated_at'> {
  const d = DEFAULT_ALERT_SETTINGS;
  const map = dto.severity_map ?? d.severity_map;
  return {
    severity_label: dto.severity_label ?? d.severity_label,
    severity_map: Object.fromEntries(Object.entries(map).map(([k, v]) => [k.trim().toLowerCase(), v])),
    default_severity: dto.default_severity ?? d.default_severity,
    ci_labels: [...new Set(dto.ci_labels ?? d.ci_labels)],
    auto_resolve: dto.auto_resolve ?? d.auto_resolve,
    reopen_window_minutes: dto.reopen_window_minutes ?? d.reopen_window_minutes,
  };
}

/** One alert of a delivery, whichever form it came in. */
export interface IncomingAlert {
  fingerprint: string;
  status: AlertStatus;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** When this firing episode started (the delivery's time when not given). */
  startsAt: Date;
  /** When it ended (resolved alerts); null while firing (Alertmanager's 0001-01-01). */
  endsAt: Date | null;
  source: string;
  /** The plain form's explicit severity. */
  severity?: string;
}

/** A fingerprint of the labels when Alertmanager gave none (sorted `name=value` lines, hashed). */
export function fingerprintOf(labels: Record<string, string>): string {
  const text = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join('\n');
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

const instant = (v: string | undefined, fallback: Date | null): Date | null => {
  if (!v) return fallback;
  const d = new Date(v);
  // Go's zero time: "not ended yet".
  return d.getUTCFullYear() <= 1 ? fallback : d;
};

/** The alerts of a delivery (validated by its DTO): Alertmanager's `alerts`, or the plain form's one alert. */
export function alertsOf(dto: AlertIntakeDto, now: Date): IncomingAlert[] {
  if (dto.alerts !== undefined) {
    return dto.alerts.map((a) => {
      const labels = { ...(dto.commonLabels ?? {}), ...a.labels };
      return {
        fingerprint: a.fingerprint ?? fingerprintOf(labels),
        status: a.status,
        labels,
        annotations: { ...(dto.commonAnnotations ?? {}), ...(a.annotations ?? {}) },
        startsAt: instant(a.startsAt, now)!,
        endsAt: a.status === 'resolved' ? instant(a.endsAt, now) : null,
        source: 'prometheus',
      };
    });
  }
  const annotations = { ...(dto.annotations ?? {}) };
  if (dto.title) annotations.summary = dto.title;
  return [
    {
      fingerprint: dto.dedup_key!,
      status: dto.status,
      labels: { ...(dto.labels ?? {}) },
      annotations,
      startsAt: now,
      endsAt: dto.status === 'resolved' ? now : null,
      source: dto.source ?? 'api',
      severity: dto.severity,
    },
  ];
}

const clip = (s: string, max: number) => (s.length > max ? s.slice(0, max - 1) + '…' : s);

/** The incident's title: the summary annotation (the plain form's title), else the alert's name, else its fingerprint. */
export function titleOf(a: IncomingAlert): string {
  const t = [a.annotations.summary, a.labels.alertname, a.fingerprint].find((x) => x !== undefined && x.trim() !== '')!;
  return clip(t.trim(), 500);
}

export function descriptionOf(a: IncomingAlert): string {
  return clip(a.annotations.description ?? a.annotations.message ?? '', 20000);
}

/** The severity: the plain form's, else the severity label's, through the tenant's mapping (P1..P4 as is), else the default. */
export function severityOf(a: IncomingAlert, s: Pick<AlertSettingsView, 'severity_label' | 'severity_map' | 'default_severity'>): Severity {
  const word = (a.severity ?? a.labels[s.severity_label])?.trim();
  if (!word) return s.default_severity;
  const mapped = s.severity_map[word.toLowerCase()];
  if (mapped) return mapped;
  const upper = word.toUpperCase();
  return (SEVERITIES as readonly string[]).includes(upper) ? (upper as Severity) : s.default_severity;
}

/** The configuration items the alert names: the values of the tenant's CI labels, in their order, without repeats. */
export function ciRefsOf(a: IncomingAlert, s: Pick<AlertSettingsView, 'ci_labels'>): string[] {
  return [...new Set(s.ci_labels.map((l) => a.labels[l]?.trim()).filter((v): v is string => !!v))];
}

/** What the intake knows of an alert already seen: its link and the incident it points at. */
export interface KnownAlert {
  status: AlertStatus;
  startsAt: Date;
  endsAt: Date | null;
  incidentStatus: IncidentStatus;
  incidentResolvedAt: Date | null;
}

export type AlertStep =
  /** A new incident (the alert is new, or its incident is closed or resolved longer ago than the re-open window). */
  | { kind: 'create' }
  /** Firing again while it fires: counted. */
  | { kind: 'repeat' }
  /** Firing again after it resolved, its incident still open: counted and noted. */
  | { kind: 'refire' }
  /** Firing again within the re-open window after its incident was resolved: the incident is re-opened. */
  | { kind: 'reopen' }
  /** Resolved: noted; the incident is resolved too when the settings say so and no other alert of it fires. */
  | { kind: 'resolve' }
  | { kind: 'ignore'; reason: string };

const OPEN = (s: IncidentStatus) => s !== 'resolved' && s !== 'closed';

/** What an alert does, given what is known of it (null: never seen), the tenant's settings and the time. */
export function decide(a: IncomingAlert, known: KnownAlert | null, s: Pick<AlertSettingsView, 'reopen_window_minutes'>, now: Date): AlertStep {
  if (a.status === 'firing') {
    if (!known) return { kind: 'create' };
    // A late retry of an episode that has resolved since: its resolution stands.
    if (known.status === 'resolved' && known.endsAt && a.startsAt < known.endsAt) return { kind: 'ignore', reason: 'an earlier firing of an alert that has resolved since' };
    if (OPEN(known.incidentStatus)) return known.status === 'firing' ? { kind: 'repeat' } : { kind: 'refire' };
    if (known.incidentStatus === 'resolved' && known.incidentResolvedAt && s.reopen_window_minutes > 0 && now.getTime() - known.incidentResolvedAt.getTime() <= s.reopen_window_minutes * 60_000) {
      return { kind: 'reopen' };
    }
    return { kind: 'create' };
  }
  if (!known) return { kind: 'ignore', reason: 'no incident has this alert' };
  if (known.status === 'resolved') return { kind: 'ignore', reason: 'already resolved' };
  // The end of an older episode than the one the incident has.
  if (a.endsAt && a.endsAt < known.startsAt) return { kind: 'ignore', reason: 'the end of an earlier firing' };
  return { kind: 'resolve' };
}
