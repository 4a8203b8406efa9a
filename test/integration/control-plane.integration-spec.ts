import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { Client } from 'pg';
import { TEST_DATABASE_URL, TEST_OPERATOR } from '../support/env';
import { TestPlatform } from '../support/platform';
import { hashPassword } from '@opsplane/crypto';
import { legacyScryptHash } from '../support/legacy-hash';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 8000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > until) return v;
    await sleep(100);
  }
}

/** A platform with the test operator logged in (one per describe block). */
async function startWithOperator(env: Record<string, string> = {}): Promise<{ p: TestPlatform; op: string }> {
  const p = await TestPlatform.start(env);
  const r = await p.call('POST', '/cp/api/auth/token', { body: TEST_OPERATOR });
  if (r.status !== 200) throw new Error(`operator login failed: ${r.status} ${JSON.stringify(r.body)}`);
  return { p, op: r.body.data.token };
}

describe('control plane', () => {
  let p: TestPlatform;
  let op: string;

  beforeAll(async () => ({ p, op } = await startWithOperator({ CP_HOST: 'cp.opsplane.test' })));
  afterAll(() => p.close());

  const cp = (method: string, path: string, body?: unknown) => p.call(method, `/cp/api${path}`, { token: op, body });
  const newTenant = async (extra: Record<string, unknown> = {}) => {
    const owner = { email: `owner-${randomUUID().slice(0, 8)}@example.com`, password: `pw-${randomUUID()}` };
    const r = await cp('POST', '/tenants', { name: 'Globex Corp', owner_email: owner.email, owner_password: owner.password, ...extra });
    expect(r.status).toBe(201);
    return { tenant: r.body.data, owner };
  };
  const login = (tenant: string, o: { email: string; password: string }) => p.call('POST', '/api/auth/token', { tenant, body: o });

  describe('operators and plane separation', () => {
    it('logs operators in, and refuses wrong passwords alike', async () => {
      const bad = await p.call('POST', '/cp/api/auth/token', { body: { ...TEST_OPERATOR, password: 'wrong-password' } });
      const unknown = await p.call('POST', '/cp/api/auth/token', { body: { email: 'nobody@example.com', password: 'wrong-password' } });
      for (const r of [bad, unknown]) expect(r.body).toMatchObject({ code: 'UNAUTHORIZED', error: 'Invalid email or password' });
    });

    it('throttles repeated failed operator logins with 429 and Retry-After, even for the right password', async () => {
      const db = new Client({ connectionString: TEST_DATABASE_URL });
      await db.connect();
      const email = `second-operator-${randomUUID().slice(0, 8)}@example.com`;
      const password = 'second-operator-password';
      try {
        await db.query(`INSERT INTO control_plane.operators (id, email, name, password_hash) VALUES ($1, $2, 'Second', $3)`, [randomUUID(), email, await hashPassword(password)]);
      } finally {
        await db.end();
      }
      for (let i = 0; i < 5; i++) {
        const r = await p.call('POST', '/cp/api/auth/token', { body: { email, password: `wrong-${i}` } });
        expect(r.status).toBe(401);
      }
      const blocked = await p.call('POST', '/cp/api/auth/token', { body: { email, password } });
      expect(blocked.status).toBe(429);
      expect(blocked.body.code).toBe('RATE_LIMIT');
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      // Unknown addresses are throttled the same way (no way to tell them apart), and other operators are not affected.
      const ghost = `ghost-${randomUUID().slice(0, 8)}@example.com`;
      const answers: number[] = [];
      for (let i = 0; i < 7; i++) answers.push((await p.call('POST', '/cp/api/auth/token', { body: { email: ghost, password: 'wrong-password' } })).status);
      expect(answers).toEqual([401, 401, 401, 401, 401, 429, 429]);
      expect((await p.call('POST', '/cp/api/auth/token', { body: TEST_OPERATOR })).status).toBe(200);
    });

    it("replaces an operator's old scrypt password hash with argon2id at the next successful login", async () => {
      const db = new Client({ connectionString: TEST_DATABASE_URL });
      await db.connect();
      try {
        const email = `legacy-operator-${randomUUID().slice(0, 8)}@example.com`;
        const id = randomUUID();
        await db.query(`INSERT INTO control_plane.operators (id, email, name, password_hash) VALUES ($1, $2, 'Legacy', $3)`, [id, email, legacyScryptHash('legacy-operator-pw')]);
        const r = await p.call('POST', '/cp/api/auth/token', { body: { email, password: 'legacy-operator-pw' } });
        expect(r.status).toBe(200);
        const { rows } = await db.query(`SELECT password_hash FROM control_plane.operators WHERE id = $1`, [id]);
        expect(rows[0].password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
        expect((await p.call('POST', '/cp/api/auth/token', { body: { email, password: 'legacy-operator-pw' } })).status).toBe(200);
      } finally {
        await db.end();
      }
    });

    it('never accepts a tenant token on the control plane, nor an operator token on the tenant plane', async () => {
      const t = await p.tenant();
      const asTenantOwner = await p.call('GET', '/cp/api/tenants', { token: t.owner.token, tenant: t.id });
      expect(asTenantOwner.status).toBe(401);
      const apiToken = (await t.call('POST', '/api/auth/tokens', { body: { name: 'x', permissions: ['read', 'write'] } })).body.data.token;
      expect((await p.call('GET', '/cp/api/tenants', { token: apiToken })).status).toBe(401);
      expect((await p.call('GET', '/api/incidents', { token: op })).status).toBe(401);
      expect((await p.call('GET', '/api/incidents', { token: op, tenant: t.id })).status).toBe(401);
      expect((await p.call('GET', '/cp/api/tenants')).status).toBe(401);
    });

    it('serves the control plane at /api on the CP host', async () => {
      // fetch cannot set Host; a plain HTTP request can.
      const get = (host: string) =>
        new Promise<{ status: number; body: any }>((resolve, reject) => {
          const u = new URL(`${p.url}/api/plans`);
          const req = request({ host: u.hostname, port: u.port, path: u.pathname, headers: { host, authorization: `Bearer ${op}` } }, (res) => {
            let data = '';
            res.on('data', (c) => (data += c));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(data) }));
          });
          req.on('error', reject);
          req.end();
        });
      const r = await get('cp.opsplane.test:443');
      expect(r.status).toBe(200);
      expect(r.body.data.items.map((x: { name: string }) => x.name)).toEqual(expect.arrayContaining(['free', 'team', 'enterprise']));
      // The same path on the tenant host is the tenant plane, where an operator token is refused.
      expect((await get('app.opsplane.test')).status).toBe(404);
    });
  });

  describe('tenants', () => {
    it('provisions a tenant whose owner can log in when the call returns', async () => {
      const { tenant, owner } = await newTenant({ plan: 'team', slug: `globex-${randomUUID().slice(0, 6)}` });
      expect(tenant).toMatchObject({ name: 'Globex Corp', status: 'active', plan: 'team', owner_email: owner.email });
      expect(tenant.limits).toMatchObject({ users: 50, ai_scans_per_user_per_day: 5 });
      const l = await login(tenant.id, owner);
      expect(l.status).toBe(200);
      expect(l.body.data.user.role).toBe('owner');
      const { owner_invitation, ...created } = tenant;
      expect(owner_invitation).toBeNull();
      const got = await cp('GET', `/tenants/${tenant.id}`);
      expect(got.body.data).toEqual(created);
    });

    it('invites the owner when no password is given: the token is shown once and sets up the owner', async () => {
      const email = `invited-owner-${randomUUID().slice(0, 8)}@example.com`;
      const r = await cp('POST', '/tenants', { name: 'Invited Inc', owner_email: email });
      expect(r.status).toBe(201);
      const inv = r.body.data.owner_invitation;
      expect(inv).toMatchObject({ email, accept_url: '/api/team/invitations/accept' });
      expect(inv.token).toMatch(/^ops_inv_/);
      expect((await login(r.body.data.id, { email, password: 'owner-chosen-password' })).status).toBe(401);
      const accepted = await p.call('POST', '/api/team/invitations/accept', { body: { token: inv.token, password: 'owner-chosen-password' } });
      expect(accepted.status).toBe(201);
      expect(accepted.body.data.user.role).toBe('owner');
      const l = await login(r.body.data.id, { email, password: 'owner-chosen-password' });
      expect(l.status).toBe(200);
      expect((await p.call('POST', '/api/team/invitations/accept', { body: { token: inv.token, password: 'again-password' } })).status).toBe(401);
      expect((await cp('GET', `/tenants/${r.body.data.id}`)).body.data.owner_invitation).toBeUndefined();
    });

    it('rejects bad input with 422 or 409 and writes nothing', async () => {
      const before = (await cp('GET', '/tenants?limit=1')).body.data.total;
      const bad = await cp('POST', '/tenants', { name: '', owner_email: 'nope', owner_password: 'short', slug: 'Not A Slug' });
      expect(bad.status).toBe(422);
      expect([...new Set(bad.body.details.map((d: { field: string }) => d.field))].sort()).toEqual(['name', 'owner_email', 'owner_password', 'slug']);
      const unknownPlan = await cp('POST', '/tenants', { name: 'x', owner_email: 'a@example.com', owner_password: 'long-enough-1', plan: 'platinum' });
      expect(unknownPlan.status).toBe(422);
      const { tenant } = await newTenant();
      const dup = await cp('POST', '/tenants', { name: 'again', slug: tenant.slug, owner_email: 'b@example.com', owner_password: 'long-enough-1' });
      expect(dup.status).toBe(409);
      expect((await cp('GET', '/tenants?limit=1')).body.data.total).toBe(before + 1);
    });

    it('lists with filters and pagination, and changes plan, settings and limit overrides', async () => {
      const { tenant } = await newTenant({ name: `Initech ${randomUUID().slice(0, 6)}` });
      const list = await cp('GET', `/tenants?q=${encodeURIComponent(tenant.name)}`);
      expect(list.body.data.items.map((t: { id: string }) => t.id)).toEqual([tenant.id]);
      expect((await cp('GET', '/tenants?limit=1&offset=0')).body.data.items).toHaveLength(1);
      expect((await cp('GET', '/tenants?status=bogus')).status).toBe(422);

      const r = await cp('PATCH', `/tenants/${tenant.id}`, { plan: 'team', settings: { region: 'eu' }, limits: { users: 7 } });
      expect(r.status).toBe(200);
      expect(r.body.data).toMatchObject({ plan: 'team', settings: { region: 'eu' }, overrides: { users: 7 }, limits: { users: 7, incidents_per_month: 10000 } });
      const cleared = await cp('PATCH', `/tenants/${tenant.id}`, { limits: { users: null } });
      expect(cleared.body.data.overrides).toEqual({});
      expect(cleared.body.data.limits.users).toBe(50);
      expect((await cp('PATCH', `/tenants/${tenant.id}`, { plan: 'nope' })).status).toBe(422);
      expect((await cp('GET', `/tenants/${randomUUID()}`)).status).toBe(404);
    });

    it('suspends a tenant (403 within seconds for JWTs, API tokens and logins, nothing deleted) and resumes it', async () => {
      const { tenant, owner } = await newTenant();
      const session = (await login(tenant.id, owner)).body.data;
      const apiToken = (await p.call('POST', '/api/auth/tokens', { token: session.token, tenant: tenant.id, body: { name: 'ci', permissions: ['read', 'write'] } })).body.data.token;
      const inc = await p.call('POST', '/api/incidents', { token: session.token, tenant: tenant.id, body: { title: 'kept', severity: 'P2' } });
      expect(inc.status).toBe(201);

      const s = await cp('POST', `/tenants/${tenant.id}/suspend`);
      expect(s.status).toBe(200);
      expect(s.body.data).toMatchObject({ status: 'suspended' });
      expect(s.body.data.suspended_at).not.toBeNull();

      const blocked = await eventually(() => p.call('GET', '/api/incidents', { token: session.token, tenant: tenant.id }), (r) => r.status === 403);
      expect(blocked.status).toBe(403);
      expect(blocked.body).toMatchObject({ code: 'FORBIDDEN', error: 'The tenant is suspended' });
      const viaToken = await eventually(() => p.call('GET', '/api/incidents', { token: apiToken }), (r) => r.status === 403);
      expect(viaToken.status).toBe(403);
      expect((await login(tenant.id, owner)).status).toBe(403);
      expect((await p.call('POST', '/api/auth/refresh', { body: { refresh_token: session.refresh_token } })).status).toBe(403);

      const r = await cp('POST', `/tenants/${tenant.id}/resume`);
      expect(r.body.data.status).toBe('active');
      const back = await eventually(() => p.call('GET', '/api/incidents', { token: session.token, tenant: tenant.id }), (x) => x.status === 200);
      expect(back.status).toBe(200);
      expect(back.body.data.items.map((i: { title: string }) => i.title)).toEqual(['kept']);
      expect((await login(tenant.id, owner)).status).toBe(200);
    });
  });

  describe('deletion', () => {
    it('purges the tenant in every service: no row of it is left, and its credentials stop working', async () => {
      const { tenant, owner } = await newTenant();
      const session = (await login(tenant.id, owner)).body.data;
      const as = { token: session.token, tenant: tenant.id };
      const inc = (await p.call('POST', '/api/incidents', { ...as, body: { title: 'to be purged', severity: 'P1' } })).body.data;
      await p.call('PATCH', `/api/incidents/${inc.id}`, { ...as, body: { status: 'acknowledged', comment: 'on it' } });
      const apiToken = (await p.call('POST', '/api/auth/tokens', { ...as, body: { name: 'ci', permissions: ['read'] } })).body.data.token;
      await p.call('POST', '/api/team/invite', { ...as, body: { email: 'new@example.com', role: 'member' } });
      await login(tenant.id, { email: owner.email, password: 'a wrong one' });

      const owners = new Client({ connectionString: TEST_DATABASE_URL });
      await owners.connect();
      const rowsOf = async (id: string) => {
        const tables = (
          await owners.query(
            `SELECT table_schema, table_name FROM information_schema.columns WHERE column_name = 'tenant_id' AND table_schema IN ('auth', 'incidents')`,
          )
        ).rows as { table_schema: string; table_name: string }[];
        const counts: Record<string, number> = {};
        for (const t of tables) {
          const n = (await owners.query(`SELECT count(*)::int AS n FROM "${t.table_schema}"."${t.table_name}" WHERE tenant_id = $1`, [id])).rows[0].n;
          if (n) counts[`${t.table_schema}.${t.table_name}`] = n;
        }
        return counts;
      };
      try {
        const before = await rowsOf(tenant.id);
        expect(Object.keys(before)).toEqual(expect.arrayContaining(['auth.organizations', 'auth.users', 'auth.api_tokens', 'incidents.incidents', 'incidents.incident_timeline']));

        const other = await p.tenant('Survivor');
        await other.incident({ title: 'must survive' });

        const d = await cp('DELETE', `/tenants/${tenant.id}`);
        expect(d.status).toBe(200);
        expect(d.body.data).toMatchObject({ id: tenant.id, deleted: true });
        expect(await rowsOf(tenant.id)).toEqual({});
        const tomb = await cp('GET', `/tenants/${tenant.id}`);
        expect(tomb.body.data).toMatchObject({ status: 'deleted', owner_email: '' });
        expect((await cp('GET', `/tenants?q=${encodeURIComponent(tenant.name)}`)).body.data.items.map((x: { id: string }) => x.id)).not.toContain(tenant.id);
        expect((await cp('DELETE', `/tenants/${tenant.id}`)).status).toBe(404);

        // Its unexpired JWT is refused by every gateway (the tombstone is in the polled list).
        const refused = await eventually(() => p.call('GET', '/api/incidents', as), (r) => r.status === 403);
        expect(refused.status).toBe(403);
        await sleep(1100);
        expect((await p.call('GET', '/api/incidents', { token: apiToken })).status).toBe(401);
        expect((await login(tenant.id, owner)).status).toBe(401);

        // Another tenant is untouched; the CP audit keeps the record of the deletion.
        expect((await other.call('GET', '/api/incidents')).body.data.items.map((i: { title: string }) => i.title)).toEqual(['must survive']);
        const audit = await cp('GET', `/audit?target_id=${tenant.id}&action=tenant.deleted`);
        expect(audit.body.data.items).toHaveLength(1);
        expect(audit.body.data.items[0].operator_email).toBe(TEST_OPERATOR.email);
      } finally {
        await owners.end();
      }
    });
  });

  describe('plans', () => {
    it('lists, creates and updates plans; a duplicate is 409, bad limits 422', async () => {
      const name = `pro-${randomUUID().slice(0, 6)}`;
      const c = await cp('POST', '/plans', { name, description: 'Pro', limits: { users: 20, api_requests_per_minute: 1200 } });
      expect(c.status).toBe(201);
      expect(c.body.data.limits).toEqual({ users: 20, incidents_per_month: null, api_requests_per_minute: 1200, ai_scans_per_user_per_day: null, telemetry_bytes_per_day: null, telemetry_retention_days: null });
      expect((await cp('POST', '/plans', { name, limits: {} })).status).toBe(409);
      expect((await cp('POST', '/plans', { name: 'neg', limits: { users: -1 } })).status).toBe(422);
      expect((await cp('POST', '/plans', { name: 'huge', limits: { users: 1e20 } })).status).toBe(422);
      expect((await cp('POST', '/plans', { name: 'frac', limits: { users: 1.5 } })).status).toBe(422);
      const u = await cp('PATCH', `/plans/${name}`, { limits: { users: 25 } });
      expect(u.body.data.limits).toMatchObject({ users: 25, api_requests_per_minute: 1200 });
      const plans = (await cp('GET', '/plans?limit=500')).body.data;
      expect(plans).toMatchObject({ limit: 500, offset: 0 });
      expect(plans.items.map((x: { name: string }) => x.name)).toContain(name);
      // updated_since keeps what changed since then
      const since = new Date(Date.now() - 60_000).toISOString();
      expect((await cp('GET', `/plans?updated_since=${since}`)).body.data.items.map((x: { name: string }) => x.name)).toContain(name);
      expect((await cp('GET', '/plans?updated_since=2999-01-01T00:00:00Z')).body.data.total).toBe(0);
      expect((await cp('PATCH', '/plans/none-such', { limits: { users: 1 } })).status).toBe(404);
    });
  });

  describe('audit', () => {
    it('records every operator write with who and before/after, and cannot be changed', async () => {
      const { tenant } = await newTenant();
      await cp('PATCH', `/tenants/${tenant.id}`, { name: 'Renamed Inc' });
      const r = await cp('GET', `/audit?target_id=${tenant.id}`);
      expect(r.status).toBe(200);
      const entries = r.body.data.items;
      expect(entries.map((e: { action: string }) => e.action)).toEqual(['tenant.updated', 'tenant.created']);
      expect(entries[0]).toMatchObject({ operator_email: TEST_OPERATOR.email, target_type: 'tenant', before: { name: 'Globex Corp' }, after: { name: 'Renamed Inc' } });
      expect(entries[0].trace_id).toMatch(/^[0-9a-f]{32}$/);
      const owner = new Client({ connectionString: TEST_DATABASE_URL });
      await owner.connect();
      try {
        await expect(owner.query(`UPDATE control_plane.audit SET action = 'x' WHERE target_id = $1`, [tenant.id])).rejects.toThrow(/append-only/);
        await expect(owner.query(`DELETE FROM control_plane.audit WHERE target_id = $1`, [tenant.id])).rejects.toThrow(/append-only/);
      } finally {
        await owner.end();
      }
    });
  });
});

