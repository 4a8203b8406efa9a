import { MigrationInterface, QueryRunner } from 'typeorm';

const S = 'incidents';

/** Narrow indexes the organization stats read instead of the table (index-only scans). */
export class IncidentsStatsIndexes1796050000000 implements MigrationInterface {
  name = 'IncidentsStatsIndexes1796050000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX incidents_open_stats_idx ON "${S}"."incidents" (tenant_id) INCLUDE (priority_rank, created_at) WHERE status NOT IN ('resolved', 'closed')`);
    await q.query(`CREATE INDEX incidents_resolved_stats_idx ON "${S}"."incidents" (tenant_id, resolved_at) INCLUDE (created_at, opened_at, triggered_at, priority_rank) WHERE resolved_at IS NOT NULL`);
    await q.query(`CREATE INDEX incidents_starts_stats_idx ON "${S}"."incidents" (tenant_id, priority_rank, created_at) INCLUDE (triggered_at, opened_at)`);
    await q.query(`CREATE INDEX problems_status_idx ON "${S}"."problems" (tenant_id, status)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const i of ['incidents_open_stats_idx', 'incidents_resolved_stats_idx', 'incidents_starts_stats_idx', 'problems_status_idx']) await q.query(`DROP INDEX IF EXISTS "${S}"."${i}"`);
  }
}
