import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from '@opsplane/db';
import { ProblemStatus, ProblemView } from '@opsplane/contracts';

/** A problem: the one declaration of its row (its incident links are in problem_incidents). */
@Entity({ name: 'problems' })
export class ProblemEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'tenant_id' })
  tenantId!: string;

  @Column('bigint', { transformer: bigintAsNumber })
  number!: number;

  @Column('text')
  title!: string;

  @Column('text', { default: '' })
  description!: string;

  @Column('text')
  status!: ProblemStatus;

  @Column('text')
  priority!: ProblemView['priority'];

  @Column('text', { name: 'assigned_to', nullable: true })
  assignedTo!: string | null;

  @Column('text', { name: 'root_cause', nullable: true })
  rootCause!: string | null;

  @Column('text', { nullable: true })
  workaround!: string | null;

  @Column('text', { nullable: true })
  solution!: string | null;

  @Column('boolean', { name: 'known_error', default: false })
  knownError!: boolean;

  @Column('uuid', { name: 'created_by', nullable: true })
  createdBy!: string | null;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt!: Date;

  @Column('timestamptz', { name: 'resolved_at', nullable: true })
  resolvedAt!: Date | null;

  @Column('timestamptz', { name: 'closed_at', nullable: true })
  closedAt!: Date | null;

  @Column('integer', { default: 1 })
  version!: number;
}
