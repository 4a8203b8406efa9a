import { MigrationInterface, QueryRunner } from 'typeorm';
import { ciLinksSql, dropCiLinksSql } from '@opsplane/db';

/** The configuration items incidents name, as indexed rows (the CMDB's views ask for the open incidents on items; see ciLinksSql). */
export class IncidentsCiLinks1796700000000 implements MigrationInterface {
  name = 'IncidentsCiLinks1796700000000';

  async up(q: QueryRunner): Promise<void> {
    for (const sql of ciLinksSql('incidents', 'incidents', 'incident_cis')) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const sql of dropCiLinksSql('incidents', 'incidents', 'incident_cis')) await q.query(sql);
  }
}
