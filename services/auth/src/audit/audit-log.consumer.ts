import { Logger } from '@nestjs/common';
import { AuditEntryRecordedV1, DomainEvent, EventSubject } from '@opsplane/contracts';
import { asTenantId } from '@opsplane/db';
import { parseInput } from '@opsplane/errors';
import { IncomingEvent } from '@opsplane/messaging';
import { ServiceRuntime } from '@opsplane/runtime';

const CONSUMER = 'auth-audit-log';

/**
 * Appends every service's `audit.entry.recorded.v1` to `auth.audit_log`. Idempotent: the row id
 * is the event id, so a redelivery inserts nothing.
 */
export async function subscribeAuditLog(rt: ServiceRuntime): Promise<void> {
  const log = new Logger('AuditLog');
  await rt.eventBus.subscribe(CONSUMER, ['audit.>'], async (e: IncomingEvent) => {
    if (e.subject !== EventSubject.AuditEntryRecorded) return;
    const envelope = e.payload as DomainEvent<unknown>;
    const entry = await parseInput(AuditEntryRecordedV1, envelope.data);
    const tenant = asTenantId(envelope.tenant_id);
    await rt.tenantDb.run(tenant, (em) =>
      em.query(
        `INSERT INTO "audit_log" (id, tenant_id, action, resource_type, resource_id, actor_id, actor_email, actor_type, token_id, before, after, trace_id, occurred_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT (id) DO NOTHING`,
        [
          envelope.event_id,
          tenant,
          entry.action,
          entry.resource_type,
          entry.resource_id,
          entry.actor_id ?? null,
          entry.actor_email ?? null,
          entry.actor_type,
          entry.token_id ?? null,
          entry.before ? JSON.stringify(entry.before) : null,
          entry.after ? JSON.stringify(entry.after) : null,
          entry.trace_id ?? null,
          entry.occurred_at,
        ],
      ),
    );
    log.debug(`${entry.action} ${entry.resource_type}/${entry.resource_id} of ${tenant} recorded`);
  });
}
