import type { AuditEntryRecordedV1 } from '../audit/audit.events';

/** Every domain event on JetStream has this envelope; `data` is the event-specific payload. */
export interface DomainEvent<T> {
  event_id: string;
  event_type: string;
  tenant_id: string;
  occurred_at: string;
  actor_id: string | null;
  trace_id: string | null;
  data: T;
  /**
   * The audit entries of the write that emitted this event (its unit of work's first event carries
   * them): one outbox row, one message, for the change and its audit trail. A write that emits no
   * event publishes its entries as `audit.entry.recorded.v1` instead.
   */
  audit?: AuditEntryRecordedV1[];
}
