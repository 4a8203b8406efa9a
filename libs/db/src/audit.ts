import { EntityManager } from 'typeorm';
import { Actor, AuditActor, auditActorOf, AuditAction, AuditEntryRecordedV1, EventSubject } from '@opsplane/contracts';
import { currentTraceId, currentTraceparent, traceIdOf } from '@opsplane/observability';
import { addManyToOutbox, OutboxEntry } from './outbox';
import { TenantId } from './tenant-db';

export interface AuditChange {
  action: AuditAction;
  resource_type: string;
  resource_id: string;
  /** API views only (never a stored row): no token, hash or password may end up in the log. */
  before?: object | null;
  after?: object | null;
}

/** The audit entry of a tenant-plane write, by `who`, now (in the current trace). */
export function auditEntryOf(who: Actor | AuditActor | null, change: AuditChange): AuditEntryRecordedV1 {
  const actor = who && 'actor_type' in who ? who : auditActorOf(who);
  return {
    action: change.action,
    resource_type: change.resource_type,
    resource_id: change.resource_id,
    ...actor,
    before: (change.before ?? null) as Record<string, unknown> | null,
    after: (change.after ?? null) as Record<string, unknown> | null,
    trace_id: traceIdOf(currentTraceparent()) ?? currentTraceId(),
    occurred_at: new Date().toISOString(),
  };
}

/**
 * Writes a unit of work's events and audit entries to the outbox, in its transaction (a committed
 * write is always audited, a rolled-back one never is). The entries ride on the first event (one
 * row and one message for a change and its audit trail); without an event each entry is an
 * `audit.entry.recorded.v1` of its own. The auth service's consumer appends them to its audit log.
 */
export async function writeOutbox(
  em: EntityManager,
  schema: string,
  tenantId: TenantId,
  actorId: string | null,
  events: { subject: EventSubject; payload: unknown }[],
  audit: AuditEntryRecordedV1[],
): Promise<void> {
  const entries: OutboxEntry[] = events.length
    ? events.map((e, i) => ({ subject: e.subject, data: e.payload, actorId, audit: i === 0 ? audit : undefined }))
    : audit.map((entry) => ({ subject: EventSubject.AuditEntryRecorded, data: entry, actorId: entry.actor_id }));
  await addManyToOutbox(em, schema, tenantId, entries);
}