describe('plan quotas on the tenant plane', () => {
  let p: TestPlatform;
  let op: string;

  beforeAll(async () => ({ p, op } = await startWithOperator()));
  afterAll(() => p.close());

  it('answers 402 QUOTA_EXCEEDED at the incidents-per-month limit and not before, writing nothing', async () => {
    const t = await p.tenant('Quota Co');
    const patched = await p.call('PATCH', `/cp/api/tenants/${t.id}`, { token: op, body: { limits: { incidents_per_month: 3 } } });
    expect(patched.body.data.limits.incidents_per_month).toBe(3);
    // The incidents service learns the new limit from the tenant.updated event.
    await sleep(300);
    for (let i = 0; i < 3; i++) expect((await t.call('POST', '/api/incidents', { body: { title: `n${i}`, severity: 'P4' } })).status).toBe(201);
    const over = await eventually(
      () => t.call('POST', '/api/incidents', { body: { title: 'one too many', severity: 'P4' } }),
      (r) => r.status === 402,
    );
    expect(over.status).toBe(402);
    expect(over.body).toMatchObject({ code: 'QUOTA_EXCEEDED', details: { limit: 'incidents_per_month', max: 3 } });
    expect(over.body.error).toMatch(/3 incidents per month/);
    const list = await t.call('GET', '/api/incidents');
    expect(list.body.data.total).toBe(3);
    // Raising the limit lets creates through again.
    await p.call('PATCH', `/cp/api/tenants/${t.id}`, { token: op, body: { limits: { incidents_per_month: 4 } } });
    const again = await eventually(() => t.call('POST', '/api/incidents', { body: { title: 'fits now', severity: 'P4' } }), (r) => r.status === 201);
    expect(again.status).toBe(201);
  });
});

