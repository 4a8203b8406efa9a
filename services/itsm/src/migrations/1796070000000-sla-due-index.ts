import { MigrationInterface, QueryRunner } from 'typeorm';
import { slaDueIndexSql } from '@opsplane/sla';

/** The SLA breach count reads a partial index of the timers with a due instant (see slaDueIndexSql). */
export class ItsmSlaDueIndex1796070000000 implements MigrationInterface {
  name = 'ItsmSlaDueIndex1796070000000';

  async up(q: QueryRunner): Promise<void> {
    for (const sql of slaDueIndexSql('itsm').up) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const sql of slaDueIndexSql('itsm').down) await q.query(sql);
  }
}
