import { MigrationInterface, QueryRunner } from 'typeorm';
import { tenantRlsSql } from '@opsplane/db';

const S = 'incidents';

/** The incidents service's projection of each tenant's plan limits (fed by control-plane events). */
export class IncidentsTenantLimits1763900000003 implements MigrationInterface {
  name = 'IncidentsTenantLimits1763900000003';

  async up(q: QueryRunner): Promise<void> {
    const statements = [
      `CREATE TABLE "${S}"."tenant_limits" (
        tenant_id uuid PRIMARY KEY,
        plan text NOT NULL,
        limits jsonb NOT NULL,
        updated_at timestamptz NOT NULL
      )`,
      ...tenantRlsSql(S, 'tenant_limits'),
    ];
    for (const sql of statements) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS "${S}"."tenant_limits"`);
  }
}
