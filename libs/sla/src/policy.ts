import { createHash } from 'node:crypto';
import { Priority, SlaCalendarView, SlaPauseState, SlaPolicyMatchView, SlaPolicyView, SlaRecordType, SlaTargetView } from '@opsplane/contracts';
import { BusinessCalendar } from './business-time';

/**
 * The policy every tenant starts with: 24x7 (no time zone to guess), ITIL-usual targets by priority
 * (the resolution targets are the stats' defaults), paused while waiting on a customer, a vendor, a
 * change or an approval, at risk at 80 %.
 */
export const DEFAULT_SLA_TARGETS: Record<Priority, SlaTargetView> = {
  critical: { response_minutes: 15, resolution_minutes: 4 * 60 },
  high: { response_minutes: 30, resolution_minutes: 8 * 60 },
  medium: { response_minutes: 4 * 60, resolution_minutes: 24 * 60 },
  low: { response_minutes: 8 * 60, resolution_minutes: 72 * 60 },
};

export const DEFAULT_SLA_CALENDAR: SlaCalendarView = {
  timezone: 'UTC',
  twenty_four_seven: true,
  working_days: [1, 2, 3, 4, 5],
  start_time: '09:00',
  end_time: '17:00',
  holidays: [],
};

export const DEFAULT_PAUSE_ON: SlaPauseState[] = ['awaiting_customer', 'awaiting_vendor', 'awaiting_change', 'pending_approval'];
export const DEFAULT_AT_RISK_PERCENT = 80;

/** The default policy's id in a tenant: the same everywhere it is derived (no race creates two). */
export function defaultPolicyId(tenant: string): string {
  const h = createHash('sha256').update(`opsplane:sla-default:${tenant}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16], 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function defaultPolicy(tenant: string, now: Date): SlaPolicyView {
  return {
    id: defaultPolicyId(tenant),
    name: 'Default',
    description: 'Targets by priority, around the clock. Edit it, or add policies for some services or catalog categories.',
    applies_to: ['incident', 'service_request'],
    is_default: true,
    match: { services: [], catalog_categories: [] },
    targets: DEFAULT_SLA_TARGETS,
    calendar: DEFAULT_SLA_CALENDAR,
    pause_on: DEFAULT_PAUSE_ON,
    at_risk_percent: DEFAULT_AT_RISK_PERCENT,
    created_by: null,
    created_at: now.toISOString(),
    updated_at: now.toISOString(),
    version: 1,
  };
}

/** The arithmetic's calendar of a policy's. */
export function businessCalendarOf(c: SlaCalendarView): BusinessCalendar {
  return { timezone: c.timezone, always: c.twenty_four_seven, days: c.working_days, start: c.start_time, end: c.end_time, holidays: c.holidays };
}

/** What a record offers to policy matching. */
export interface SlaSubject {
  type: SlaRecordType;
  services?: string[];
  catalogCategory?: string | null;
}

function matches(p: Pick<SlaPolicyView, 'applies_to' | 'match'>, s: SlaSubject): boolean {
  if (!p.applies_to.includes(s.type)) return false;
  const m: SlaPolicyMatchView = p.match;
  if (m.services.length && !(s.services ?? []).some((x) => m.services.includes(x))) return false;
  if (m.catalog_categories.length && !(s.catalogCategory && m.catalog_categories.includes(s.catalogCategory))) return false;
  return true;
}

const specificity = (p: SlaPolicyView) => (p.match.services.length ? 1 : 0) + (p.match.catalog_categories.length ? 1 : 0);

/**
 * The policy a new record runs under: among the non-default policies for its type whose match
 * holds, the most specific (then the oldest); else the default (when it applies to the type).
 */
export function selectPolicy(policies: SlaPolicyView[], s: SlaSubject): SlaPolicyView | null {
  const candidates = policies
    .filter((p) => !p.is_default && matches(p, s))
    .sort((a, b) => specificity(b) - specificity(a) || a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id));
  return candidates[0] ?? policies.find((p) => p.is_default && p.applies_to.includes(s.type)) ?? null;
}
