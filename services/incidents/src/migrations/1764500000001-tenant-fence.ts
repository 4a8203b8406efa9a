import { MigrationInterface, QueryRunner } from 'typeorm';
import { dropTenantFenceSql, tenantFenceSql } from '@opsplane/db';

const S = 'incidents';

/** The tenant fence: no write of a tenant commits during or after its purge (see libs/db tenant-db.ts). */
export class IncidentsTenantFence1764500000001 implements MigrationInterface {
  name = 'IncidentsTenantFence1764500000001';

  async up(q: QueryRunner): Promise<void> {
    for (const sql of tenantFenceSql(S)) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const sql of dropTenantFenceSql(S)) await q.query(sql);
  }
}
