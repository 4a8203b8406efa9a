import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintAsNumber, TimelineEntryColumns } from '@opsplane/db';
import { Criticality, IncidentHoldReason, IncidentStatus, Urgency } from '@opsplane/contracts';

@Entity({ name: 'incidents' })
@Index(['tenantId', 'number'], { unique: true })
export class IncidentEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'tenant_id' })
  tenantId!: string;

  /** Per-tenant sequential number; the reference is INC-%08d of it. */
  @Column('bigint', { transformer: bigintAsNumber })
  number!: number;

  @Column('text')
  title!: string;

  @Column('text', { default: '' })
  description!: string;

  @Column('text')
  status!: IncidentStatus;

  /** 1..4: P1/critical .. P4/low. Severity and priority are both derived from it. */
  @Column('smallint', { name: 'priority_rank' })
  priorityRank!: number;

  @Column('text', { nullable: true })
  criticality!: Criticality | null;

  @Column('text', { nullable: true })
  urgency!: Urgency | null;

  @Column('text', { default: 'api' })
  source!: string;

  @Column('text', { name: 'assigned_to', nullable: true })
  assignedTo!: string | null;

  @Column('text', { name: 'affected_services', array: true, default: () => "'{}'" })
  affectedServices!: string[];

  @Column('text', { array: true, default: () => "'{}'" })
  tags!: string[];

  @Column('text', { name: 'ci_ids', array: true, default: () => "'{}'" })
  ciIds!: string[];

  /** Key/value labels (an alert's labels when an alert opened it). */
  @Column('jsonb', { default: () => "'{}'" })
  labels!: Record<string, string>;

  /** How many times its alerts were received, repeats included (0: not opened by an alert). */
  @Column('integer', { name: 'alert_count', default: 0 })
  alertCount!: number;

  @Column('timestamptz', { name: 'last_alert_at', nullable: true })
  lastAlertAt!: Date | null;

  @Column('text', { name: 'resolution_notes', nullable: true })
  resolutionNotes!: string | null;

  @Column('text', { name: 'resolved_by', nullable: true })
  resolvedBy!: string | null;

  @Column('uuid', { name: 'created_by', nullable: true })
  createdBy!: string | null;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt!: Date;

  @Column('timestamptz', { name: 'triggered_at', nullable: true })
  triggeredAt!: Date | null;

  @Column('timestamptz', { name: 'opened_at', nullable: true })
  openedAt!: Date | null;

  @Column('timestamptz', { name: 'acknowledged_at', nullable: true })
  acknowledgedAt!: Date | null;

  @Column('timestamptz', { name: 'investigating_at', nullable: true })
  investigatingAt!: Date | null;

  @Column('timestamptz', { name: 'resolved_at', nullable: true })
  resolvedAt!: Date | null;

  @Column('timestamptz', { name: 'closed_at', nullable: true })
  closedAt!: Date | null;

  @Column('timestamptz', { name: 'reopened_at', nullable: true })
  reopenedAt!: Date | null;

  @Column('integer', { default: 1 })
  version!: number;

  /** The problem it is linked to (the latest link): set by the problems feature in the same schema. */
  @Column('uuid', { name: 'problem_id', nullable: true })
  problemId!: string | null;

  /** Waiting on someone outside the desk (an SLA policy may pause the clock on it); cleared on resolution. */
  @Column('text', { name: 'hold_reason', nullable: true })
  holdReason!: IncidentHoldReason | null;
}

@Entity({ name: 'incident_comments' })
export class IncidentCommentEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'tenant_id' })
  tenantId!: string;

  @Column('uuid', { name: 'incident_id' })
  incidentId!: string;

  @Column('text')
  body!: string;

  @Column('uuid', { name: 'author_id', nullable: true })
  authorId!: string | null;

  @Column('text', { name: 'author_email', nullable: true })
  authorEmail!: string | null;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;
}

/** One line of an incident's timeline (append-only). */
@Entity({ name: 'incident_timeline' })
export class TimelineEntryEntity extends TimelineEntryColumns<'created' | 'updated' | 'status_changed' | 'comment' | 'alert'> {
  @Column('uuid', { name: 'incident_id' })
  incidentId!: string;
}

export const INCIDENTS_ENTITIES = [IncidentEntity, IncidentCommentEntity, TimelineEntryEntity];
