import { MigrationInterface, QueryRunner } from 'typeorm';

const S = 'telemetry';

/**
 * Partitions made one writer at a time: two writers (threads of one replica, or replicas) creating the same day's
 * partition at once made one of them fail (CREATE TABLE IF NOT EXISTS is not safe against a concurrent create).
 */
export class TelemetryPartitionLock1796800000002 implements MigrationInterface {
  name = 'TelemetryPartitionLock1796800000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE OR REPLACE FUNCTION "${S}".ensure_partitions(retention smallint, from_day date, days integer) RETURNS void
         LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $fn$
       DECLARE
         t text;
         d date;
       BEGIN
         IF retention < 1 OR retention > 3660 OR days < 1 OR days > 400 THEN RAISE EXCEPTION 'bad partition request'; END IF;
         PERFORM pg_advisory_xact_lock(hashtext('${S}.ensure_partitions'));
         FOREACH t IN ARRAY ARRAY['log_records', 'spans'] LOOP
           EXECUTE format('CREATE TABLE IF NOT EXISTS "${S}".%I PARTITION OF "${S}".%I FOR VALUES IN (%s) PARTITION BY RANGE (%I)',
             t || '_r' || retention, t, retention, CASE t WHEN 'spans' THEN 'start_time' ELSE 'time' END);
           FOR i IN 0 .. days - 1 LOOP
             d := from_day + i;
             EXECUTE format('CREATE TABLE IF NOT EXISTS "${S}".%I PARTITION OF "${S}".%I FOR VALUES FROM (%L) TO (%L)',
               t || '_r' || retention || '_' || to_char(d, 'YYYYMMDD'), t || '_r' || retention, d::timestamp AT TIME ZONE 'UTC', (d + 1)::timestamp AT TIME ZONE 'UTC');
           END LOOP;
         END LOOP;
       END $fn$`);
  }

  async down(): Promise<void> {
    // The function without the lock is no better: left as it is.
  }
}
