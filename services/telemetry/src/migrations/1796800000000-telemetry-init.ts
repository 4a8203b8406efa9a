import { MigrationInterface, QueryRunner } from 'typeorm';
import { dropOutboxInboxSql, dropTenantFenceSql, idempotencyTableSql, outboxInboxSql, tenantFenceSql, tenantRlsSql } from '@opsplane/db';
import { tenantLimitsTableSql } from '@opsplane/runtime';

const S = 'telemetry';

/**
 * The telemetry schema. Log records and spans are partitioned by retention (LIST on `retention_days`, the tenant's
 * retention when the data arrived) and then by day (RANGE on the time), so that retention drops whole partitions,
 * never deletes rows. Partitions are made ahead and dropped by SECURITY DEFINER functions (the runtime role owns no
 * table). Resources (service.name, host.name, k8s.*, ...) are stored once per tenant and fingerprint; records point
 * at theirs. Row-level security on every table, as everywhere.
 */
export class TelemetryInit1796800000000 implements MigrationInterface {
  name = 'TelemetryInit1796800000000';

  async up(q: QueryRunner): Promise<void> {
    const statements = [
      `CREATE TABLE "${S}"."resources" (
        tenant_id uuid NOT NULL,
        fp bigint NOT NULL,
        service text NOT NULL,
        attributes jsonb NOT NULL,
        first_seen timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, fp)
      )`,
      `CREATE INDEX resources_attributes_idx ON "${S}"."resources" USING gin (attributes jsonb_path_ops)`,
      ...tenantRlsSql(S, 'resources'),
      `CREATE SEQUENCE "${S}"."record_seq" CACHE 1000`,
      `CREATE TABLE "${S}"."log_records" (
        tenant_id uuid NOT NULL,
        retention_days smallint NOT NULL,
        time timestamptz NOT NULL,
        seq bigint NOT NULL DEFAULT nextval('"${S}"."record_seq"'),
        observed_time timestamptz NOT NULL,
        service text NOT NULL,
        level smallint NOT NULL,
        severity_number smallint NOT NULL,
        severity_text text NOT NULL,
        body text NOT NULL,
        trace_id bytea,
        span_id bytea,
        scope text NOT NULL,
        attributes jsonb NOT NULL,
        resource_fp bigint NOT NULL
      ) PARTITION BY LIST (retention_days)`,
      `CREATE INDEX log_records_time_idx ON "${S}"."log_records" (tenant_id, time DESC, seq DESC)`,
      `CREATE INDEX log_records_service_idx ON "${S}"."log_records" (tenant_id, service, time DESC)`,
      `CREATE INDEX log_records_trace_idx ON "${S}"."log_records" (tenant_id, trace_id) WHERE trace_id IS NOT NULL`,
      ...tenantRlsSql(S, 'log_records'),
      `CREATE TABLE "${S}"."spans" (
        tenant_id uuid NOT NULL,
        retention_days smallint NOT NULL,
        start_time timestamptz NOT NULL,
        trace_id bytea NOT NULL,
        span_id bytea NOT NULL,
        parent_span_id bytea,
        service text NOT NULL,
        name text NOT NULL,
        kind smallint NOT NULL,
        duration_us bigint NOT NULL,
        status smallint NOT NULL,
        status_message text NOT NULL,
        scope text NOT NULL,
        attributes jsonb NOT NULL,
        events jsonb NOT NULL,
        links jsonb NOT NULL,
        resource_fp bigint NOT NULL
      ) PARTITION BY LIST (retention_days)`,
      `CREATE INDEX spans_trace_idx ON "${S}"."spans" (tenant_id, trace_id)`,
      // Trace summaries are listed from root spans.
      `CREATE INDEX spans_root_idx ON "${S}"."spans" (tenant_id, start_time DESC) WHERE parent_span_id IS NULL`,
      `CREATE INDEX spans_service_idx ON "${S}"."spans" (tenant_id, service, start_time DESC)`,
      ...tenantRlsSql(S, 'spans'),
      // The day partitions of one retention class, from `from_day` for `days` days (existing ones are left alone).
      `CREATE FUNCTION "${S}".ensure_partitions(retention smallint, from_day date, days integer) RETURNS void
         LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $fn$
       DECLARE
         t text;
         d date;
       BEGIN
         IF retention < 1 OR retention > 3660 OR days < 1 OR days > 400 THEN RAISE EXCEPTION 'bad partition request'; END IF;
         FOREACH t IN ARRAY ARRAY['log_records', 'spans'] LOOP
           EXECUTE format('CREATE TABLE IF NOT EXISTS "${S}".%I PARTITION OF "${S}".%I FOR VALUES IN (%s) PARTITION BY RANGE (%I)',
             t || '_r' || retention, t, retention, CASE t WHEN 'spans' THEN 'start_time' ELSE 'time' END);
           FOR i IN 0 .. days - 1 LOOP
             d := from_day + i;
             EXECUTE format('CREATE TABLE IF NOT EXISTS "${S}".%I PARTITION OF "${S}".%I FOR VALUES FROM (%L) TO (%L)',
               t || '_r' || retention || '_' || to_char(d, 'YYYYMMDD'), t || '_r' || retention, d::timestamp AT TIME ZONE 'UTC', (d + 1)::timestamp AT TIME ZONE 'UTC');
           END LOOP;
         END LOOP;
       END $fn$`,
      // Drops the day partitions whose whole day is older than their retention class allows; answers how many.
      `CREATE FUNCTION "${S}".drop_expired_partitions(today date) RETURNS integer
         LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $fn$
       DECLARE
         p record;
         n integer := 0;
       BEGIN
         FOR p IN
           SELECT c.relname, substring(c.relname from '_r([0-9]+)_[0-9]{8}$')::int AS retention, to_date(right(c.relname, 8), 'YYYYMMDD') AS day
             FROM pg_class c JOIN pg_namespace ns ON ns.oid = c.relnamespace
            WHERE ns.nspname = '${S}' AND c.relkind = 'r' AND c.relname ~ '^(log_records|spans)_r[0-9]+_[0-9]{8}$'
         LOOP
           IF p.day + p.retention < today THEN
             EXECUTE format('DROP TABLE "${S}".%I', p.relname);
             n := n + 1;
           END IF;
         END LOOP;
         RETURN n;
       END $fn$`,
      ...tenantLimitsTableSql(S),
      ...outboxInboxSql(S),
      ...idempotencyTableSql(S),
      ...tenantFenceSql(S),
    ];
    for (const sql of statements) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const sql of dropTenantFenceSql(S)) await q.query(sql);
    await q.query(`DROP TABLE IF EXISTS "${S}"."idempotency_keys"`);
    for (const sql of dropOutboxInboxSql(S)) await q.query(sql);
    await q.query(`DROP TABLE IF EXISTS "${S}"."tenant_limits"`);
    await q.query(`DROP FUNCTION IF EXISTS "${S}".drop_expired_partitions(date)`);
    await q.query(`DROP FUNCTION IF EXISTS "${S}".ensure_partitions(smallint, date, integer)`);
    for (const t of ['spans', 'log_records', 'resources']) await q.query(`DROP TABLE IF EXISTS "${S}"."${t}"`);
    await q.query(`DROP SEQUENCE IF EXISTS "${S}"."record_seq"`);
  }
}
