import { MigrationInterface, QueryRunner } from 'typeorm';
import { idempotencyTableSql } from '@opsplane/db';

const S = 'auth';

/** Idempotency-Key: the answers of creates, remembered for 24 hours (see libs/db idempotency.ts). */
export class AuthIdempotencyKeys1764400000005 implements MigrationInterface {
  name = 'AuthIdempotencyKeys1764400000005';

  async up(q: QueryRunner): Promise<void> {
    for (const sql of idempotencyTableSql(S)) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS "${S}"."idempotency_keys"`);
  }
}
