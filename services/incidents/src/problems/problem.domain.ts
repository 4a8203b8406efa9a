import { CreateProblemDto, ProblemStatus, UpdateProblemDto } from '@opsplane/contracts';
import { ProblemEntity } from './problem.entity';
import { ProblemErrors } from './problems.exception';

/**
 * The problem lifecycle: `new → investigating → known_error → resolved → closed`, forward moves may
 * skip states, `resolved → investigating` reopens, `closed` is final. A known error documents its
 * workaround (or root cause).
 */
const LINE: ProblemStatus[] = ['new', 'investigating', 'known_error', 'resolved', 'closed'];

export function allowedNextProblemStatuses(from: ProblemStatus): ProblemStatus[] {
  if (from === 'closed') return [];
  const forward = LINE.slice(LINE.indexOf(from) + 1);
  return from === 'resolved' ? [...forward, 'investigating'] : forward;
}

export function newProblem(o: { id: string; tenantId: string; number: number; dto: CreateProblemDto; createdBy: string | null; now: Date }): ProblemEntity {
  const d = o.dto;
  return Object.assign(new ProblemEntity(), {
    id: o.id,
    tenantId: o.tenantId,
    number: o.number,
    title: d.title.trim(),
    description: d.description ?? '',
    status: 'new' as ProblemStatus,
    priority: d.priority ?? 'medium',
    assignedTo: d.assigned_to?.trim() || null,
    rootCause: d.root_cause?.trim() || null,
    workaround: d.workaround?.trim() || null,
    solution: d.solution?.trim() || null,
    knownError: d.known_error ?? false,
    createdBy: o.createdBy,
    createdAt: o.now,
    updatedAt: o.now,
    resolvedAt: null,
    closedAt: null,
    version: 1,
  } satisfies ProblemEntity);
}

export type ProblemChanges = Record<string, { from: unknown; to: unknown }>;

const TEXT: [keyof UpdateProblemDto & string, keyof ProblemEntity & string][] = [
  ['title', 'title'],
  ['description', 'description'],
  ['priority', 'priority'],
  ['assigned_to', 'assignedTo'],
  ['root_cause', 'rootCause'],
  ['workaround', 'workaround'],
  ['solution', 'solution'],
  ['known_error', 'knownError'],
];

/** Applies an update (fields and a move of the lifecycle); returns what changed. */
export function applyProblemPatch(p: ProblemEntity, patch: UpdateProblemDto, now: Date): { changes: ProblemChanges; resolved: boolean } {
  const changes: ProblemChanges = {};
  for (const [field, prop] of TEXT) {
    let v = patch[field] as unknown;
    if (v === undefined) continue;
    if (typeof v === 'string' && field !== 'description') v = v.trim() || null;
    if (field === 'description' && v === null) v = '';
    if (v !== p[prop]) {
      changes[field] = { from: p[prop], to: v };
      (p as unknown as Record<string, unknown>)[prop] = v;
    }
  }
  let resolved = false;
  if (patch.status !== undefined && patch.status !== p.status) {
    const from = p.status;
    const to = patch.status;
    const allowed = allowedNextProblemStatuses(from);
    if (!allowed.includes(to)) throw ProblemErrors.invalidTransition(from, to, allowed);
    if (to === 'known_error') {
      if (!p.workaround && !p.rootCause) throw ProblemErrors.field('workaround', 'a known error documents its workaround or root cause');
      if (!p.knownError) {
        changes.known_error = { from: false, to: true };
        p.knownError = true;
      }
    }
    if (to === 'resolved') {
      p.resolvedAt = now;
      resolved = true;
    }
    if (to === 'investigating' && from === 'resolved') p.resolvedAt = null;
    if (to === 'closed') {
      p.closedAt = now;
      if (!p.resolvedAt) p.resolvedAt = now;
    }
    changes.status = { from, to };
    p.status = to;
  }
  return { changes, resolved };
}
