import { MigrationInterface, QueryRunner } from 'typeorm';
import { idempotencyTableSql } from '@opsplane/db';

const S = 'incidents';

/** Idempotency-Key: the answers of creates, remembered for 24 hours (see libs/db idempotency.ts). */
export class IncidentsIdempotencyKeys1764400000004 implements MigrationInterface {
  name = 'IncidentsIdempotencyKeys1764400000004';

  async up(q: QueryRunner): Promise<void> {
    for (const sql of idempotencyTableSql(S)) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS "${S}"."idempotency_keys"`);
  }
}
