import { EntityManager } from 'typeorm';
import { Actor, AuditActor, auditActorOf, AuditAction, AuditEntryRecordedV1, EventSubject } from '@opsplane/contracts';
import { currentTraceId, currentTraceparent, traceIdOf } from '@opsplane/observability';
import { addToOutbox } from './outbox';
import { TenantId } from './tenant-db';

export interface AuditChange {
  action: AuditAction;
  resource_type: string;
  resource_id: string;
  /** API views only (never a stored row): no token, hash or password may end up in the log. */
  before?: object | null;
  after?: object | null;
}

/**
 * Records a tenant-plane write in the audit log: an `audit.entry.recorded.v1` event in the
 * service's outbox, inside the write's transaction (a committed write is always audited, a
 * rolled-back one never is). The auth service's consumer appends it to `auth.audit_log`.
 */
export async function recordAudit(em: EntityManager, schema: string, tenantId: TenantId, who: Actor | AuditActor | null, change: AuditChange): Promise<string> {
  const actor = who && 'actor_type' in who ? who : auditActorOf(who);
  const entry: AuditEntryRecordedV1 = {
    action: change.action,
    resource_type: change.resource_type,
    resource_id: change.resource_id,
    ...actor,
    before: (change.before ?? null) as Record<string, unknown> | null,
    after: (change.after ?? null) as Record<string, unknown> | null,
    trace_id: traceIdOf(currentTraceparent()) ?? currentTraceId(),
    occurred_at: new Date().toISOString(),
  };
  return addToOutbox(em, schema, tenantId, EventSubject.AuditEntryRecorded, entry, actor.actor_id);
}
