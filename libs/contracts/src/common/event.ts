/** Every domain event on JetStream has this envelope; `data` is the event-specific payload. */
export interface DomainEvent<T> {
  event_id: string;
  event_type: string;
  tenant_id: string;
  occurred_at: string;
  actor_id: string | null;
  trace_id: string | null;
  data: T;
}
