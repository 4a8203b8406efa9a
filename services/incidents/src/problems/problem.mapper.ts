import { ProblemView } from '@opsplane/contracts';
import { ProblemEntity } from './problem.entity';

export const problemReferenceOf = (n: number) => `PRB-${String(n).padStart(8, '0')}`;
const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toProblemView(p: ProblemEntity, relatedIncidents: string[]): ProblemView {
  return {
    id: p.id,
    reference: problemReferenceOf(p.number),
    title: p.title,
    description: p.description,
    status: p.status,
    priority: p.priority,
    assigned_to: p.assignedTo,
    related_incidents: relatedIncidents,
    root_cause: p.rootCause,
    workaround: p.workaround,
    solution: p.solution,
    known_error: p.knownError,
    created_by: p.createdBy,
    created_at: p.createdAt.toISOString(),
    updated_at: p.updatedAt.toISOString(),
    resolved_at: iso(p.resolvedAt),
    closed_at: iso(p.closedAt),
    version: p.version,
  };
}
