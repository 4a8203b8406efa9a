import { MigrationInterface, QueryRunner } from 'typeorm';
import { tenantRlsSql } from '@opsplane/db';

const S = 'incidents';

/**
 * Alerts into incidents: an incident's labels and alert counts, the alert (by fingerprint) each incident was opened
 * for, and the tenant's alert settings. One row per (tenant, fingerprint): two deliveries of a new alert cannot both
 * open an incident.
 */
export class IncidentsAlerts1796900000000 implements MigrationInterface {
  name = 'IncidentsAlerts1796900000000';

  async up(q: QueryRunner): Promise<void> {
    const statements = [
      `ALTER TABLE "${S}"."incidents" ADD COLUMN labels jsonb NOT NULL DEFAULT '{}'::jsonb`,
      `ALTER TABLE "${S}"."incidents" ADD COLUMN alert_count integer NOT NULL DEFAULT 0`,
      `ALTER TABLE "${S}"."incidents" ADD COLUMN last_alert_at timestamptz`,
      `CREATE TABLE "${S}"."alert_links" (
        tenant_id uuid NOT NULL,
        fingerprint text NOT NULL,
        incident_id uuid NOT NULL,
        status text NOT NULL CHECK (status IN ('firing', 'resolved')),
        starts_at timestamptz NOT NULL,
        ends_at timestamptz,
        first_seen_at timestamptz NOT NULL,
        last_seen_at timestamptz NOT NULL,
        PRIMARY KEY (tenant_id, fingerprint),
        FOREIGN KEY (tenant_id, incident_id) REFERENCES "${S}"."incidents" (tenant_id, id) ON DELETE CASCADE
      )`,
      `CREATE INDEX alert_links_incident_idx ON "${S}"."alert_links" (incident_id)`,
      ...tenantRlsSql(S, 'alert_links'),
      `CREATE TABLE "${S}"."alert_settings" (
        tenant_id uuid PRIMARY KEY,
        settings jsonb NOT NULL,
        updated_at timestamptz NOT NULL
      )`,
      ...tenantRlsSql(S, 'alert_settings'),
    ];
    for (const sql of statements) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['alert_settings', 'alert_links']) await q.query(`DROP TABLE IF EXISTS "${S}"."${t}"`);
    for (const c of ['last_alert_at', 'alert_count', 'labels']) await q.query(`ALTER TABLE "${S}"."incidents" DROP COLUMN IF EXISTS ${c}`);
  }
}
