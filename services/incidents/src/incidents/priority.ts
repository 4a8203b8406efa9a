import { Criticality, Priority, PRIORITIES, Severity, Urgency } from '@opsplane/contracts';

/** One scale: P1 = critical, P2 = high, P3 = medium, P4 = low. Stored as a rank 1..4. */
export type PriorityRank = 1 | 2 | 3 | 4;

export const severityOf = (rank: PriorityRank): Severity => `P${rank}` as Severity;
export const priorityOf = (rank: PriorityRank): Priority => PRIORITIES[rank - 1];
export const rankOfSeverity = (s: Severity): PriorityRank => Number(s.slice(1)) as PriorityRank;
export const rankOfPriority = (p: Priority): PriorityRank => (PRIORITIES.indexOf(p) + 1) as PriorityRank;

const IMPACT_RANK: Record<Criticality, number> = { critical: 1, major: 2, moderate: 3, minor: 4 };
const URGENCY_RANK: Record<Urgency, number> = { critical: 1, high: 2, medium: 3, low: 4 };

/**
 * The ITIL impact × urgency matrix (impact is the second document's "criticality"):
 *
 *               urgency: critical  high    medium  low
 *   critical             P1        P1      P2      P2
 *   major                P1        P2      P2      P3
 *   moderate             P2        P2      P3      P3
 *   minor                P2        P3      P3      P4
 *
 * A missing axis counts as its middle value (moderate / medium).
 */
export function matrixRank(criticality: Criticality | null | undefined, urgency: Urgency | null | undefined): PriorityRank {
  const i = IMPACT_RANK[criticality ?? 'moderate'];
  const u = URGENCY_RANK[urgency ?? 'medium'];
  return Math.floor((i + u) / 2) as PriorityRank;
}

export interface PriorityInput {
  severity?: Severity;
  priority?: Priority;
  criticality?: Criticality | null;
  urgency?: Urgency | null;
}

export type PriorityResolution = { ok: true; rank: PriorityRank } | { ok: false; message: string };

/** Severity or priority when given (they must agree), else the matrix. */
export function resolvePriority(input: PriorityInput): PriorityResolution {
  const bySeverity = input.severity ? rankOfSeverity(input.severity) : undefined;
  const byPriority = input.priority ? rankOfPriority(input.priority) : undefined;
  if (bySeverity && byPriority && bySeverity !== byPriority) {
    return { ok: false, message: `severity ${input.severity} and priority ${input.priority} disagree (${input.severity} is ${priorityOf(bySeverity)})` };
  }
  return { ok: true, rank: bySeverity ?? byPriority ?? matrixRank(input.criticality, input.urgency) };
}
