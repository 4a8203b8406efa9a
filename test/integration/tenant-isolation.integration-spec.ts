import { Client } from 'pg';
import { appRoleOf, resolveAppUrl } from '@opsplane/db';
import { TEST_APP_PASSWORD, TEST_DATABASE_URL } from '../support/env';
import { TestPlatform, TestTenant } from '../support/platform';

describe('tenant isolation', () => {
  let p: TestPlatform;
  let a: TestTenant;
  let b: TestTenant;

  beforeAll(async () => {
    p = await TestPlatform.start();
    a = await p.tenant('Alpha');
    b = await p.tenant('Beta');
  });
  afterAll(async () => {
    await p.close();
  });

  describe('through every incident route', () => {
    it("a tenant cannot see, change, count or comment on another tenant's incidents, even by guessing ids and references", async () => {
      await a.incident({ title: 'alpha first' });
      const secret = await a.incident({ title: 'alpha secret outage', tags: ['alpha'] });
      expect(secret.reference).toBe('INC-00000002');
      await b.incident({ title: 'beta own' });

      for (const ref of [secret.id, secret.reference]) {
        expect((await b.call('GET', `/api/incidents/${ref}`)).status).toBe(404);
        expect((await b.call('PATCH', `/api/incidents/${ref}`, { body: { status: 'resolved' } })).status).toBe(404);
        expect((await b.call('PUT', `/api/incidents/${ref}`, { body: { title: 'pwned' } })).status).toBe(404);
        expect((await b.call('POST', `/api/incidents/${ref}/comments`, { body: { body: 'hi' } })).status).toBe(404);
        expect((await b.call('GET', `/api/incidents/${ref}/comments`)).status).toBe(404);
        expect((await b.call('GET', `/api/incidents/${ref}/timeline`)).status).toBe(404);
      }
      const listB = await b.call('GET', '/api/incidents?limit=500');
      expect(listB.body.data.total).toBe(1);
      expect((await a.call('GET', '/api/incidents')).body.data.total).toBe(2);
      expect(listB.body.data.items.map((i: { title: string }) => i.title)).toEqual(['beta own']);
      for (const qs of ['q=alpha', 'tag=alpha', `status=open`]) {
        const r = await b.call('GET', `/api/incidents?${qs}`);
        expect(r.body.data.items.some((i: { id: string }) => i.id === secret.id)).toBe(false);
      }
      // Both have their own INC-00000001: B's reference never resolves to A's row.
      expect((await b.call('GET', '/api/incidents/INC-00000001')).body.data.title).toBe('beta own');

      const unchanged = await a.call('GET', `/api/incidents/${secret.id}`);
      expect(unchanged.body.data).toMatchObject({ title: 'alpha secret outage', status: 'open' });
      expect((await a.call('GET', `/api/incidents/${secret.id}/timeline`)).body.data.total).toBe(1);
      expect((await a.call('GET', '/api/incidents/INC-00000001')).body.data.title).toBe('alpha first');
    });

    it("a credential of one tenant is refused with another tenant's x-tenant-id", async () => {
      const r = await p.call('GET', '/api/incidents', { token: a.owner.token, tenant: b.id });
      expect(r.status).toBe(403);
      const tok = (await a.call('POST', '/api/auth/tokens', { body: { name: 'a', permissions: ['read', 'write'] } })).body.data.token;
      expect((await p.call('POST', '/api/incidents', { token: tok, tenant: b.id, body: { title: 'cross' } })).status).toBe(403);
      expect((await b.call('GET', '/api/incidents?q=cross')).body.data.total).toBe(0);
      // B cannot see or revoke A's tokens either.
      const aTokens = (await a.call('GET', '/api/auth/tokens')).body.data.items as { id: string }[];
      const bTokens = (await b.call('GET', '/api/auth/tokens')).body.data.items as { id: string }[];
      expect(bTokens.some((x) => aTokens.some((y) => y.id === x.id))).toBe(false);
      expect((await b.call('DELETE', `/api/auth/tokens/${aTokens[0].id}`)).status).toBe(404);
    });
  });

  describe('row-level security in PostgreSQL', () => {
    const asApp = async (schema: string) => {
      const c = new Client({ connectionString: resolveAppUrl(TEST_DATABASE_URL, schema, TEST_APP_PASSWORD) });
      await c.connect();
      return c;
    };

    it.each([
      ['incidents', ['incidents', 'incident_timeline', 'incident_counters', 'outbox']],
      ['auth', ['users', 'organizations', 'refresh_tokens']],
    ])('the %s runtime role sees nothing without a tenant, and only its tenant with one', async (schema, tables) => {
      const owner = new Client({ connectionString: TEST_DATABASE_URL });
      await owner.connect();
      const c = await asApp(schema);
      try {
        const who = await c.query('SELECT current_user AS u, (SELECT rolbypassrls FROM pg_roles WHERE rolname = current_user) AS bypass');
        expect(who.rows[0]).toEqual({ u: appRoleOf(schema), bypass: false });
        for (const table of tables) {
          const total = await owner.query(`SELECT count(*)::int AS n FROM "${schema}"."${table}"`);
          expect(total.rows[0].n).toBeGreaterThan(0);
          const none = await c.query(`SELECT count(*)::int AS n FROM "${schema}"."${table}"`);
          expect({ table, n: none.rows[0].n }).toEqual({ table, n: 0 });
        }
        await c.query('BEGIN');
        await c.query(`SELECT set_config('app.tenant_id', $1, true)`, [a.id]);
        const own = await c.query(`SELECT DISTINCT tenant_id FROM "${schema}"."${tables[0]}"`);
        expect(own.rows.map((r) => r.tenant_id)).toEqual([a.id]);
        await c.query('COMMIT');
        // After the transaction the setting is gone again: fail closed.
        expect((await c.query(`SELECT count(*)::int AS n FROM "${schema}"."${tables[0]}"`)).rows[0].n).toBe(0);
      } finally {
        await c.end();
        await owner.end();
      }
    });

    it("the runtime role cannot write a row into another tenant, nor own the tables", async () => {
      const c = await asApp('incidents');
      try {
        await c.query('BEGIN');
        await c.query(`SELECT set_config('app.tenant_id', $1, true)`, [a.id]);
        await expect(
          c.query(
            `INSERT INTO incidents.incidents (id, tenant_id, number, title, status, priority_rank, created_at, updated_at)
             VALUES (gen_random_uuid(), $1, 999, 'smuggled', 'open', 3, now(), now())`,
            [b.id],
          ),
        ).rejects.toThrow(/row-level security/);
        await c.query('ROLLBACK');
        await c.query('BEGIN');
        await c.query(`SELECT set_config('app.tenant_id', $1, true)`, [a.id]);
        const moved = await c.query(`UPDATE incidents.incidents SET tenant_id = $1 RETURNING id`, [b.id]).catch((e: Error) => e);
        expect(moved).toBeInstanceOf(Error);
        await c.query('ROLLBACK');
        const owners = await c.query(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'incidents' AND tableowner = current_user`);
        expect(owners.rows[0].n).toBe(0);
        await expect(c.query('ALTER TABLE incidents.incidents DISABLE ROW LEVEL SECURITY')).rejects.toThrow(/must be owner/);
      } finally {
        await c.end();
      }
    });
  });
});
