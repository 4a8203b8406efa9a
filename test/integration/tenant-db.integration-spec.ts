import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { asTenantId, outboxInboxSql, tenantFenceSql, TenantDb, tenantRlsSql } from '@opsplane/db';
import { TEST_DATABASE_URL } from '../support/env';

const SCHEMA = 'tenant_db_spec';

/**
 * The unit of work every service's tenant-owned rows go through, on the real PostgreSQL (a scratch schema): the
 * transaction starts with the tenant entered (row-level security sees its rows only), a failure rolls everything
 * back, a read-only unit cannot write and answers before its COMMIT, and a purged tenant is refused.
 */
describe('TenantDb units of work', () => {
  let db: Client;
  let ds: DataSource;
  let tenantDb: TenantDb;
  const a = asTenantId(randomUUID());
  const b = asTenantId(randomUUID());

  beforeAll(async () => {
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    await db.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    await db.query(`CREATE SCHEMA ${SCHEMA}`);
    for (const sql of [
      ...tenantFenceSql(SCHEMA),
      ...outboxInboxSql(SCHEMA),
      `CREATE TABLE ${SCHEMA}.notes (tenant_id uuid NOT NULL, body text NOT NULL)`,
      ...tenantRlsSql(SCHEMA, 'notes'),
      // The policy applies to this role (the table's owner would pass it): as the services' runtime role.
      `DROP ROLE IF EXISTS tenant_db_spec_app`,
      `CREATE ROLE tenant_db_spec_app LOGIN`,
      `GRANT USAGE ON SCHEMA ${SCHEMA} TO tenant_db_spec_app`,
      `GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA ${SCHEMA} TO tenant_db_spec_app`,
      `GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA ${SCHEMA} TO tenant_db_spec_app`,
    ])
      await db.query(sql);
    const url = new URL(TEST_DATABASE_URL);
    url.username = 'tenant_db_spec_app';
    url.password = '';
    ds = await new DataSource({ type: 'postgres', url: url.toString(), extra: { options: `-c search_path=${SCHEMA}` } }).initialize();
    tenantDb = new TenantDb(ds, SCHEMA);
    await db.query(`INSERT INTO ${SCHEMA}.notes VALUES ($1, 'a1'), ($2, 'b1')`, [a, b]);
  });
  afterAll(async () => {
    await ds.destroy();
    await db.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    await db.query(`DROP ROLE IF EXISTS tenant_db_spec_app`);
    await db.end();
  });

  const bodies = (rows: unknown) => (rows as { body: string }[]).map((r) => r.body).sort();

  it('sees and writes the tenant it entered only', async () => {
    expect(bodies(await tenantDb.run(a, (tx) => tx.query(`SELECT body FROM notes`)))).toEqual(['a1']);
    expect(bodies(await tenantDb.read(b, (tx) => tx.query(`SELECT body FROM notes`)))).toEqual(['b1']);
    await tenantDb.run(a, (tx) => tx.query(`INSERT INTO notes VALUES ($1, 'a2')`, [a]));
    await expect(tenantDb.run(a, (tx) => tx.query(`INSERT INTO notes VALUES ($1, 'sneaky')`, [b]))).rejects.toThrow(/row-level security/);
    expect(bodies((await db.query(`SELECT body FROM ${SCHEMA}.notes WHERE tenant_id = $1`, [b])).rows)).toEqual(['b1']);
  });

  it('rolls a failed unit back whole, and nested transactions keep their savepoints', async () => {
    await expect(
      tenantDb.run(a, async (tx) => {
        await tx.query(`INSERT INTO notes VALUES ($1, 'lost')`, [a]);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    await tenantDb.run(a, async (tx) => {
      await tx.query(`INSERT INTO notes VALUES ($1, 'kept')`, [a]);
      await tx
        .transaction(async (inner) => {
          await inner.query(`INSERT INTO notes VALUES ($1, 'inner')`, [a]);
          throw new Error('inner fails');
        })
        .catch(() => undefined);
    });
    expect(bodies((await db.query(`SELECT body FROM ${SCHEMA}.notes WHERE tenant_id = $1`, [a])).rows)).toEqual(['a1', 'a2', 'kept']);
  });

  it('refuses a write, an event or an audit entry in a read-only unit, and runs its afterCommit functions once committed', async () => {
    await expect(tenantDb.read(a, (tx) => tx.query(`INSERT INTO notes VALUES ($1, 'ro')`, [a]))).rejects.toThrow(/read-only transaction/);
    await expect(tenantDb.read(a, (tx) => tx.emit('incident.created.v1' as never, {} as never))).rejects.toThrow(/read-only unit/);
    let committed = false;
    await tenantDb.read(a, async (tx) => tx.afterCommit(() => (committed = true)));
    const deadline = Date.now() + 5000;
    while (!committed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(committed).toBe(true);
    expect(bodies((await db.query(`SELECT body FROM ${SCHEMA}.notes WHERE tenant_id = $1`, [a])).rows)).not.toContain('ro');
  });

  it('returns every connection to the pool, read-only units included (their COMMIT after the answer)', async () => {
    for (let i = 0; i < 50; i++) await Promise.all([tenantDb.read(a, (tx) => tx.query(`SELECT 1`)), tenantDb.run(b, (tx) => tx.query(`SELECT 1`))]);
    const pool = (ds.driver as unknown as { master: { totalCount: number; idleCount: number } }).master;
    const deadline = Date.now() + 5000;
    while (pool.idleCount !== pool.totalCount && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(pool.idleCount).toBe(pool.totalCount);
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE usename = 'tenant_db_spec_app' AND state LIKE 'idle in transaction%'`);
    expect(rows[0].n).toBe(0);
  });

  it('refuses a purged tenant, before any of its work runs', async () => {
    const gone = asTenantId(randomUUID());
    await tenantDb.purge(gone, async () => undefined);
    let ran = false;
    await expect(
      tenantDb.read(gone, async () => {
        ran = true;
      }),
    ).rejects.toMatchObject({ details: { tenant_gone: true } });
    await expect(tenantDb.run(gone, async () => (ran = true))).rejects.toMatchObject({ details: { tenant_gone: true } });
    expect(ran).toBe(false);
  });
});
