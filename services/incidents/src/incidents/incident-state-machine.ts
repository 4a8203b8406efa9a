import { IncidentStatus } from '@opsplane/contracts';

/**
 * The incident lifecycle of the API contract:
 *   triggered → open → acknowledged → investigating → resolved → closed
 *   resolved → reopened → investigating
 * Moving forward along the main line may skip states; `reopened` sits just before
 * `investigating`; `closed` is final. Anything else is an invalid transition.
 */
const MAIN_LINE: IncidentStatus[] = ['triggered', 'open', 'acknowledged', 'investigating', 'resolved', 'closed'];

export function allowedNextStatuses(from: IncidentStatus): IncidentStatus[] {
  if (from === 'closed') return [];
  if (from === 'reopened') return ['investigating', 'resolved', 'closed'];
  const forward = MAIN_LINE.slice(MAIN_LINE.indexOf(from) + 1);
  return from === 'resolved' ? [...forward, 'reopened'] : forward;
}

export function canTransition(from: IncidentStatus, to: IncidentStatus): boolean {
  return allowedNextStatuses(from).includes(to);
}

