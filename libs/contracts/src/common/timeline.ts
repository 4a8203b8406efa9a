import type { FieldChange } from '../incidents/incident.model';

/** What every record's timeline entry holds (the record's own id is added by each view). */
export interface TimelineEntryFields<T extends string = string> {
  id: string;
  type: T;
  actor_id: string | null;
  actor_email: string | null;
  actor_type: 'user' | 'api_token' | 'system';
  /** field name → { from, to } */
  changes: Record<string, FieldChange>;
  message: string | null;
  trace_id: string | null;
  created_at: string;
}
