import { MigrationInterface, QueryRunner } from 'typeorm';
import { ciLinksSql, dropCiLinksSql } from '@opsplane/db';

/** The configuration items changes name, as indexed rows (the CMDB's views ask for the changes on items; see ciLinksSql). */
export class ItsmChangeCiLinks1796700000000 implements MigrationInterface {
  name = 'ItsmChangeCiLinks1796700000000';

  async up(q: QueryRunner): Promise<void> {
    for (const sql of ciLinksSql('itsm', 'changes', 'change_cis')) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const sql of dropCiLinksSql('itsm', 'changes', 'change_cis')) await q.query(sql);
  }
}
