import { Column, Entity, PrimaryColumn } from 'typeorm';
import { Permission } from '@opsplane/contracts';

@Entity({ name: 'api_tokens' })
export class ApiTokenEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'tenant_id' })
  tenantId!: string;

  @Column('uuid', { name: 'user_id' })
  userId!: string;

  @Column('text')
  name!: string;

  @Column('text', { name: 'token_hash' })
  tokenHash!: string;

  @Column('text', { name: 'token_prefix' })
  tokenPrefix!: string;

  @Column('text', { array: true })
  permissions!: Permission[];

  @Column('text')
  scope!: string;

  @Column('timestamptz', { name: 'expires_at', nullable: true })
  expiresAt!: Date | null;

  @Column('timestamptz', { name: 'last_used_at', nullable: true })
  lastUsedAt!: Date | null;

  @Column('timestamptz', { name: 'revoked_at', nullable: true })
  revokedAt!: Date | null;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;
}
