import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A configuration item: the one declaration of its row (the migration creates the table, with the generated
 * identification columns k8s_uid, serial and hostname that nothing writes; the repository reads the columns from here).
 */
@Entity({ name: 'cis' })
export class CiEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'tenant_id' })
  tenantId!: string;

  @Column('text')
  name!: string;

  @Column('text')
  class!: string;

  @Column('text', { nullable: true })
  environment!: string | null;

  @Column('text', { nullable: true })
  owner!: string | null;

  @Column('text', { name: 'lifecycle_status' })
  lifecycleStatus!: string;

  @Column('text', { nullable: true })
  criticality!: string | null;

  @Column('jsonb')
  attributes!: Record<string, unknown>;

  @Column('text', { nullable: true })
  title!: string | null;

  @Column('double precision', { name: 'position_x', nullable: true })
  positionX!: number | null;

  @Column('double precision', { name: 'position_y', nullable: true })
  positionY!: number | null;

  @Column('uuid', { name: 'created_by', nullable: true })
  createdBy!: string | null;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt!: Date;

  @Column('timestamptz', { name: 'deleted_at', nullable: true })
  deletedAt!: Date | null;

  @Column('integer', { default: 1 })
  version!: number;
}

/** A relationship between two items of one tenant. */
@Entity({ name: 'relationships' })
export class RelationshipEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'tenant_id' })
  tenantId!: string;

  @Column('uuid', { name: 'source_id' })
  sourceId!: string;

  @Column('uuid', { name: 'target_id' })
  targetId!: string;

  @Column('text')
  type!: string;

  @Column('text')
  criticality!: string;

  @Column('uuid', { name: 'created_by', nullable: true })
  createdBy!: string | null;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt!: Date;
}
