import { MigrationInterface, QueryRunner } from 'typeorm';
import { tenantRlsSql } from '@opsplane/db';

const S = 'auth';

/**
 * Users whose credentials issued before `not_before` are refused (removed members), kept while
 * such a credential can live, so that a gateway starting later refuses them too. The gateways'
 * list is read across tenants under `app.platform_read`.
 */
export class AuthAccessRevocations1764500000004 implements MigrationInterface {
  name = 'AuthAccessRevocations1764500000004';

  async up(q: QueryRunner): Promise<void> {
    const statements = [
      `CREATE TABLE "${S}"."access_revocations" (
        tenant_id uuid NOT NULL,
        user_id uuid NOT NULL,
        not_before timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        PRIMARY KEY (tenant_id, user_id)
      )`,
      `CREATE INDEX access_revocations_expires_idx ON "${S}"."access_revocations" (expires_at)`,
      ...tenantRlsSql(S, 'access_revocations'),
      `CREATE POLICY platform_read ON "${S}"."access_revocations" FOR SELECT USING (current_setting('app.platform_read', true) = 'on')`,
    ];
    for (const sql of statements) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS "${S}"."access_revocations"`);
  }
}
