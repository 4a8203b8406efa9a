import { MigrationInterface, QueryRunner } from 'typeorm';
import { dropOutboxInboxSql, outboxInboxSql } from '@opsplane/db';

const S = 'control_plane';

/**
 * Control-plane tables are the platform's own (operators, plans, the tenant registry, the CP
 * audit): no tenant reads them, so they carry no tenant policy; only the control-plane service's
 * role can reach this schema.
 */
export class ControlPlaneInit1763900000002 implements MigrationInterface {
  name = 'ControlPlaneInit1763900000002';

  async up(q: QueryRunner): Promise<void> {
    const unlimited = 'null';
    const statements = [
      `CREATE TABLE "${S}"."operators" (
        id uuid PRIMARY KEY,
        email text NOT NULL UNIQUE,
        name text NOT NULL DEFAULT '',
        password_hash text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_login_at timestamptz
      )`,
      `CREATE TABLE "${S}"."plans" (
        name text PRIMARY KEY,
        description text NOT NULL DEFAULT '',
        limits jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`,
      `INSERT INTO "${S}"."plans" (name, description, limits) VALUES
        ('free', 'For trying Opsplane out', '{"users": 5, "incidents_per_month": 200, "api_requests_per_minute": 600, "ai_scans_per_user_per_day": 5, "telemetry_bytes_per_day": 104857600}'),
        ('team', 'For a team in production', '{"users": 50, "incidents_per_month": 10000, "api_requests_per_minute": 3000, "ai_scans_per_user_per_day": 5, "telemetry_bytes_per_day": 10737418240}'),
        ('enterprise', 'No fixed limits', '{"users": ${unlimited}, "incidents_per_month": ${unlimited}, "api_requests_per_minute": 20000, "ai_scans_per_user_per_day": 50, "telemetry_bytes_per_day": ${unlimited}}')`,
      `CREATE TABLE "${S}"."tenants" (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        slug text NOT NULL UNIQUE,
        status text NOT NULL CHECK (status IN ('provisioning','active','suspended','deleting','deleted')),
        plan text NOT NULL REFERENCES "${S}"."plans"(name),
        overrides jsonb NOT NULL DEFAULT '{}'::jsonb,
        settings jsonb NOT NULL DEFAULT '{}'::jsonb,
        owner_email text NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        suspended_at timestamptz
      )`,
      `CREATE INDEX tenants_status_idx ON "${S}"."tenants" (status)`,
      `CREATE TABLE "${S}"."audit" (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        operator_id uuid,
        operator_email text,
        action text NOT NULL,
        target_type text NOT NULL,
        target_id text,
        before jsonb,
        after jsonb,
        trace_id text,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`,
      `CREATE INDEX audit_created_idx ON "${S}"."audit" (created_at DESC)`,
      // The CP audit is append-only, even for the service's own role.
      `CREATE FUNCTION "${S}".audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'the control-plane audit is append-only'; END $$`,
      `CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON "${S}"."audit" FOR EACH ROW EXECUTE FUNCTION "${S}".audit_append_only()`,
      ...outboxInboxSql(S),
    ];
    for (const sql of statements) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const sql of dropOutboxInboxSql(S)) await q.query(sql);
    for (const t of ['audit', 'tenants', 'plans', 'operators']) await q.query(`DROP TABLE IF EXISTS "${S}"."${t}"`);
    await q.query(`DROP FUNCTION IF EXISTS "${S}".audit_append_only()`);
  }
}

