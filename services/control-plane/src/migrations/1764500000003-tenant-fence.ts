import { MigrationInterface, QueryRunner } from 'typeorm';
import { dropTenantFenceSql, tenantFenceSql } from '@opsplane/db';

const S = 'control_plane';

/** The tenant fence: no write of a tenant commits during or after its purge (see libs/db tenant-db.ts). */
export class ControlPlaneTenantFence1764500000003 implements MigrationInterface {
  name = 'ControlPlaneTenantFence1764500000003';

  async up(q: QueryRunner): Promise<void> {
    for (const sql of tenantFenceSql(S)) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const sql of dropTenantFenceSql(S)) await q.query(sql);
  }
}
