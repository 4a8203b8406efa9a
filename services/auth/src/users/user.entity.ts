import { Column, Entity, PrimaryColumn } from 'typeorm';
import { Role } from '@opsplane/contracts';

@Entity({ name: 'users' })
export class UserEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'tenant_id' })
  tenantId!: string;

  @Column('text')
  email!: string;

  @Column('text', { default: '' })
  name!: string;

  @Column('text', { name: 'password_hash' })
  passwordHash!: string;

  @Column('text')
  role!: Role;

  @Column('text', { default: 'active' })
  status!: 'active' | 'disabled';

  @Column('text', { name: 'job_title', nullable: true })
  jobTitle!: string | null;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt!: Date;

  @Column('timestamptz', { name: 'last_login_at', nullable: true })
  lastLoginAt!: Date | null;
}
