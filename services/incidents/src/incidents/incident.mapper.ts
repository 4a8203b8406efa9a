import { timelineFieldsView } from '@opsplane/db';
import { CommentView, IncidentView, RecordSlaView, TimelineEntryView } from '@opsplane/contracts';
import { IncidentCommentEntity, IncidentEntity, TimelineEntryEntity } from './incident.entity';
import { PriorityRank, priorityOf, severityOf } from './priority';

export const referenceOf = (n: number): string => `INC-${String(n).padStart(8, '0')}`;
const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

export function toIncidentView(e: IncidentEntity, sla: RecordSlaView | null = null): IncidentView {
  const rank = e.priorityRank as PriorityRank;
  return {
    id: e.id,
    reference: referenceOf(e.number),
    title: e.title,
    description: e.description,
    status: e.status,
    severity: severityOf(rank),
    priority: priorityOf(rank),
    criticality: e.criticality,
    urgency: e.urgency,
    source: e.source,
    assigned_to: e.assignedTo,
    affected_services: e.affectedServices,
    tags: e.tags,
    ci_ids: e.ciIds,
    labels: e.labels,
    alert_count: e.alertCount,
    last_alert_at: iso(e.lastAlertAt),
    resolution_notes: e.resolutionNotes,
    resolved_by: e.resolvedBy,
    created_by: e.createdBy,
    created_at: e.createdAt.toISOString(),
    updated_at: e.updatedAt.toISOString(),
    triggered_at: iso(e.triggeredAt),
    opened_at: iso(e.openedAt),
    acknowledged_at: iso(e.acknowledgedAt),
    investigating_at: iso(e.investigatingAt),
    resolved_at: iso(e.resolvedAt),
    closed_at: iso(e.closedAt),
    reopened_at: iso(e.reopenedAt),
    version: e.version,
    problem_id: e.problemId,
    hold_reason: e.holdReason,
    sla,
  };
}

export function toTimelineView(e: TimelineEntryEntity): TimelineEntryView {
  return { ...timelineFieldsView(e), incident_id: e.incidentId };
}

export function toCommentView(e: IncidentCommentEntity): CommentView {
  return { id: e.id, incident_id: e.incidentId, body: e.body, author_id: e.authorId, author_email: e.authorEmail, created_at: e.createdAt.toISOString() };
}
