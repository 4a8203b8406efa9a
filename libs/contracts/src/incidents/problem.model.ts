/** The problem lifecycle: forward moves may skip states; `resolved → investigating` reopens; `closed` is final. */
export const PROBLEM_STATUSES = ['new', 'investigating', 'known_error', 'resolved', 'closed'] as const;
export type ProblemStatus = (typeof PROBLEM_STATUSES)[number];

export interface ProblemView {
  /** @format uuid */
  id: string;
  /** PRB-00000001: per tenant, sequential; usable wherever the id is. */
  reference: string;
  title: string;
  description: string;
  status: ProblemStatus;
  priority: 'critical' | 'high' | 'medium' | 'low';
  assigned_to: string | null;
  /** The assignee's name when `assigned_to` is a member's user id or e-mail (the second document's assignedToName); set in API answers, not in events. */
  assigned_to_name?: string | null;
  /** The incidents (ids) this problem causes or explains. */
  related_incidents: string[];
  root_cause: string | null;
  workaround: string | null;
  solution: string | null;
  /** A known error: the root cause or a workaround is documented (set on reaching known_error, or by hand). */
  known_error: boolean;
  /** @format uuid */
  created_by: string | null;
  /** @format date-time */
  created_at: string;
  /** @format date-time */
  updated_at: string;
  /** @format date-time */
  resolved_at: string | null;
  /** @format date-time */
  closed_at: string | null;
  version: number;
}

export interface ProblemEventData {
  problem: ProblemView;
  /** field name → { from, to } (updates). */
  changes: Record<string, { from: unknown; to: unknown }>;
}
