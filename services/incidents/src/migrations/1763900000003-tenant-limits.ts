import { MigrationInterface, QueryRunner } from 'typeorm';
import { tenantLimitsTableSql } from '@opsplane/runtime';

const S = 'incidents';

/** The incidents service's projection of each tenant's plan limits (fed by control-plane events). */
export class IncidentsTenantLimits1763900000003 implements MigrationInterface {
  name = 'IncidentsTenantLimits1763900000003';

  async up(q: QueryRunner): Promise<void> {
    for (const sql of tenantLimitsTableSql(S)) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS "${S}"."tenant_limits"`);
  }
}
