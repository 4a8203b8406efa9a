import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { TEST_DATABASE_URL } from '../support/env';
import { TestPlatform, TestTenant, TestUser } from '../support/platform';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('team and organization (through the gateway)', () => {
  let p: TestPlatform;
  let t: TestTenant;
  let db: Client;

  beforeAll(async () => {
    p = await TestPlatform.start();
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

  const invite = async (body: Record<string, unknown>, as?: TestUser) => t.call('POST', '/api/team/invite', { body, as });
  const accept = (body: Record<string, unknown>, headers?: Record<string, string>) =>
    p.call('POST', '/api/team/invitations/accept', { body, headers });
  const teamEmails = async (tenant = t) => ((await tenant.call('GET', '/api/team?limit=500')).body.data.items as { email: string }[]).map((m) => m.email);

  describe('GET /api/team', () => {
    it('lists the members in the list envelope, with limit and offset', async () => {
      const member = await t.user('member');
      const r = await t.call('GET', '/api/team');
      expect(r.status).toBe(200);
      expect(r.body.data).toMatchObject({ total: 2, limit: 50, offset: 0 });
      expect(r.body.data.items[0]).toEqual({
        id: t.owner.id,
        name: expect.any(String),
        email: t.owner.email,
        role: 'owner',
        job_title: null,
        status: 'active',
        joined_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
      });
      expect(r.body.data.items[1]).toMatchObject({ id: member.id, role: 'member' });
      expect(JSON.stringify(r.body)).not.toMatch(/password/);

      const page = await t.call('GET', '/api/team?limit=1&offset=1', { as: member });
      expect(page.status).toBe(200);
      expect(page.body.data).toMatchObject({ total: 2, limit: 1, offset: 1, items: [{ id: member.id }] });
      expect((await t.call('GET', '/api/team?limit=501')).status).toBe(422);
    });

    it('keeps only the members changed since updated_since (RFC 3339), for a client that polls', async () => {
      const t2 = await p.tenant();
      const member = await t2.user('member');
      const since = new Date().toISOString();
      expect((await t2.call('GET', `/api/team?updated_since=${encodeURIComponent(since)}`)).body.data.total).toBe(0);
      expect((await t2.call('PUT', `/api/team/${member.id}/role`, { body: { role: 'admin' } })).status).toBe(200);
      const changed = await t2.call('GET', `/api/team?updated_since=${encodeURIComponent(since)}`);
      expect(changed.body.data).toMatchObject({ total: 1, items: [{ id: member.id, role: 'admin' }] });
      expect((await t2.call('GET', '/api/team?updated_since=yesterday')).status).toBe(422);
    });
  });

  describe('invitations', () => {
    it('invites, accepts (answering a token pair) and the new member can log in', async () => {
      const email = `new-${randomUUID().slice(0, 8)}@example.com`;
      const r = await invite({ email: email.toUpperCase(), role: 'admin', name: 'New Person' });
      expect(r.status).toBe(201);
      const { invitation, token, accept_url } = r.body.data;
      expect(token).toMatch(/^ops_inv_[0-9a-f]{32}_/);
      expect(accept_url).toBe('/api/team/invitations/accept');
      expect(invitation).toMatchObject({ email, role: 'admin', name: 'New Person', status: 'pending', invited_by: t.owner.id });
      expect(new Date(invitation.expires_at).getTime() - Date.now()).toBeGreaterThan(6.9 * 86400_000);
      // Only the hash is stored.
      const stored = await db.query('SELECT token_hash FROM auth.invitations WHERE id = $1', [invitation.id]);
      expect(stored.rows[0].token_hash).toHaveLength(64);
      expect(stored.rows[0].token_hash).not.toContain(token.slice(-20));

      const pending = await t.call('GET', '/api/team/invitations');
      expect(pending.status).toBe(200);
      expect(pending.body.data).toMatchObject({ total: 1, items: [{ id: invitation.id, status: 'pending' }] });
      expect(JSON.stringify(pending.body)).not.toContain(token);

      const ok = await accept({ token, password: 'a-new-password' });
      expect(ok.status).toBe(201);
      expect(ok.body.data).toMatchObject({ token_type: 'Bearer', user: { email, role: 'admin', name: 'New Person' } });
      expect(ok.body.data.refresh_token).toMatch(/^ops_rt_/);
      const me = await p.call('GET', '/api/auth/me', { token: ok.body.data.token, tenant: t.id });
      expect(me.body.data.user).toMatchObject({ email, role: 'admin' });

      const login = await t.login(email, 'a-new-password');
      expect(login.role).toBe('admin');
      expect(await teamEmails()).toContain(email);
      expect((await t.call('GET', '/api/team/invitations')).body.data.total).toBe(0);

      // Single use: a second accept is refused and creates nothing.
      const again = await accept({ token, password: 'another-password' });
      expect(again.status).toBe(401);
      expect(again.body).toMatchObject({ code: 'UNAUTHORIZED', error: 'This invitation has already been used' });
      expect((await t.call('GET', '/api/team')).body.data.total).toBe(2);
    });

    it('refuses an expired invitation and writes nothing', async () => {
      const email = `late-${randomUUID().slice(0, 8)}@example.com`;
      const { invitation, token } = (await invite({ email, role: 'member' })).body.data;
      await db.query(`UPDATE auth.invitations SET expires_at = now() - interval '1 minute' WHERE id = $1`, [invitation.id]);
      const r = await accept({ token, password: 'a-new-password' });
      expect(r.status).toBe(401);
      expect(r.body).toMatchObject({ code: 'UNAUTHORIZED', error: expect.stringMatching(/expired/) });
      expect(await teamEmails()).not.toContain(email);
      const row = await db.query('SELECT accepted_at FROM auth.invitations WHERE id = $1', [invitation.id]);
      expect(row.rows[0].accepted_at).toBeNull();
      expect((await t.call('GET', '/api/team/invitations')).body.data.total).toBe(0);
    });

    it('refuses a revoked invitation; revoking is admin work', async () => {
      const email = `rev-${randomUUID().slice(0, 8)}@example.com`;
      const { invitation, token } = (await invite({ email, role: 'member' })).body.data;
      const member = await t.user('member');
      expect((await t.call('DELETE', `/api/team/invitations/${invitation.id}`, { as: member })).status).toBe(403);
      const rev = await t.call('DELETE', `/api/team/invitations/${invitation.id}`);
      expect(rev.status).toBe(200);
      expect(rev.body.data).toMatchObject({ id: invitation.id, status: 'revoked' });
      const r = await accept({ token, password: 'a-new-password' });
      expect(r.status).toBe(401);
      expect(r.body.error).toMatch(/revoked/);
      expect(await teamEmails()).not.toContain(email);
      expect((await t.call('DELETE', `/api/team/invitations/${randomUUID()}`)).status).toBe(404);
    });

    it("refuses another tenant's token, a tampered tenant and garbage, and writes nothing", async () => {
      const b = await p.tenant('Beta');
      const email = `x-${randomUUID().slice(0, 8)}@example.com`;
      const { invitation, token } = (await invite({ email, role: 'member' })).body.data;
      // Presented under tenant B's header.
      const wrongHeader = await accept({ token, password: 'a-new-password' }, { 'x-tenant-id': b.id });
      expect(wrongHeader.status).toBe(401);
      // A's secret with B's tenant in the token.
      const tampered = token.replace(t.id.replace(/-/g, ''), b.id.replace(/-/g, ''));
      expect(tampered).not.toBe(token);
      const forged = await accept({ token: tampered, password: 'a-new-password' });
      expect(forged.status).toBe(401);
      for (const bad of ['garbage', `ops_pat_${t.id.replace(/-/g, '')}_${'A'.repeat(40)}`, `ops_inv_${t.id.replace(/-/g, '')}_${'A'.repeat(40)}`]) {
        const r = await accept({ token: bad, password: 'a-new-password' });
        expect(r.status).toBe(401);
        expect(r.body.code).toBe('UNAUTHORIZED');
      }
      expect(await teamEmails()).not.toContain(email);
      expect(await teamEmails(b)).not.toContain(email);
      // Still usable with the right tenant.
      const ok = await accept({ token, password: 'a-new-password', name: 'Chosen Name' }, { 'x-tenant-id': t.id });
      expect(ok.status).toBe(201);
      expect(ok.body.data.user.name).toBe('Chosen Name');
      expect((await db.query('SELECT accepted_at FROM auth.invitations WHERE id = $1', [invitation.id])).rows[0].accepted_at).not.toBeNull();
    });

    it('validates the body, refuses existing members (409) and non-admins (403); admins cannot invite owners', async () => {
      expect((await invite({ email: 'not-an-email', role: 'member' })).status).toBe(422);
      expect((await invite({ email: 'a@example.com', role: 'superuser' })).status).toBe(422);
      const short = await accept({ token: 'x', password: 'short' });
      expect(short.status).toBe(422);

      const dup = await invite({ email: t.owner.email, role: 'member' });
      expect(dup.status).toBe(409);
      expect(dup.body.code).toBe('CONFLICT');

      const member = await t.user('member');
      const viewer = await t.user('viewer');
      const admin = await t.user('admin');
      for (const as of [member, viewer]) {
        const r = await invite({ email: `m-${randomUUID().slice(0, 8)}@example.com`, role: 'viewer' }, as);
        expect(r.status).toBe(403);
        expect((await t.call('GET', '/api/team/invitations', { as })).status).toBe(403);
      }
      expect((await invite({ email: `o-${randomUUID().slice(0, 8)}@example.com`, role: 'owner' }, admin)).status).toBe(403);
      expect((await invite({ email: `a-${randomUUID().slice(0, 8)}@example.com`, role: 'admin' }, admin)).status).toBe(201);
      expect((await invite({ email: `o-${randomUUID().slice(0, 8)}@example.com`, role: 'owner' })).status).toBe(201);
    });

    it('a newer invitation for the same e-mail replaces the pending one', async () => {
      const email = `twice-${randomUUID().slice(0, 8)}@example.com`;
      const first = (await invite({ email, role: 'member' })).body.data;
      const second = (await invite({ email, role: 'viewer' })).body.data;
      expect((await accept({ token: first.token, password: 'a-new-password' })).status).toBe(401);
      const ok = await accept({ token: second.token, password: 'a-new-password' });
      expect(ok.status).toBe(201);
      expect(ok.body.data.user.role).toBe('viewer');
    });
  });

  describe('roles', () => {
    it('admins and owners change roles; members and viewers cannot', async () => {
      const member = await t.user('member');
      const viewer = await t.user('viewer');
      const admin = await t.user('admin');
      const r = await t.call('PUT', `/api/team/${viewer.id}/role`, { body: { role: 'member' }, as: admin });
      expect(r.status).toBe(200);
      expect(r.body.data).toMatchObject({ id: viewer.id, role: 'member' });
      expect((await t.call('PUT', `/api/team/${member.id}/role`, { body: { role: 'admin' }, as: member })).status).toBe(403);
      const fresh = await t.user('viewer');
      expect((await t.call('PUT', `/api/team/${member.id}/role`, { body: { role: 'viewer' }, as: fresh })).status).toBe(403);
      expect((await t.call('PUT', `/api/team/${member.id}/role`, { body: { role: 'king' } })).status).toBe(422);
      expect((await t.call('PUT', `/api/team/not-a-uuid/role`, { body: { role: 'member' } })).status).toBe(422);
      expect((await t.call('PUT', `/api/team/${randomUUID()}/role`, { body: { role: 'member' } })).status).toBe(404);
      // The new role shows on the next login.
      expect((await t.login(viewer.email, viewer.password)).role).toBe('member');
    });

    it('never demotes the last owner; only owners grant or remove the owner role', async () => {
      const self = await t.call('PUT', `/api/team/${t.owner.id}/role`, { body: { role: 'admin' } });
      expect(self.status).toBe(409);
      expect(self.body).toMatchObject({ code: 'CONFLICT', error: expect.stringMatching(/last owner/) });

      const admin = await t.user('admin');
      const member = await t.user('member');
      expect((await t.call('PUT', `/api/team/${member.id}/role`, { body: { role: 'owner' }, as: admin })).status).toBe(403);
      expect((await t.call('PUT', `/api/team/${t.owner.id}/role`, { body: { role: 'member' }, as: admin })).status).toBe(403);
      expect((await t.call('PUT', `/api/team/${admin.id}/role`, { body: { role: 'owner' }, as: admin })).status).toBe(403);

      expect((await t.call('PUT', `/api/team/${member.id}/role`, { body: { role: 'owner' } })).status).toBe(200);
      const stepDown = await t.call('PUT', `/api/team/${t.owner.id}/role`, { body: { role: 'admin' } });
      expect(stepDown.status).toBe(200);
      expect(stepDown.body.data.role).toBe('admin');
      // The old JWT still says owner, but the database decides: no more owner powers.
      const back = await t.call('PUT', `/api/team/${t.owner.id}/role`, { body: { role: 'owner' } });
      expect(back.status).toBe(403);
      const roles = ((await t.call('GET', '/api/team')).body.data.items as { id: string; role: string }[]).filter((m) => m.role === 'owner');
      expect(roles.map((m) => m.id)).toEqual([member.id]);
    });
  });

  describe('DELETE /api/team/:id', () => {
    it("removes a member; their refresh token and API token stop working", async () => {
      const member = await t.user('member');
      const created = await t.call('POST', '/api/auth/tokens', { body: { name: 'script', permissions: ['read', 'write'] }, as: member });
      expect(created.status).toBe(201);
      const api = created.body.data.token as string;
      expect((await p.call('GET', '/api/team', { token: api })).status).toBe(200);

      const r = await t.call('DELETE', `/api/team/${member.id}`);
      expect(r.status).toBe(200);
      expect(r.body.data).toEqual({ id: member.id, removed: true });
      expect(await teamEmails()).not.toContain(member.email);

      const refresh = await p.call('POST', '/api/auth/refresh', { body: { refresh_token: member.refresh_token } });
      expect(refresh.status).toBe(401);
      await sleep(1100); // the gateway's API token cache (API_TOKEN_CACHE_MS=1000 in tests)
      const used = await p.call('GET', '/api/incidents', { token: api });
      expect(used.status).toBe(401);
      const login = await p.call('POST', '/api/auth/token', { tenant: t.id, body: { email: member.email, password: member.password } });
      expect(login.status).toBe(401);
      expect((await t.call('DELETE', `/api/team/${member.id}`)).status).toBe(404);
      // The address can be invited again.
      expect((await invite({ email: member.email, role: 'viewer' })).status).toBe(201);
    });

    it('protects owners and the last owner; members cannot remove anyone; leaving is allowed', async () => {
      const admin = await t.user('admin');
      const member = await t.user('member');
      expect((await t.call('DELETE', `/api/team/${admin.id}`, { as: member })).status).toBe(403);
      expect((await t.call('DELETE', `/api/team/${t.owner.id}`, { as: admin })).status).toBe(403);
      const last = await t.call('DELETE', `/api/team/${t.owner.id}`);
      expect(last.status).toBe(409);
      expect(last.body.error).toMatch(/last owner/);
      expect(await teamEmails()).toContain(t.owner.email);

      // An admin may leave; an owner may leave once there is another owner.
      expect((await t.call('DELETE', `/api/team/${admin.id}`, { as: admin })).status).toBe(200);
      expect((await t.call('PUT', `/api/team/${member.id}/role`, { body: { role: 'owner' } })).status).toBe(200);
      expect((await t.call('DELETE', `/api/team/${t.owner.id}`)).status).toBe(200);
      const left = (await t.call('GET', '/api/team', { as: member })).body.data.items as { email: string }[];
      expect(left.map((m) => m.email)).toEqual([member.email]);
    });
  });

  describe('organization', () => {
    it('answers the organization', async () => {
      const r = await t.call('GET', '/api/organization', { as: await t.user('viewer') });
      expect(r.status).toBe(200);
      expect(r.body.data).toEqual({
        id: t.id,
        name: 'Acme',
        slug: expect.any(String),
        status: 'active',
        settings: { timezone: 'UTC' },
        created_at: expect.any(String),
        updated_at: expect.any(String),
      });
    });

    it('updates name and settings (either spelling), merging settings', async () => {
      const r = await t.call('PUT', '/api/organization', {
        body: { name: 'Updated Organization Name', settings: { timezone: 'europe/paris', notificationPreferences: { email: true, slack: false } } },
      });
      expect(r.status).toBe(200);
      expect(r.body.data).toMatchObject({
        name: 'Updated Organization Name',
        settings: { timezone: 'Europe/Paris', notification_preferences: { email: true, slack: false } },
      });
      const admin = await t.user('admin');
      const r2 = await t.call('PUT', '/api/organization', { body: { settings: { notification_preferences: { slack: true } } }, as: admin });
      expect(r2.status).toBe(200);
      expect(r2.body.data.settings).toEqual({ timezone: 'Europe/Paris', notification_preferences: { email: true, slack: true } });
      expect(r2.body.data.name).toBe('Updated Organization Name');
      const got = await t.call('GET', '/api/organization');
      expect(got.body.data).toEqual(r2.body.data);
    });

    it('refuses bad values with 422 and non-admins with 403, writing nothing', async () => {
      const before = (await t.call('GET', '/api/organization')).body.data;
      const badTz = await t.call('PUT', '/api/organization', { body: { name: 'Renamed', settings: { timezone: 'Mars/Olympus_Mons' } } });
      expect(badTz.status).toBe(422);
      expect(badTz.body.code).toBe('VALIDATION_ERROR');
      expect(badTz.body.details.map((d: { field: string }) => d.field)).toContain('settings.timezone');
      for (const body of [
        { name: '' },
        { name: null },
        { settings: 'nope' },
        { settings: { notificationPreferences: { email: 'yes' } } },
        { settings: { notificationPreferences: { email: true }, notification_preferences: { email: false } } },
      ]) {
        const r = await t.call('PUT', '/api/organization', { body });
        expect({ body, status: r.status }).toEqual({ body, status: 422 });
      }
      const member = await t.user('member');
      expect((await t.call('PUT', '/api/organization', { body: { name: 'Mine now' }, as: member })).status).toBe(403);
      expect((await t.call('GET', '/api/organization')).body.data).toEqual(before);
    });
  });

  describe('tenant isolation', () => {
    it("tenant B cannot see or touch tenant A's members or invitations, even by id", async () => {
      const b = await p.tenant('Beta');
      const aMember = await t.user('member');
      const { invitation, token } = (await invite({ email: `iso-${randomUUID().slice(0, 8)}@example.com`, role: 'member' })).body.data;

      const bTeam = (await b.call('GET', '/api/team')).body.data;
      expect(bTeam.total).toBe(1);
      expect(bTeam.items.map((m: { id: string }) => m.id)).toEqual([b.owner.id]);
      expect((await b.call('GET', '/api/team/invitations')).body.data.total).toBe(0);

      expect((await b.call('PUT', `/api/team/${aMember.id}/role`, { body: { role: 'admin' } })).status).toBe(404);
      expect((await b.call('DELETE', `/api/team/${aMember.id}`)).status).toBe(404);
      expect((await b.call('DELETE', `/api/team/invitations/${invitation.id}`)).status).toBe(404);
      // A's token with B's header is refused by the gateway.
      expect((await p.call('GET', '/api/team', { token: t.owner.token, tenant: b.id })).status).toBe(403);
      expect((await b.call('GET', '/api/organization')).body.data.id).toBe(b.id);

      const aTeam = (await t.call('GET', '/api/team')).body.data.items as { id: string; role: string }[];
      expect(aTeam.find((m) => m.id === aMember.id)?.role).toBe('member');
      expect((await accept({ token, password: 'a-new-password' })).status).toBe(201);
    });
  });
});
