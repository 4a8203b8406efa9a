import { MigrationInterface, QueryRunner } from 'typeorm';
import { tenantRlsSql } from '@opsplane/db';

const S = 'telemetry';

/** Each tenant's telemetry volume per UTC day (the bytes the gateway queued), against the plan's telemetry_bytes_per_day. */
export class TelemetryUsage1796800000001 implements MigrationInterface {
  name = 'TelemetryUsage1796800000001';

  async up(q: QueryRunner): Promise<void> {
    const statements = [
      `CREATE TABLE "${S}"."telemetry_usage" (
        tenant_id uuid NOT NULL,
        day date NOT NULL,
        bytes bigint NOT NULL,
        PRIMARY KEY (tenant_id, day)
      )`,
      ...tenantRlsSql(S, 'telemetry_usage'),
    ];
    for (const sql of statements) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS "${S}"."telemetry_usage"`);
  }
}
