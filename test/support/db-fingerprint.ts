import { Client } from 'pg';
import { TEST_DATABASE_URL } from './env';

/**
 * Tables that change without a request writing anything on purpose: projections and inboxes
 * fed by events, the audit log (appended by a consumer), usage metering, failed-login counters,
 * and the outbox's published marks (its row count is still checked).
 */
const ASYNC_OR_BOOKKEEPING = new Set(['inbox', 'tenant_limits', 'audit_log', 'usage_daily', 'login_attempts', 'operator_login_attempts', 'migrations']);

/**
 * A fingerprint of every row of the platform's schemas (count and an order-free hash per
 * table), read as the owner (no row-level security), to prove that a refused request wrote
 * nothing anywhere.
 */
export class DbFingerprint {
  private sql = '';

  private constructor(private readonly db: Client) {}

  static async open(schemas: string[]): Promise<DbFingerprint> {
    const db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    const f = new DbFingerprint(db);
    const { rows } = await db.query<{ table_schema: string; table_name: string }>(
      `SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema = ANY($1) AND table_type = 'BASE TABLE' ORDER BY 1, 2`,
      [schemas],
    );
    const parts = rows
      .filter((r) => !ASYNC_OR_BOOKKEEPING.has(r.table_name))
      .map((r) => {
        const t = `"${r.table_schema}"."${r.table_name}"`;
        const hashed = r.table_name === 'outbox' ? `t.id::text` : `t::text`;
        return `'${r.table_schema}.${r.table_name}=' || (SELECT count(*) || ':' || coalesce(sum(hashtext(${hashed})::bigint), 0) FROM ${t} t)`;
      });
    f.sql = `SELECT ${parts.join(" || ' ' || ")} AS fp`;
    return f;
  }

  async take(): Promise<string> {
    const { rows } = await this.db.query<{ fp: string }>(this.sql);
    return rows[0].fp;
  }

  /** The tables whose fingerprint differs between two readings. */
  static diff(a: string, b: string): string[] {
    const before = new Map(a.split(' ').map((p) => p.split('=') as [string, string]));
    return b
      .split(' ')
      .map((p) => p.split('=') as [string, string])
      .filter(([k, v]) => before.get(k) !== v)
      .map(([k]) => k);
  }

  close(): Promise<void> {
    return this.db.end();
  }
}
