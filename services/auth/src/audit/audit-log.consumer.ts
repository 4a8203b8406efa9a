import { createHash } from 'node:crypto';
import { AuditEntryRecordedV1, DomainEvent, EventSubject } from '@opsplane/contracts';
import { parseInput } from '@opsplane/errors';
import { defineConsumer } from '@opsplane/runtime';

/** The audit log row id of a message's n-th entry: the event id itself for the first, derived (stable) for the others. */
export function auditEntryId(eventId: string, n: number): string {
  if (n === 0) return eventId;
  const h = createHash('sha1').update(`${eventId}:${n}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16], 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const entriesOf = (e: DomainEvent<unknown> & { subject: EventSubject }): unknown[] =>
  e.subject === EventSubject.AuditEntryRecorded ? [e.data] : (e.audit ?? []);

/**
 * Appends every service's audit entries to the tenant's audit log: those a write's first event
 * carries (`audit` in the envelope, on any stream) and the `audit.entry.recorded.v1` of writes that
 * emit no event. Row ids derive from the event id, and the kit's inbox makes a redelivery a no-op.
 */
export const auditLogConsumer = defineConsumer({
  name: 'audit-log',
  subjects: Object.values(EventSubject),
  select: (e) => entriesOf(e).length > 0,
  validatePayload: false,
  async handleBatch(tx, events) {
    const entries = (
      await Promise.all(events.map(async (e) => (await Promise.all(entriesOf(e).map((x) => parseInput(AuditEntryRecordedV1, x)))).map((entry, n) => ({ id: auditEntryId(e.event_id, n), entry }))))
    ).flat();
    const cols = 13;
    const params: unknown[] = [];
    const rows = entries.map(({ id, entry }, n) => {
      params.push(
        id,
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
      );
      return `(${Array.from({ length: cols }, (_, i) => `$${n * cols + i + 1}`).join(', ')})`;
    });
    // One statement for the batch's entries.
    await tx.query(
      `INSERT INTO audit_log (id, tenant_id, action, resource_type, resource_id, actor_id, actor_email, actor_type, token_id, before, after, trace_id, occurred_at)
       VALUES ${rows.join(', ')} ON CONFLICT (id) DO NOTHING`,
      params,
    );
  },
});
