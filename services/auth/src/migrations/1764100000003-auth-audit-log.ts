import { MigrationInterface, QueryRunner } from 'typeorm';
import { tenantRlsSql } from '@opsplane/db';

const S = 'auth';

/**
 * The tenant-plane audit log (issue 3): one row per `audit.entry.recorded.v1` event (id = the
 * event id, so a redelivery inserts nothing). Append-only: a trigger refuses UPDATE, DELETE and
 * TRUNCATE for every role, the owner included (only a tenant purge may delete a deleted tenant's
 * rows). No foreign key to the organization on purpose: a
 * cascade would be a delete.
 */
export class AuthAuditLog1764100000003 implements MigrationInterface {
  name = 'AuthAuditLog1764100000003';

  async up(q: QueryRunner): Promise<void> {
    const statements = [
      `CREATE TABLE "${S}"."audit_log" (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        action text NOT NULL,
        resource_type text NOT NULL,
        resource_id text NOT NULL,
        actor_id uuid,
        actor_email text,
        actor_type text NOT NULL CHECK (actor_type IN ('user','api_token','system')),
        token_id uuid,
        before jsonb,
        after jsonb,
        trace_id text,
        occurred_at timestamptz NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`,
      `CREATE INDEX audit_log_tenant_time_idx ON "${S}"."audit_log" (tenant_id, occurred_at DESC, id DESC)`,
      `CREATE INDEX audit_log_action_idx ON "${S}"."audit_log" (tenant_id, action, occurred_at DESC)`,
      `CREATE INDEX audit_log_resource_idx ON "${S}"."audit_log" (tenant_id, resource_type, resource_id, occurred_at DESC)`,
      `CREATE INDEX audit_log_actor_idx ON "${S}"."audit_log" (tenant_id, actor_id, occurred_at DESC)`,
      ...tenantRlsSql(S, 'audit_log'),
      // The one exception: deleting a whole tenant (purgeTenantRows sets app.tenant_purge in that transaction).
      `CREATE FUNCTION "${S}".audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
        IF TG_OP = 'DELETE' AND current_setting('app.tenant_purge', true) = 'on' THEN RETURN OLD; END IF;
        RAISE EXCEPTION 'the audit log is append-only';
      END $$`,
      `CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON "${S}"."audit_log" FOR EACH ROW EXECUTE FUNCTION "${S}".audit_log_append_only()`,
      `CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON "${S}"."audit_log" FOR EACH STATEMENT EXECUTE FUNCTION "${S}".audit_log_append_only()`,
    ];
    for (const sql of statements) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS "${S}"."audit_log"`);
    await q.query(`DROP FUNCTION IF EXISTS "${S}".audit_log_append_only()`);
  }
}