describe('the users limit of the plan', () => {
  let p: TestPlatform;
  let op: string;

  beforeAll(async () => ({ p, op } = await startWithOperator()));
  afterAll(() => p.close());

  it('answers 402 at the users limit for invitations and their acceptance, writing nothing', async () => {
    const t = await p.tenant('Small Team');
    await p.call('PATCH', `/cp/api/tenants/${t.id}`, { token: op, body: { limits: { users: 2 } } });
    await sleep(300);
    // The owner is user 1: one invitation fits.
    const inv = await t.call('POST', '/api/team/invite', { body: { email: 'second@example.com', role: 'member' } });
    expect(inv.status).toBe(201);
    const invite2 = await t.call('POST', '/api/team/invite', { body: { email: 'third@example.com', role: 'member' } });
    expect(invite2.status).toBe(201); // an invitation is not a user yet
    const ok = await p.call('POST', '/api/team/invitations/accept', { body: { token: inv.body.data.token, password: 'second-password' } });
    expect(ok.status).toBe(201);
    const over = await p.call('POST', '/api/team/invitations/accept', { body: { token: invite2.body.data.token, password: 'third-password' } });
    expect(over.status).toBe(402);
    expect(over.body).toMatchObject({ code: 'QUOTA_EXCEEDED', details: { limit: 'users', max: 2 } });
    const team = await t.call('GET', '/api/team');
    expect(team.body.data.total).toBe(2);
    const invite3 = await t.call('POST', '/api/team/invite', { body: { email: 'fourth@example.com', role: 'member' } });
    expect(invite3.status).toBe(402);
  });
});

