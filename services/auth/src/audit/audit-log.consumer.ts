import { EventSubject } from '@opsplane/contracts';
import { defineConsumer } from '@opsplane/runtime';

/**
 * Appends every service's `audit.entry.recorded.v1` to the tenant's audit log (the row id is the
 * event id, and the kit's inbox makes a redelivery a no-op).
 */
export const auditLogConsumer = defineConsumer({
  name: 'audit-log',
  subjects: [EventSubject.AuditEntryRecorded],
  async handle(tx, e) {
    const entry = e.data;
    await tx.query(
      `INSERT INTO audit_log (id, tenant_id, action, resource_type, resource_id, actor_id, actor_email, actor_type, token_id, before, after, trace_id, occurred_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT (id) DO NOTHING`,
      [
        e.event_id,
        tx.tenant,
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
    );
  },
});
