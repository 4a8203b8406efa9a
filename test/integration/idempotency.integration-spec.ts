import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { TEST_DATABASE_URL, TEST_OPERATOR } from '../support/env';
import { TestPlatform, TestTenant } from '../support/platform';

const key = () => `key-${randomUUID()}`;

/** Creates are safe to retry: Idempotency-Key on every service's creates. */
describe('Idempotency-Key', () => {
  let p: TestPlatform;
  let t: TestTenant;
  let op: string;
  let db: Client;

  beforeAll(async () => {
    p = await TestPlatform.start({ RPC_TIMEOUT_MS: '1500' });
    op = (await p.call('POST', '/cp/api/auth/token', { body: TEST_OPERATOR })).body.data.token;
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
  });
  afterAll(async () => {
    await db.end();
    await p.close();
  });
  beforeEach(async () => {
    t = await p.tenant();
  });

  const incidentCount = async (tenant: TestTenant) => (await tenant.call('GET', '/api/incidents')).body.data.total as number;

  it('answers a retried incident create with the first answer and writes nothing new', async () => {
    const k = key();
    const body = { title: 'Payments down', severity: 'P1' };
    const first = await t.call('POST', '/api/incidents', { body, headers: { 'idempotency-key': k } });
    expect(first.status).toBe(201);
    expect(first.headers.get('location')).toBe(`/api/incidents/${first.body.data.id}`);
    // The same body with its keys in another order is the same request.
    const again = await t.call('POST', '/api/incidents', { body: { severity: 'P1', title: 'Payments down' }, headers: { 'idempotency-key': k } });
    expect(again.status).toBe(201);
    expect(again.body.data).toEqual(first.body.data);
    expect(again.headers.get('location')).toBe(first.headers.get('location'));
    expect(await incidentCount(t)).toBe(1);
    const events = await db.query(`SELECT count(*)::int AS n FROM incidents.outbox WHERE tenant_id = $1 AND subject = 'incidents.incident.created.v1'`, [t.id]);
    expect(events.rows[0].n).toBe(1);
    // Without a key, the same body is a new incident (numbers go on without a gap).
    const other = await t.call('POST', '/api/incidents', { body });
    expect(other.body.data.reference).toBe('INC-00000002');
  });

  it('refuses the same key with another body (409) and writes nothing', async () => {
    const k = key();
    expect((await t.call('POST', '/api/incidents', { body: { title: 'A', severity: 'P3' }, headers: { 'idempotency-key': k } })).status).toBe(201);
    const other = await t.call('POST', '/api/incidents', { body: { title: 'B', severity: 'P3' }, headers: { 'idempotency-key': k } });
    expect(other.status).toBe(409);
    expect(other.body).toMatchObject({ code: 'CONFLICT', error: expect.stringMatching(/Idempotency-Key/) });
    // On another route, the same key is another request too.
    const inc = (await t.call('GET', '/api/incidents')).body.data.items[0];
    expect((await t.call('POST', `/api/incidents/${inc.id}/comments`, { body: { body: 'x' }, headers: { 'idempotency-key': k } })).status).toBe(409);
    expect(await incidentCount(t)).toBe(1);
  });

  it('gives concurrent retries one create', async () => {
    const k = key();
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => t.call('POST', '/api/incidents', { body: { title: 'Flapping', severity: 'P2' }, headers: { 'idempotency-key': k } })),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(6).fill(201));
    expect(new Set(answers.map((a) => a.body.data.id)).size).toBe(1);
    expect(await incidentCount(t)).toBe(1);
  });

  it('keeps keys per tenant, and checks their shape', async () => {
    const k = key();
    const other = await p.tenant('Other');
    const a = await t.call('POST', '/api/incidents', { body: { title: 'Same key', severity: 'P3' }, headers: { 'idempotency-key': k } });
    const b = await other.call('POST', '/api/incidents', { body: { title: 'Same key', severity: 'P3' }, headers: { 'idempotency-key': k } });
    expect(b.status).toBe(201);
    expect(b.body.data.id).not.toBe(a.body.data.id);
    const bad = await t.call('POST', '/api/incidents', { body: { title: 'x', severity: 'P3' }, headers: { 'idempotency-key': 'has spaces in it' } });
    expect(bad.status).toBe(422);
    expect(bad.body.details[0].field).toBe('Idempotency-Key');
    expect(await incidentCount(t)).toBe(1);
  });

  it('makes a create whose answer was lost (the gateway timed out after the commit) safe to retry', async () => {
    const k = key();
    await t.incident({ title: 'the counter row exists' });
    // Hold the tenant's incident counter so that the create waits past the gateway's 1.5 s.
    const blocker = new Client({ connectionString: TEST_DATABASE_URL });
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query('SELECT * FROM incidents.incident_counters WHERE tenant_id = $1 FOR UPDATE', [t.id]);
    const lost = await t.call('POST', '/api/incidents', { body: { title: 'Lost answer', severity: 'P2' }, headers: { 'idempotency-key': k } });
    expect(lost.status).toBe(503);
    await blocker.query('COMMIT');
    await blocker.end();
    // The service went on and committed; the client retries with the same key.
    let retry = await t.call('POST', '/api/incidents', { body: { title: 'Lost answer', severity: 'P2' }, headers: { 'idempotency-key': k } });
    for (let i = 0; i < 20 && retry.status !== 201; i++) {
      await new Promise((r) => setTimeout(r, 100));
      retry = await t.call('POST', '/api/incidents', { body: { title: 'Lost answer', severity: 'P2' }, headers: { 'idempotency-key': k } });
    }
    expect(retry.status).toBe(201);
    const titles = (await t.call('GET', '/api/incidents')).body.data.items.map((i: { title: string }) => i.title);
    expect(titles.filter((x: string) => x === 'Lost answer')).toHaveLength(1);
  });

  it('replays a new API token to a retry, keeping only a sealed copy of it', async () => {
    const k = key();
    const body = { name: 'ci', permissions: ['read'] };
    const first = await t.call('POST', '/api/auth/tokens', { body, headers: { 'idempotency-key': k } });
    const again = await t.call('POST', '/api/auth/tokens', { body, headers: { 'idempotency-key': k } });
    expect(again.body.data.token).toBe(first.body.data.token);
    expect((await t.call('GET', '/api/auth/tokens')).body.data.total).toBe(1);
    const stored = await db.query(`SELECT key_hash, response FROM auth.idempotency_keys WHERE tenant_id = $1`, [t.id]);
    expect(stored.rows).toHaveLength(1);
    expect(JSON.stringify(stored.rows)).not.toContain(first.body.data.token);
    expect(JSON.stringify(stored.rows)).not.toContain(k);
  });

  it('covers invitations, comments, tenants and plans', async () => {
    const inviteBody = { email: `new-${randomUUID().slice(0, 8)}@example.com`, role: 'member' };
    const k1 = key();
    const inv1 = await t.call('POST', '/api/team/invite', { body: inviteBody, headers: { 'idempotency-key': k1 } });
    const inv2 = await t.call('POST', '/api/team/invite', { body: inviteBody, headers: { 'idempotency-key': k1 } });
    expect(inv2.body.data).toEqual(inv1.body.data);
    expect((await t.call('GET', '/api/team/invitations')).body.data.total).toBe(1);

    const k2 = key();
    const accept = { token: inv1.body.data.token, password: 'a-long-password' };
    const a1 = await p.call('POST', '/api/team/invitations/accept', { body: accept, headers: { 'idempotency-key': k2 } });
    const a2 = await p.call('POST', '/api/team/invitations/accept', { body: accept, headers: { 'idempotency-key': k2 } });
    expect(a1.status).toBeLessThan(300);
    expect(a2.body.data.user).toEqual(a1.body.data.user);

    const inc = await t.incident();
    const k3 = key();
    for (let i = 0; i < 2; i++) await t.call('POST', `/api/incidents/${inc.id}/comments`, { body: { body: 'looking' }, headers: { 'idempotency-key': k3 } });
    expect((await t.call('GET', `/api/incidents/${inc.id}/comments`)).body.data.total).toBe(1);

    const k4 = key();
    const tenantBody = { name: `Idem ${randomUUID().slice(0, 6)}`, owner_email: `o-${randomUUID().slice(0, 8)}@example.com`, owner_password: 'a-long-password' };
    const t1 = await p.call('POST', '/cp/api/tenants', { token: op, body: tenantBody, headers: { 'idempotency-key': k4 } });
    const t2 = await p.call('POST', '/cp/api/tenants', { token: op, body: tenantBody, headers: { 'idempotency-key': k4 } });
    expect(t1.status).toBe(201);
    expect(t1.headers.get('location')).toBe(`/cp/api/tenants/${t1.body.data.id}`);
    expect(t2.body.data.id).toBe(t1.body.data.id);
    expect((await p.call('GET', `/cp/api/tenants?q=${encodeURIComponent(tenantBody.name)}`, { token: op })).body.data.total).toBe(1);

    const k5 = key();
    const planBody = { name: `idem-${randomUUID().slice(0, 8)}`, limits: { users: 5 } };
    const p1 = await p.call('POST', '/cp/api/plans', { token: op, body: planBody, headers: { 'idempotency-key': k5 } });
    const p2 = await p.call('POST', '/cp/api/plans', { token: op, body: planBody, headers: { 'idempotency-key': k5 } });
    expect([p1.status, p2.status]).toEqual([201, 201]);
    expect(p2.body.data).toEqual(p1.body.data);
    // Without the key, the duplicate is a conflict as before.
    expect((await p.call('POST', '/cp/api/plans', { token: op, body: planBody })).status).toBe(409);
  });
});
