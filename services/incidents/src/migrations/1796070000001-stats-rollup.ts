import { MigrationInterface, QueryRunner } from 'typeorm';
import { tenantRlsSql } from '@opsplane/db';

const S = 'incidents';

/**
 * A per-day rollup of what the organization stats average over 30 and 90 days, kept by a trigger on `incidents`, so the
 * stats read at most 91 small rows (plus the raw rows of the partial day at each window's edge) instead of every
 * incident resolved or started in the window:
 * - by the UTC day of `resolved_at`: the incidents resolved, their hours from creation and from detection to resolution;
 * - by the UTC day of the start (triggered, else opened, else created): the critical and high incidents started.
 * Every insert, delete, or update of one of those columns takes the row's old contribution off and adds its new one,
 * so reopening, re-resolving, a new priority or a corrected timestamp keep the sums exact. Eight slots per day, chosen by
 * the database connection (a contribution may be taken off in another slot than it was added: only the sums count),
 * keep concurrent writers of one tenant from queueing on one row, and make two writers' locks meet seldom. A tenant purge deletes the
 * rollup with everything else and the trigger stays out of its way (`app.tenant_purge`).
 */
export class IncidentsStatsRollup1796070000001 implements MigrationInterface {
  name = 'IncidentsStatsRollup1796070000001';

