import { SlaRecordState } from '@opsplane/sla';
import { IncidentEntity } from '../incidents/incident.entity';
import { referenceOf } from '../incidents/incident.mapper';
import { PriorityRank, priorityOf } from '../incidents/priority';

/**
 * An incident as its SLA sees it: responded once it was acknowledged (or moved further), resolved
 * while resolved or closed (a reopening runs the resolution clock again), paused on its hold
 * reason when the policy says so, matched to policies by its affected services.
 */
export function incidentSlaState(e: IncidentEntity): SlaRecordState {
  return {
    type: 'incident',
    id: e.id,
    tenantId: e.tenantId,
    reference: referenceOf(e.number),
    priority: priorityOf(e.priorityRank as PriorityRank),
    responded: !!(e.acknowledgedAt ?? e.investigatingAt ?? e.resolvedAt ?? e.closedAt),
    resolution: e.status === 'resolved' || e.status === 'closed' ? 'resolved' : 'open',
    states: e.holdReason ? [e.holdReason] : [],
    subject: { type: 'incident', services: e.affectedServices },
  };
}
