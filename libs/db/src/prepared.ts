import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';

/** What this needs of node-pg's client: a query by config (a named statement). */
interface PgClient {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

/** Statement names by text (a name is the text's hash, so one text always has one name on every connection). */
const names = new Map<string, string>();

function nameOf(text: string): string {
  let name = names.get(text);
  if (!name) {
    name = `opsplane_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
    if (names.size < 10_000) names.set(text, name);
  }
  return name;
}

/**
 * Runs `text` as a named prepared statement on the connection of `em`'s transaction: PostgreSQL parses and plans it
 * once per connection (then chooses between a generic and a custom plan itself), where an unnamed statement is
 * planned on every call; for the hot read paths whose planning (partition pruning over many partitions) costs more
 * than their execution. Only for statements whose text is fixed (parameters in `values`, never interpolated input).
 * Needs a transaction's manager (TenantDb.run gives one); answers the rows.
 */
export async function queryPrepared<T>(em: EntityManager, text: string, values: unknown[]): Promise<T[]> {
  const runner = em.queryRunner;
  if (!runner || runner.isReleased) throw new Error('queryPrepared needs the manager of a transaction');
  const client = (await runner.connect()) as PgClient;
  const res = await client.query({ name: nameOf(text), text, values });
  return res.rows as T[];
}
