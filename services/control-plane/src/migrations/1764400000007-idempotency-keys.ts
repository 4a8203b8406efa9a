import { MigrationInterface, QueryRunner } from 'typeorm';
import { idempotencyTableSql } from '@opsplane/db';

const S = 'control_plane';

/** Idempotency-Key: the answers of creates, remembered for 24 hours (see libs/db idempotency.ts). */
export class ControlPlaneIdempotencyKeys1764400000007 implements MigrationInterface {
  name = 'ControlPlaneIdempotencyKeys1764400000007';

  async up(q: QueryRunner): Promise<void> {
    for (const sql of idempotencyTableSql(S, 'owner_id')) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS "${S}"."idempotency_keys"`);
  }
}
