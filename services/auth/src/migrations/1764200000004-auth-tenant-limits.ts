import { MigrationInterface, QueryRunner } from 'typeorm';
import { tenantLimitsTableSql } from '@opsplane/runtime';

/** The auth service's projection of each tenant's plan limits (for the users limit). */
export class AuthTenantLimits1764200000004 implements MigrationInterface {
  name = 'AuthTenantLimits1764200000004';

  async up(q: QueryRunner): Promise<void> {
    for (const sql of tenantLimitsTableSql('auth')) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS "auth"."tenant_limits"`);
  }
}
