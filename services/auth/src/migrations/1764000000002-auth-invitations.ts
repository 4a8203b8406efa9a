import { MigrationInterface, QueryRunner } from 'typeorm';
import { tenantRlsSql } from '@opsplane/db';

const S = 'auth';

/** Team invitations (issue 3): single-use, expiring tokens stored as SHA-256 hashes. */
export class AuthInvitations1764000000002 implements MigrationInterface {
  name = 'AuthInvitations1764000000002';

  async up(q: QueryRunner): Promise<void> {
    const statements = [
      `CREATE TABLE "${S}"."invitations" (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL REFERENCES "${S}"."organizations"(id) ON DELETE CASCADE,
        email text NOT NULL,
        name text,
        role text NOT NULL CHECK (role IN ('owner','admin','member','viewer')),
        token_hash text NOT NULL UNIQUE,
        invited_by uuid REFERENCES "${S}"."users"(id) ON DELETE SET NULL,
        expires_at timestamptz NOT NULL,
        accepted_at timestamptz,
        accepted_user_id uuid REFERENCES "${S}"."users"(id) ON DELETE SET NULL,
        revoked_at timestamptz,
        created_at timestamptz NOT NULL,
        CHECK (accepted_at IS NULL OR revoked_at IS NULL)
      )`,
      `CREATE INDEX invitations_tenant_email_idx ON "${S}"."invitations" (tenant_id, email)`,
      `CREATE INDEX invitations_pending_idx ON "${S}"."invitations" (tenant_id, created_at DESC) WHERE accepted_at IS NULL AND revoked_at IS NULL`,
      ...tenantRlsSql(S, 'invitations'),
    ];
    for (const sql of statements) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS "${S}"."invitations"`);
  }
}
