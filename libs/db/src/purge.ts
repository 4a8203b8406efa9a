import { EntityManager } from 'typeorm';
import { TenantId } from './tenant-db';

/**
 * Deletes every row of a tenant in a service's schema: every table with a tenant_id column,
 * found in the catalogue (so a table added later is purged too), children before parents (a
 * DELETE that a foreign key refuses is retried after the others, under a savepoint). Runs in
 * the tenant's transaction, so row-level security keeps it to that tenant. Tables that refuse
 * deletes by design (append-only audit) allow it while `app.tenant_purge` is on.
 */
export async function purgeTenantRows(em: EntityManager, schema: string, tenant: TenantId): Promise<Record<string, number>> {
  await em.query(`SELECT set_config('app.tenant_purge', 'on', true)`);
  const tables = ((await em.query(
    // Partitions are emptied through their partitioned table.
    `SELECT c.table_name FROM information_schema.columns c
       JOIN pg_class t ON t.relname = c.table_name AND t.relnamespace = to_regnamespace(c.table_schema)
      WHERE c.table_schema = $1 AND c.column_name = 'tenant_id' AND NOT t.relispartition ORDER BY c.table_name`,
    [schema],
  )) as { table_name: string }[]).map((r) => r.table_name);
  const deleted: Record<string, number> = {};
  let pending = tables;
  while (pending.length) {
    const failed: string[] = [];
    for (const table of pending) {
      await em.query('SAVEPOINT purge_table');
      try {
        const r = (await em.query(`DELETE FROM "${schema}"."${table}" WHERE tenant_id = $1`, [tenant])) as [unknown[], number];
        deleted[table] = (deleted[table] ?? 0) + (Array.isArray(r) ? Number(r[1] ?? 0) : 0);
        await em.query('RELEASE SAVEPOINT purge_table');
      } catch (e) {
        await em.query('ROLLBACK TO SAVEPOINT purge_table');
        if ((e as { driverError?: { code?: string } }).driverError?.code !== '23503') throw e; // only a foreign key is worth a retry
        failed.push(table);
      }
    }
    if (failed.length === pending.length) throw new Error(`cannot purge ${schema}: ${failed.join(', ')} still referenced`);
    pending = failed;
  }
  return deleted;
}
