import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The auth service's view of a tenant: its organization (name, slug, settings, status). */
@Entity({ name: 'organizations' })
export class OrganizationEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'tenant_id' })
  tenantId!: string;

  @Column('text')
  name!: string;

  @Column('text')
  slug!: string;

  @Column('text', { default: 'active' })
  status!: 'active' | 'suspended';

  @Column('jsonb', { default: () => "'{}'" })
  settings!: Record<string, unknown>;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt!: Date;
}
