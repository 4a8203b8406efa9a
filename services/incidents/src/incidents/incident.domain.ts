import { CreateIncidentDto, FieldChange, IncidentStatus, UpdateIncidentDto } from '@opsplane/contracts';
import { IncidentEntity } from './incident.entity';
import { allowedNextStatuses, canTransition } from './incident-state-machine';
import { IncidentErrors } from './incidents.exception';
import { matrixRank, resolvePriority } from './priority';

/**
 * The incident's rules, without I/O: what a new incident holds, and what a patch changes (or why
 * it is refused). The service loads, calls these, and records the outcome (row, timeline, events,
 * audit) in one unit of work.
 */

export type Changes = Record<string, FieldChange>;

/** The time each status was (last) entered. */
const ENTERED_AT: Record<IncidentStatus, keyof IncidentEntity> = {
  triggered: 'triggeredAt',
  open: 'openedAt',
  acknowledged: 'acknowledgedAt',
  investigating: 'investigatingAt',
  resolved: 'resolvedAt',
  closed: 'closedAt',
  reopened: 'reopenedAt',
};

/** A new incident in `status` (open from the API, triggered from an alert). Throws a 400 when severity and priority disagree. */
export function newIncident(o: {
  id: string;
  tenantId: string;
  number: number;
  dto: CreateIncidentDto;
  status: IncidentStatus;
  createdBy: string | null;
  now: Date;
  /** An alert's labels, and its first receipt (an incident an alert opens). */
  alert?: { labels: Record<string, string>; at: Date };
}): IncidentEntity {
  const priority = resolvePriority(o.dto);
  if (!priority.ok) throw IncidentErrors.priorityConflict(priority.message);
  const { dto, now } = o;
  const e = Object.assign(new IncidentEntity(), {
    id: o.id,
    tenantId: o.tenantId,
    number: o.number,
    title: dto.title.trim(),
    description: dto.description ?? '',
    status: o.status,
    priorityRank: priority.rank,
    criticality: dto.criticality ?? null,
    urgency: dto.urgency ?? null,
    source: dto.source ?? 'api',
    assignedTo: dto.assigned_to ?? null,
    affectedServices: dto.affected_services ?? [],
    tags: dto.tags ?? [],
    ciIds: dto.ci_ids ?? [],
    labels: o.alert?.labels ?? {},
    alertCount: o.alert ? 1 : 0,
    lastAlertAt: o.alert?.at ?? null,
    resolutionNotes: null,
    resolvedBy: null,
    createdBy: o.createdBy,
    createdAt: now,
    updatedAt: now,
    triggeredAt: null,
    openedAt: null,
    acknowledgedAt: null,
    investigatingAt: null,
    resolvedAt: null,
    closedAt: null,
    reopenedAt: null,
    version: 1,
    problemId: null,
    holdReason: o.status === 'resolved' || o.status === 'closed' ? null : (o.dto.hold_reason ?? null),
  } satisfies IncidentEntity);
  (e[ENTERED_AT[o.status]] as Date) = now;
  return e;
}

/** Checks a create's severity/priority before anything is written (a retry must not burn a number). */
export function assertPriority(dto: Pick<CreateIncidentDto, 'severity' | 'priority' | 'criticality' | 'urgency'>): void {
  const p = resolvePriority(dto);
  if (!p.ok) throw IncidentErrors.priorityConflict(p.message);
}

export interface PatchOutcome {
  /** Field -> {from, to}, in API names (`severity` as P1..P4 when the rank moved). Empty: nothing changed. */
  changes: Changes;
  /** The new status when the patch moved it. */
  statusChange?: IncidentStatus;
}

const sameArray = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Applies a patch to `e` in place, by the rules: a closed incident takes only comments; a status
 * move must be allowed by the state machine; severity/priority are one rank (set directly, or
 * derived from criticality x urgency); entering `resolved` records who resolved it. Throws the
 * API's error (400/409) and leaves `e` as it was in that case: every check runs before any change.
 * The version and updated_at are the caller's (it bumps them when something changed).
 */
export function applyPatch(e: IncidentEntity, patch: UpdateIncidentDto, by: { email: string | null }, now: Date): PatchOutcome {
  const statusChange = patch.status !== undefined && patch.status !== e.status ? patch.status : undefined;
  if (e.status === 'closed') {
    const touches = Object.entries(patch).some(([k, v]) => v !== undefined && k !== 'comment' && k !== 'status');
    if (statusChange) throw IncidentErrors.invalidTransition('closed', statusChange, []);
    if (touches) throw IncidentErrors.closed();
  }
  if (statusChange && !canTransition(e.status, statusChange)) {
    throw IncidentErrors.invalidTransition(e.status, statusChange, allowedNextStatuses(e.status));
  }
  const finalStatus = statusChange ?? e.status;
  if (patch.hold_reason && (finalStatus === 'resolved' || finalStatus === 'closed')) throw IncidentErrors.holdWhenResolved();
  let rank: number | undefined;
  if (patch.severity !== undefined || patch.priority !== undefined) {
    const p = resolvePriority({ severity: patch.severity, priority: patch.priority });
    if (!p.ok) throw IncidentErrors.priorityConflict(p.message);
    rank = p.rank;
  }

  const changes: Changes = {};
  const set = <K extends keyof IncidentEntity>(key: K, field: string, value: IncidentEntity[K]) => {
    const old = e[key];
    const equal = Array.isArray(old) && Array.isArray(value) ? sameArray(old as string[], value as string[]) : old === value;
    if (equal) return;
    changes[field] = { from: old instanceof Date ? old.toISOString() : old, to: value };
    e[key] = value;
  };
  if (patch.title !== undefined) set('title', 'title', patch.title.trim());
  if (patch.description !== undefined) set('description', 'description', patch.description);
  if (patch.assigned_to !== undefined) set('assignedTo', 'assigned_to', patch.assigned_to);
  if (patch.affected_services !== undefined) set('affectedServices', 'affected_services', patch.affected_services);
  if (patch.tags !== undefined) set('tags', 'tags', patch.tags);
  if (patch.ci_ids !== undefined) set('ciIds', 'ci_ids', patch.ci_ids);
  if (patch.criticality !== undefined) set('criticality', 'criticality', patch.criticality);
  if (patch.urgency !== undefined) set('urgency', 'urgency', patch.urgency);
  if (patch.resolution_notes !== undefined) set('resolutionNotes', 'resolution_notes', patch.resolution_notes);
  if (patch.resolved_by !== undefined) set('resolvedBy', 'resolved_by', patch.resolved_by);
  if (patch.hold_reason !== undefined) set('holdReason', 'hold_reason', patch.hold_reason);
  if (rank !== undefined) set('priorityRank', 'priority_rank', rank);
  else if (patch.criticality !== undefined || patch.urgency !== undefined) set('priorityRank', 'priority_rank', matrixRank(e.criticality, e.urgency));
  if (statusChange) {
    set('status', 'status', statusChange);
    (e[ENTERED_AT[statusChange]] as Date) = now;
    if (statusChange === 'resolved' && patch.resolved_by === undefined) set('resolvedBy', 'resolved_by', by.email);
    // Nothing is awaited any more once it is resolved.
    if (statusChange === 'resolved' || statusChange === 'closed') set('holdReason', 'hold_reason', null);
  }
  // The API speaks of severity, not of the stored rank.
  if (changes.priority_rank) {
    const { from, to } = changes.priority_rank;
    delete changes.priority_rank;
    changes.severity = { from: `P${String(from)}`, to: `P${String(to)}` };
  }
  return { changes, statusChange };
}
