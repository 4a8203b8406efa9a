import { MigrationInterface, QueryRunner } from 'typeorm';

const S = 'control_plane';

/** The built-in plans' telemetry retention (days): free 3, team 14, enterprise 30. */
export class ControlPlaneTelemetryRetention1796800000000 implements MigrationInterface {
  name = 'ControlPlaneTelemetryRetention1796800000000';

  async up(q: QueryRunner): Promise<void> {
    for (const [plan, days] of [
      ['free', 3],
      ['team', 14],
      ['enterprise', 30],
    ] as const) {
      await q.query(`UPDATE "${S}"."plans" SET limits = limits || jsonb_build_object('telemetry_retention_days', $2::int) WHERE name = $1 AND NOT limits ? 'telemetry_retention_days'`, [plan, days]);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`UPDATE "${S}"."plans" SET limits = limits - 'telemetry_retention_days'`);
  }
}
