import { MigrationInterface, QueryRunner } from 'typeorm';

const S = 'control_plane';

/** Failed operator logins per e-mail, for the same throttling as the tenant login. */
export class ControlPlaneOperatorLoginAttempts1764300000006 implements MigrationInterface {
  name = 'ControlPlaneOperatorLoginAttempts1764300000006';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "${S}"."operator_login_attempts" (
      email text PRIMARY KEY,
      failures integer NOT NULL DEFAULT 0,
      last_failure_at timestamptz NOT NULL,
      locked_until timestamptz
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS "${S}"."operator_login_attempts"`);
  }
}
