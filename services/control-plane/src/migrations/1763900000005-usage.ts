import { MigrationInterface, QueryRunner } from 'typeorm';

const S = 'control_plane';

/** Metered usage per tenant and UTC day (requests, counted by the gateways). */
export class ControlPlaneUsage1763900000005 implements MigrationInterface {
  name = 'ControlPlaneUsage1763900000005';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "${S}"."usage_daily" (
      tenant_id uuid NOT NULL,
      day date NOT NULL,
      requests bigint NOT NULL DEFAULT 0,
      PRIMARY KEY (tenant_id, day)
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS "${S}"."usage_daily"`);
  }
}
