import { MigrationInterface, QueryRunner } from 'typeorm';
import { dropSlaTablesSql, slaTablesSql } from '@opsplane/sla';

const S = 'incidents';

/** SLA policies (owned here) and the timers of incidents; an incident's hold reason (a clock may pause on it). */
export class IncidentsSla1796060000000 implements MigrationInterface {
  name = 'IncidentsSla1796060000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "${S}"."incidents" ADD COLUMN hold_reason text CHECK (hold_reason IN ('awaiting_customer', 'awaiting_vendor', 'awaiting_change'))`);
    for (const sql of slaTablesSql(S)) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const sql of dropSlaTablesSql(S)) await q.query(sql);
    await q.query(`ALTER TABLE "${S}"."incidents" DROP COLUMN IF EXISTS hold_reason`);
  }
}
