import { Column, PrimaryColumn } from 'typeorm';
import { Actor, auditActorOf, FieldChange, TimelineEntryFields } from '@opsplane/contracts';
import { currentTraceId } from '@opsplane/observability';

/**
 * The columns of every record's timeline (append-only: who changed what, when, in which trace). A
 * service's timeline entity extends this and adds the id of its record (`incident_id`, `change_id`).
 */
export abstract class TimelineEntryColumns<T extends string = string> {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'tenant_id' })
  tenantId!: string;

  @Column('text')
  type!: T;

  @Column('uuid', { name: 'actor_id', nullable: true })
  actorId!: string | null;

  @Column('text', { name: 'actor_email', nullable: true })
  actorEmail!: string | null;

  @Column('text', { name: 'actor_type' })
  actorType!: 'user' | 'api_token' | 'system';

  @Column('uuid', { name: 'token_id', nullable: true })
  tokenId!: string | null;

  @Column('jsonb', { default: () => "'{}'" })
  changes!: Record<string, FieldChange>;

  @Column('text', { nullable: true })
  message!: string | null;

  @Column('text', { name: 'trace_id', nullable: true })
  traceId!: string | null;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;
}

/** Who made a timeline entry (the request's actor) and in which trace. */
export function timelineActor(actor: Actor | null): Pick<TimelineEntryColumns, 'actorId' | 'actorEmail' | 'actorType' | 'tokenId' | 'traceId'> {
  const a = auditActorOf(actor);
  return { actorId: a.actor_id, actorEmail: a.actor_email, actorType: a.actor_type, tokenId: a.token_id, traceId: currentTraceId() };
}

/** The view fields every timeline entry has. */
export function timelineFieldsView<T extends string>(e: TimelineEntryColumns<T>): TimelineEntryFields<T> {
  return {
    id: e.id,
    type: e.type,
    actor_id: e.actorId,
    actor_email: e.actorEmail,
    actor_type: e.actorType,
    changes: e.changes,
    message: e.message,
    trace_id: e.traceId,
    created_at: e.createdAt.toISOString(),
  };
}

/** The tenant's next number in a per-tenant counter table (`tenant_id`, `last_number`): references like INC-00000001. */
export async function nextNumber(em: { query(sql: string, params?: unknown[]): Promise<unknown> }, counterTable: string, tenantId: string): Promise<number> {
  const rows = (await em.query(
    `INSERT INTO "${counterTable}" AS c (tenant_id, last_number) VALUES ($1, 1)
     ON CONFLICT (tenant_id) DO UPDATE SET last_number = c.last_number + 1 RETURNING last_number`,
    [tenantId],
  )) as { last_number: string }[];
  return Number(rows[0].last_number);
}
