import { MigrationInterface, QueryRunner } from 'typeorm';
import { dropSlaTablesSql, slaTablesSql } from '@opsplane/sla';

const S = 'itsm';

/** SLA timers of service requests, the copy of the tenant's SLA policies (from sla.policy.* events), a request's priority. */
export class ItsmSla1796060000000 implements MigrationInterface {
  name = 'ItsmSla1796060000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "${S}"."service_requests" ADD COLUMN priority text NOT NULL DEFAULT 'medium' CHECK (priority IN ('critical', 'high', 'medium', 'low'))`);
    for (const sql of slaTablesSql(S)) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const sql of dropSlaTablesSql(S)) await q.query(sql);
    await q.query(`ALTER TABLE "${S}"."service_requests" DROP COLUMN IF EXISTS priority`);
  }
}