  async up(q: QueryRunner): Promise<void> {
    const statements = [
      `CREATE TABLE "${S}"."incident_daily_stats" (
        tenant_id uuid NOT NULL,
        day date NOT NULL,
        slot smallint NOT NULL,
        resolved integer NOT NULL DEFAULT 0,
        resolution_s double precision NOT NULL DEFAULT 0,
        restore_s double precision NOT NULL DEFAULT 0,
        major_starts integer NOT NULL DEFAULT 0,
        PRIMARY KEY (tenant_id, day, slot)
      )`,
      `CREATE FUNCTION "${S}".incident_stats_add(r "${S}"."incidents", sign integer) RETURNS void LANGUAGE plpgsql AS $fn$
       DECLARE
         v_slot smallint := (pg_backend_pid() & 7)::smallint;
         v_started timestamptz := COALESCE(r.triggered_at, r.opened_at, r.created_at);
       BEGIN
         IF r.resolved_at IS NOT NULL THEN
           INSERT INTO "${S}"."incident_daily_stats" AS s (tenant_id, day, slot, resolved, resolution_s, restore_s)
           VALUES (r.tenant_id, (r.resolved_at AT TIME ZONE 'UTC')::date, v_slot, sign,
                   sign * extract(epoch FROM r.resolved_at - r.created_at)::float8,
                   sign * extract(epoch FROM r.resolved_at - v_started)::float8)
           ON CONFLICT (tenant_id, day, slot) DO UPDATE
             SET resolved = s.resolved + EXCLUDED.resolved,
                 resolution_s = s.resolution_s + EXCLUDED.resolution_s,
                 restore_s = s.restore_s + EXCLUDED.restore_s;
         END IF;
         IF r.priority_rank <= 2 THEN
           INSERT INTO "${S}"."incident_daily_stats" AS s (tenant_id, day, slot, major_starts)
           VALUES (r.tenant_id, (v_started AT TIME ZONE 'UTC')::date, v_slot, sign)
           ON CONFLICT (tenant_id, day, slot) DO UPDATE SET major_starts = s.major_starts + EXCLUDED.major_starts;
         END IF;
       END $fn$`,
      `CREATE FUNCTION "${S}".incident_stats_trigger() RETURNS trigger LANGUAGE plpgsql AS $fn$
       BEGIN
         IF current_setting('app.tenant_purge', true) = 'on' THEN RETURN NULL; END IF;
         IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM "${S}".incident_stats_add(OLD, -1); END IF;
         IF TG_OP IN ('UPDATE', 'INSERT') THEN PERFORM "${S}".incident_stats_add(NEW, 1); END IF;
         RETURN NULL;
       END $fn$`,
      `CREATE TRIGGER incident_stats_insert_delete AFTER INSERT OR DELETE ON "${S}"."incidents"
         FOR EACH ROW EXECUTE FUNCTION "${S}".incident_stats_trigger()`,
      `CREATE TRIGGER incident_stats_update AFTER UPDATE ON "${S}"."incidents" FOR EACH ROW
         WHEN (OLD.resolved_at IS DISTINCT FROM NEW.resolved_at OR OLD.created_at IS DISTINCT FROM NEW.created_at
               OR OLD.opened_at IS DISTINCT FROM NEW.opened_at OR OLD.triggered_at IS DISTINCT FROM NEW.triggered_at
               OR OLD.priority_rank IS DISTINCT FROM NEW.priority_rank OR OLD.tenant_id IS DISTINCT FROM NEW.tenant_id)
         EXECUTE FUNCTION "${S}".incident_stats_trigger()`,
      // The incidents already there (before row-level security is on: the migration sees every tenant's).
      `INSERT INTO "${S}"."incident_daily_stats" (tenant_id, day, slot, resolved, resolution_s, restore_s, major_starts)
       SELECT tenant_id, day, slot, sum(resolved), sum(resolution_s), sum(restore_s), sum(major_starts) FROM (
         SELECT tenant_id, (resolved_at AT TIME ZONE 'UTC')::date AS day, 0::smallint AS slot, 1 AS resolved,
                extract(epoch FROM resolved_at - created_at)::float8 AS resolution_s,
                extract(epoch FROM resolved_at - COALESCE(triggered_at, opened_at, created_at))::float8 AS restore_s, 0 AS major_starts
           FROM "${S}"."incidents" WHERE resolved_at IS NOT NULL
         UNION ALL
         SELECT tenant_id, (COALESCE(triggered_at, opened_at, created_at) AT TIME ZONE 'UTC')::date, 0::smallint, 0, 0, 0, 1
           FROM "${S}"."incidents" WHERE priority_rank <= 2
       ) contributions GROUP BY tenant_id, day, slot`,
      ...tenantRlsSql(S, 'incident_daily_stats'),
      // When an incident started, as a column: a condition on it bounds an index scan also under row-level security
      // (a condition on the COALESCE expression is not leakproof, so it would only filter after the tenant's rows).
      `ALTER TABLE "${S}"."incidents" ADD COLUMN started_at timestamptz GENERATED ALWAYS AS (COALESCE(triggered_at, opened_at, created_at)) STORED`,
      // MTBF needs the number of critical and high starts at the window's first day, and its first and last start.
      `CREATE INDEX incidents_major_starts_idx ON "${S}"."incidents" (tenant_id, started_at) WHERE priority_rank <= 2`,
      `DROP INDEX IF EXISTS "${S}"."incidents_starts_stats_idx"`,
    ];
    for (const sql of statements) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX IF NOT EXISTS incidents_starts_stats_idx ON "${S}"."incidents" (tenant_id, priority_rank, created_at) INCLUDE (triggered_at, opened_at)`);
    await q.query(`DROP INDEX IF EXISTS "${S}"."incidents_major_starts_idx"`);
    await q.query(`ALTER TABLE "${S}"."incidents" DROP COLUMN IF EXISTS started_at`);
    await q.query(`DROP TRIGGER IF EXISTS incident_stats_update ON "${S}"."incidents"`);
    await q.query(`DROP TRIGGER IF EXISTS incident_stats_insert_delete ON "${S}"."incidents"`);
    await q.query(`DROP FUNCTION IF EXISTS "${S}".incident_stats_trigger()`);
    await q.query(`DROP FUNCTION IF EXISTS "${S}".incident_stats_add("${S}"."incidents", integer)`);
    await q.query(`DROP TABLE IF EXISTS "${S}"."incident_daily_stats"`);
  }
}