describe("rate limits from the tenant's plan", () => {
  let p: TestPlatform;
  let op: string;

  beforeAll(async () => ({ p, op } = await startWithOperator({ PLAN_LIMITS_CACHE_MS: '300' })));
  afterAll(() => p.close());

  it("limits a tenant to its plan's api_requests_per_minute (with its override), across its credentials", async () => {
    const t = await p.tenant('Metered');
    const member = await t.user('member');
    await p.call('PATCH', `/cp/api/tenants/${t.id}`, { token: op, body: { limits: { api_requests_per_minute: 4 } } });
    await sleep(400); // the gateway's cached limits expire
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await t.call('GET', '/api/incidents')).status);
    for (let i = 0; i < 2; i++) statuses.push((await t.call('GET', '/api/incidents', { as: member })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429]);
    const r = await t.call('GET', '/api/incidents', { as: member });
    expect(r.body).toMatchObject({ code: 'RATE_LIMIT', details: { limit: 'tenant' } });
    expect(r.headers.get('x-ratelimit-limit')).toBe('4');
  });
});

describe('usage metering', () => {
  let p: TestPlatform;
  let op: string;

  beforeAll(async () => ({ p, op } = await startWithOperator({ USAGE_FLUSH_MS: '200' })));
  afterAll(() => p.close());

  it('reports requests, incidents and users by day', async () => {
    const t = await p.tenant('Metered Co');
    await t.user('member');
    for (let i = 0; i < 5; i++) expect((await t.call('GET', '/api/incidents')).status).toBe(200);
    await t.incident({ title: 'one' });
    await t.incident({ title: 'two' });
    const today = new Date().toISOString().slice(0, 10);
    const usage = await eventually(
      () => p.call('GET', `/cp/api/tenants/${t.id}/usage?from=${today}&to=${today}`, { token: op }),
      (r) => r.status === 200 && r.body.data.totals.requests >= 7,
    );
    expect(usage.status).toBe(200);
    expect(usage.body.data).toMatchObject({
      tenant_id: t.id,
      from: today,
      to: today,
      days: [{ day: today, requests: 7, incidents_created: 2, users_created: 2 }],
      totals: { requests: 7, incidents_created: 2, users_created: 2 },
      current: { users: 2, incidents_this_month: 2 },
    });
    const month = await p.call('GET', `/cp/api/tenants/${t.id}/usage`, { token: op });
    expect(month.body.data.days).toHaveLength(30);
    expect(month.body.data.days.at(-1).day).toBe(today);

    expect((await p.call('GET', `/cp/api/tenants/${t.id}/usage?from=2026-13-01`, { token: op })).status).toBe(422);
    expect((await p.call('GET', `/cp/api/tenants/${t.id}/usage?from=${today}&to=2020-01-01`, { token: op })).status).toBe(422);
    expect((await p.call('GET', `/cp/api/tenants/${randomUUID()}/usage`, { token: op })).status).toBe(404);
    expect((await p.call('GET', `/cp/api/tenants/${t.id}/usage`, { token: t.owner.token })).status).toBe(401);
  });
});
