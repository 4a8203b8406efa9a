import { MigrationInterface, QueryRunner } from 'typeorm';
import { tenantRlsSql } from '@opsplane/db';

const S = 'telemetry';

/**
 * Metrics, in Prometheus' data model (OTLP metrics are translated to it on ingest). A series (its labels, `__name__`
 * included) is stored once per tenant under a 64-bit fingerprint; its samples are stored in chunks (`data`: the
 * compact encoding of services/telemetry/src/metrics/sample-chunk.ts, delta-of-delta times and XOR'd values), one
 * row per series and ingest batch, never crossing an hour; the compactor merges an hour's chunks of a series into one
 * once the hour is over (`metric_dirty` lists the hours written to since their last compaction). Chunks are
 * partitioned as log records are: retention class, then day, dropped whole.
 */
export class TelemetryMetrics1796800000003 implements MigrationInterface {
  name = 'TelemetryMetrics1796800000003';

  async up(q: QueryRunner): Promise<void> {
    const statements = [
      `CREATE TABLE "${S}"."metric_series" (
        tenant_id uuid NOT NULL,
        id bigint NOT NULL,
        name text NOT NULL,
        labels jsonb NOT NULL,
        retention_days smallint NOT NULL,
        first_seen timestamptz NOT NULL DEFAULT now(),
        last_day date NOT NULL,
        PRIMARY KEY (tenant_id, id)
      )`,
      `CREATE INDEX metric_series_name_idx ON "${S}"."metric_series" (tenant_id, name)`,
      `CREATE INDEX metric_series_labels_idx ON "${S}"."metric_series" USING gin (labels jsonb_path_ops)`,
      ...tenantRlsSql(S, 'metric_series'),
      `CREATE TABLE "${S}"."metric_chunks" (
        tenant_id uuid NOT NULL,
        retention_days smallint NOT NULL,
        series_id bigint NOT NULL,
        start_time timestamptz NOT NULL,
        end_time timestamptz NOT NULL,
        n integer NOT NULL,
        data bytea NOT NULL
      ) PARTITION BY LIST (retention_days)`,
      `CREATE INDEX metric_chunks_series_idx ON "${S}"."metric_chunks" (tenant_id, series_id, start_time)`,
      ...tenantRlsSql(S, 'metric_chunks'),
      `CREATE TABLE "${S}"."metric_dirty" (
        tenant_id uuid NOT NULL,
        retention_days smallint NOT NULL,
        hour timestamptz NOT NULL,
        marked_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        PRIMARY KEY (tenant_id, retention_days, hour)
      )`,
      ...tenantRlsSql(S, 'metric_dirty'),
      // The compactor's work list across tenants (each tenant's hours are then compacted in that tenant's transaction).
      `CREATE FUNCTION "${S}".metric_dirty_tenants(before timestamptz) RETURNS SETOF uuid
         LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $fn$
         SELECT DISTINCT tenant_id FROM "${S}".metric_dirty WHERE hour < before
       $fn$`,
      ...partitionFunctionsSql(['log_records', 'spans', 'metric_chunks']),
    ];
    for (const sql of statements) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const sql of partitionFunctionsSql(['log_records', 'spans'])) await q.query(sql);
    await q.query(`DROP FUNCTION IF EXISTS "${S}".metric_dirty_tenants(timestamptz)`);
    for (const t of ['metric_dirty', 'metric_chunks', 'metric_series']) await q.query(`DROP TABLE IF EXISTS "${S}"."${t}"`);
  }
}

const METRIC_CLEANUP = `
         DELETE FROM "${S}".metric_series WHERE last_day + retention_days < today;
         DELETE FROM "${S}".metric_dirty WHERE hour < (today - 400)::timestamp AT TIME ZONE 'UTC';`;

/** The partition functions over `tables` (the day partitions of a retention class made ahead; expired ones dropped). */
function partitionFunctionsSql(tables: string[]): string[] {
  return [
    `CREATE OR REPLACE FUNCTION "${S}".ensure_partitions(retention smallint, from_day date, days integer) RETURNS void
         LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $fn$
       DECLARE
         t text;
         d date;
       BEGIN
         IF retention < 1 OR retention > 3660 OR days < 1 OR days > 400 THEN RAISE EXCEPTION 'bad partition request'; END IF;
         PERFORM pg_advisory_xact_lock(hashtext('${S}.ensure_partitions'));
         FOREACH t IN ARRAY ARRAY[${tables.map((t) => `'${t}'`).join(', ')}] LOOP
           EXECUTE format('CREATE TABLE IF NOT EXISTS "${S}".%I PARTITION OF "${S}".%I FOR VALUES IN (%s) PARTITION BY RANGE (%I)',
             t || '_r' || retention, t, retention, CASE t WHEN 'log_records' THEN 'time' ELSE 'start_time' END);
           FOR i IN 0 .. days - 1 LOOP
             d := from_day + i;
             EXECUTE format('CREATE TABLE IF NOT EXISTS "${S}".%I PARTITION OF "${S}".%I FOR VALUES FROM (%L) TO (%L)',
               t || '_r' || retention || '_' || to_char(d, 'YYYYMMDD'), t || '_r' || retention, d::timestamp AT TIME ZONE 'UTC', (d + 1)::timestamp AT TIME ZONE 'UTC');
           END LOOP;
         END LOOP;
       END $fn$`,
      // Expired day partitions dropped, and the series not written to within their retention deleted.
    `CREATE OR REPLACE FUNCTION "${S}".drop_expired_partitions(today date) RETURNS integer
         LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $fn$
       DECLARE
         p record;
         n integer := 0;
       BEGIN
         FOR p IN
           SELECT c.relname, substring(c.relname from '_r([0-9]+)_[0-9]{8}$')::int AS retention, to_date(right(c.relname, 8), 'YYYYMMDD') AS day
             FROM pg_class c JOIN pg_namespace ns ON ns.oid = c.relnamespace
            WHERE ns.nspname = '${S}' AND c.relkind = 'r' AND c.relname ~ '^(${tables.join('|')})_r[0-9]+_[0-9]{8}$'
         LOOP
           IF p.day + p.retention < today THEN
             EXECUTE format('DROP TABLE "${S}".%I', p.relname);
             n := n + 1;
           END IF;
         END LOOP;
${tables.includes('metric_chunks') ? METRIC_CLEANUP : ''}         RETURN n;
       END $fn$`,
  ];
}
