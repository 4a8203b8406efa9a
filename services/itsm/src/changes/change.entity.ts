import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintAsNumber, TimelineEntryColumns } from '@opsplane/db';
import {
  ChangeApprovalRuleView,
  ChangeApprovalStatus,
  ChangeApprovalView,
  ChangeConflictView,
  ChangePriority,
  ChangeRiskLevel,
  ChangeStatus,
  ChangeType,
} from '@opsplane/contracts';


/** A change: the one declaration of its row (the migration creates the table; the repository reads the columns from here). */
@Entity({ name: 'changes' })
@Index(['tenantId', 'number'], { unique: true })
export class ChangeEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'tenant_id' })
  tenantId!: string;

  /** Per-tenant sequential number; the reference is CHG-%08d of it. */
  @Column('bigint', { transformer: bigintAsNumber })
  number!: number;

  @Column('text')
  title!: string;

  @Column('text', { default: '' })
  description!: string;

  @Column('text')
  type!: ChangeType;

  @Column('text')
  status!: ChangeStatus;

  @Column('text')
  priority!: ChangePriority;

  @Column('text', { name: 'risk_level' })
  riskLevel!: ChangeRiskLevel;

  @Column('text', { name: 'approval_status' })
  approvalStatus!: ChangeApprovalStatus;

  /** 0..100, computed at each write (see computeRisk). */
  @Column('smallint', { name: 'risk_score' })
  riskScore!: number;

  @Column('text', { name: 'computed_risk_level' })
  computedRiskLevel!: ChangeRiskLevel;

  /** The conflicts found at the change's last write. */
  @Column('jsonb', { default: () => "'[]'" })
  conflicts!: ChangeConflictView[];

  /** What the tenant's policy asked of this change when it was submitted. */
  @Column('jsonb', { name: 'approval_rule' })
  approvalRule!: ChangeApprovalRuleView;

  /** The decisions of the current approval round, in order. */
  @Column('jsonb', { default: () => "'[]'" })
  approvals!: ChangeApprovalView[];

  @Column('text', { name: 'requested_by', nullable: true })
  requestedBy!: string | null;

  @Column('text', { name: 'assigned_to', nullable: true })
  assignedTo!: string | null;

  @Column('text', { name: 'ci_ids', array: true, default: () => "'{}'" })
  ciIds!: string[];

  @Column('timestamptz', { name: 'requested_start', nullable: true })
  requestedStart!: Date | null;

  @Column('timestamptz', { name: 'requested_end', nullable: true })
  requestedEnd!: Date | null;

  @Column('timestamptz', { name: 'scheduled_start', nullable: true })
  scheduledStart!: Date | null;

  @Column('timestamptz', { name: 'scheduled_end', nullable: true })
  scheduledEnd!: Date | null;

  @Column('timestamptz', { name: 'actual_start', nullable: true })
  actualStart!: Date | null;

  @Column('timestamptz', { name: 'actual_end', nullable: true })
  actualEnd!: Date | null;

  @Column('text', { name: 'implementation_plan', nullable: true })
  implementationPlan!: string | null;

  @Column('text', { name: 'backout_plan', nullable: true })
  backoutPlan!: string | null;

  @Column('text', { name: 'test_plan', nullable: true })
  testPlan!: string | null;

  @Column('boolean', { name: 'backout_performed', nullable: true })
  backoutPerformed!: boolean | null;

  @Column('text', { name: 'closure_notes', nullable: true })
  closureNotes!: string | null;

  @Column('boolean', { name: 'review_required', default: false })
  reviewRequired!: boolean;

  @Column('text', { name: 'review_notes', nullable: true })
  reviewNotes!: string | null;

  @Column('text', { name: 'reviewed_by', nullable: true })
  reviewedBy!: string | null;

  @Column('timestamptz', { name: 'reviewed_at', nullable: true })
  reviewedAt!: Date | null;

  @Column('uuid', { name: 'created_by', nullable: true })
  createdBy!: string | null;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt!: Date;

  @Column('timestamptz', { name: 'approved_at', nullable: true })
  approvedAt!: Date | null;

  @Column('timestamptz', { name: 'closed_at', nullable: true })
  closedAt!: Date | null;

  @Column('integer', { default: 1 })
  version!: number;
}

/** One line of a change's timeline (append-only). */
@Entity({ name: 'change_timeline' })
export class ChangeTimelineEntity extends TimelineEntryColumns<'created' | 'updated' | 'status_changed' | 'approval' | 'comment'> {
  @Column('uuid', { name: 'change_id' })
  changeId!: string;
}

/** A period without changes (for every CI, or the listed ones). */
@Entity({ name: 'freeze_windows' })
export class FreezeWindowEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'tenant_id' })
  tenantId!: string;

  @Column('text')
  name!: string;

  @Column('text', { nullable: true })
  reason!: string | null;

  @Column('timestamptz', { name: 'starts_at' })
  startsAt!: Date;

  @Column('timestamptz', { name: 'ends_at' })
  endsAt!: Date;

  @Column('text', { name: 'ci_ids', array: true, default: () => "'{}'" })
  ciIds!: string[];

  @Column('uuid', { name: 'created_by', nullable: true })
  createdBy!: string | null;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt!: Date;

  @Column('integer', { default: 1 })
  version!: number;
}
