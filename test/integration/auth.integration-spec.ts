import { sign } from 'jsonwebtoken';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { TEST_DATABASE_URL, TEST_JWT_SECRET } from '../support/env';
import { legacyScryptHash } from '../support/legacy-hash';
import { TestPlatform, TestTenant } from '../support/platform';

const ISS = 'opsplane-tenant-plane';
const AUD = 'opsplane-api';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('authentication and authorization (through the gateway)', () => {
  let p: TestPlatform;
  let t: TestTenant;

  beforeAll(async () => {
    p = await TestPlatform.start({ LOGIN_MAX_FAILURES: '3' });
  });
  afterAll(async () => {
    await p.close();
  });
  beforeEach(async () => {
    t = await p.tenant();
  });

  describe('login', () => {
    it('answers token, refresh_token and user as the first document shows', async () => {
      const r = await p.call('POST', '/api/auth/token', { tenant: t.id, body: { email: t.owner.email, password: t.owner.password } });
      expect(r.status).toBe(200);
      expect(r.body.data).toMatchObject({ token_type: 'Bearer', user: { email: t.owner.email, role: 'owner' } });
      expect(r.body.data.token.split('.')).toHaveLength(3);
      expect(r.body.data.refresh_token).toMatch(/^ops_rt_/);
      const me = await p.call('GET', '/api/auth/me', { token: r.body.data.token, tenant: t.id });
      expect(me.status).toBe(200);
    });

    it('answers a wrong password and an unknown user alike', async () => {
      const wrong = await p.call('POST', '/api/auth/token', { tenant: t.id, body: { email: t.owner.email, password: 'nope-nope' } });
      const unknown = await p.call('POST', '/api/auth/token', { tenant: t.id, body: { email: 'ghost@example.com', password: 'nope-nope' } });
      const otherTenant = await p.call('POST', '/api/auth/token', { tenant: randomUUID(), body: { email: t.owner.email, password: t.owner.password } });
      for (const r of [wrong, unknown, otherTenant]) {
        expect(r.status).toBe(401);
        expect(r.body).toMatchObject({ code: 'UNAUTHORIZED', error: 'Invalid email or password' });
      }
    });

    it('requires x-tenant-id and a valid body', async () => {
      const noTenant = await p.call('POST', '/api/auth/token', { body: { email: t.owner.email, password: t.owner.password } });
      expect(noTenant.status).toBe(422);
      expect(noTenant.body.details[0].field).toBe('x-tenant-id');
      const bad = await p.call('POST', '/api/auth/token', { tenant: t.id, body: { email: 'not-an-email' } });
      expect(bad.status).toBe(422);
      expect([...new Set(bad.body.details.map((d: { field: string }) => d.field))].sort()).toEqual(['email', 'password']);
    });

    it('slows repeated failures down with 429 and Retry-After, even for the right password', async () => {
      for (let i = 0; i < 3; i++) {
        const r = await p.call('POST', '/api/auth/token', { tenant: t.id, body: { email: t.owner.email, password: `wrong-${i}` } });
        expect(r.status).toBe(401);
      }
      const blocked = await p.call('POST', '/api/auth/token', { tenant: t.id, body: { email: t.owner.email, password: t.owner.password } });
      expect(blocked.status).toBe(429);
      expect(blocked.body.code).toBe('RATE_LIMIT');
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      // Another address of the same tenant is not affected.
      const member = await t.user('member');
      expect(member.token).toBeTruthy();
    });
  });

  describe('password storage', () => {
    it("replaces a user's old scrypt hash with argon2id at the next successful login", async () => {
      const db = new Client({ connectionString: TEST_DATABASE_URL });
      await db.connect();
      try {
        const own = await db.query(`SELECT password_hash FROM auth.users WHERE id = $1`, [t.owner.id]);
        expect(own.rows[0].password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
        await db.query(`UPDATE auth.users SET password_hash = $2 WHERE id = $1`, [t.owner.id, legacyScryptHash(t.owner.password)]);
        await t.login(t.owner.email, t.owner.password);
        const after = await db.query(`SELECT password_hash FROM auth.users WHERE id = $1`, [t.owner.id]);
        expect(after.rows[0].password_hash).toMatch(/^\$argon2id\$/);
        await t.login(t.owner.email, t.owner.password);
      } finally {
        await db.end();
      }
    });
  });

  describe('refresh', () => {
    it('rotates refresh tokens, and a reused one revokes the whole family', async () => {
      const first = t.owner.refresh_token;
      const r1 = await p.call('POST', '/api/auth/refresh', { body: { refresh_token: first } });
      expect(r1.status).toBe(200);
      const second = r1.body.data.refresh_token;
      expect(second).not.toBe(first);
      const use = await p.call('GET', '/api/incidents', { token: r1.body.data.token, tenant: t.id });
      expect(use.status).toBe(200);

      const reuse = await p.call('POST', '/api/auth/refresh', { body: { refresh_token: first } });
      expect(reuse.status).toBe(401);
      expect(reuse.body.error).toMatch(/reuse/);
      // The thief's token and the legitimate rotation are both dead now.
      const afterReuse = await p.call('POST', '/api/auth/refresh', { body: { refresh_token: second } });
      expect(afterReuse.status).toBe(401);
    });

    it('rejects malformed and unknown refresh tokens', async () => {
      for (const refresh_token of ['garbage', `ops_rt_${t.id.replace(/-/g, '')}_${'A'.repeat(40)}`]) {
        const r = await p.call('POST', '/api/auth/refresh', { body: { refresh_token } });
        expect(r.status).toBe(401);
      }
      const missing = await p.call('POST', '/api/auth/refresh', { body: {} });
      expect(missing.status).toBe(422);
    });
  });

  describe('JWT checks', () => {
    const claims = () => ({ sub: t.owner.id, tid: t.id, email: t.owner.email, role: 'owner', typ: 'access' });

    it('accepts a well-formed token and rejects expired, forged and alg:none ones', async () => {
      const good = sign(claims(), TEST_JWT_SECRET, { algorithm: 'HS256', issuer: ISS, audience: AUD, expiresIn: 60 });
      expect((await p.call('GET', '/api/incidents', { token: good, tenant: t.id })).status).toBe(200);

      const expired = sign({ ...claims(), exp: Math.floor(Date.now() / 1000) - 60 }, TEST_JWT_SECRET, { algorithm: 'HS256', issuer: ISS, audience: AUD });
      const forged = sign(claims(), 'some-other-secret-of-sufficient-length!!', { algorithm: 'HS256', issuer: ISS, audience: AUD, expiresIn: 60 });
      const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
      const payload = Buffer.from(JSON.stringify({ ...claims(), iss: ISS, aud: AUD, exp: Math.floor(Date.now() / 1000) + 60 })).toString('base64url');
      const none = `${header}.${payload}.`;
      const wrongAudience = sign(claims(), TEST_JWT_SECRET, { algorithm: 'HS256', issuer: ISS, audience: 'opsplane-control-plane', expiresIn: 60 });
      const hs512 = sign(claims(), TEST_JWT_SECRET, { algorithm: 'HS512', issuer: ISS, audience: AUD, expiresIn: 60 });
      for (const token of [expired, forged, none, wrongAudience, hs512, 'not.a.jwt']) {
        const r = await p.call('GET', '/api/incidents', { token, tenant: t.id });
        expect(r.status).toBe(401);
        expect(r.body).toMatchObject({ code: 'UNAUTHORIZED' });
        expect(r.body.trace_id).toMatch(/^[0-9a-f]{32}$/);
      }
      const none2 = await p.call('GET', '/api/incidents', { tenant: t.id });
      expect(none2.status).toBe(401);
    });

    it("forbids an x-tenant-id that is not the token's tenant", async () => {
      const r = await t.call('GET', '/api/incidents', { tenant: randomUUID() });
      expect(r.status).toBe(403);
      expect(r.body.code).toBe('FORBIDDEN');
      // Without the header, the token's own tenant applies.
      const noHeader = await p.call('GET', '/api/incidents', { token: t.owner.token });
      expect(noHeader.status).toBe(200);
    });
  });

  describe('/api/auth/me', () => {
    it('answers in the second document shape for a JWT and for an API token', async () => {
      const me = await t.call('GET', '/api/auth/me');
      expect(me.body.data).toEqual({
        user: {
          id: t.owner.id,
          email: t.owner.email,
          name: expect.any(String),
          organization_id: t.id,
          role: 'owner',
          is_api_token_auth: false,
          token_permissions: ['read', 'write'],
          token_scope: 'full',
        },
        auth_method: 'jwt',
      });
      const created = await t.call('POST', '/api/auth/tokens', { body: { name: 'ci', permissions: ['read'] } });
      const viaToken = await p.call('GET', '/api/auth/me', { token: created.body.data.token });
      expect(viaToken.body.data).toMatchObject({ auth_method: 'api_token', user: { is_api_token_auth: true, token_permissions: ['read'], token_scope: 'full' } });
    });
  });

  describe('API tokens', () => {
    it('creates (shown once, hashed), lists, uses, revokes within seconds, and deletes', async () => {
      const created = await t.call('POST', '/api/auth/tokens', {
        body: { name: 'My Integration Token', permissions: ['read', 'write'], scope: 'full', expiresAt: new Date(Date.now() + 86400_000).toISOString() },
      });
      expect(created.status).toBe(201);
      const { token, token_data } = created.body.data;
      expect(token).toMatch(/^ops_pat_[0-9a-f]{32}_[A-Za-z0-9_-]{40}$/);
      expect(token_data).toMatchObject({ name: 'My Integration Token', permissions: ['read', 'write'], scope: 'full', status: 'active' });
      // The prefix shown later identifies the token (its last characters) without revealing it.
      expect(token_data.token_prefix).toMatch(/^ops_pat_…/);
      expect(token.endsWith(token_data.token_prefix.split('…')[1])).toBe(true);

      const list = await t.call('GET', '/api/auth/tokens');
      expect(JSON.stringify(list.body)).not.toContain(token);
      expect(list.body.data).toMatchObject({ total: 1, limit: 50, offset: 0 });
      expect(list.body.data.items.map((x: { id: string }) => x.id)).toContain(token_data.id);
      expect((await t.call('GET', '/api/auth/tokens?limit=1&offset=1')).body.data).toMatchObject({ items: [], total: 1 });
      expect((await t.call('GET', '/api/auth/tokens?limit=0')).status).toBe(422);

      // The token carries its tenant: no x-tenant-id needed.
      const created2 = await p.call('POST', '/api/incidents', { token, body: { title: 'from a script', severity: 'P4' } });
      expect(created2.status).toBe(201);
      expect((await p.call('GET', '/api/incidents', { token, tenant: randomUUID() })).status).toBe(403);

      const revoke = await t.call('PUT', '/api/auth/tokens', { body: { action: 'revoke', tokenId: token_data.id } });
      expect(revoke.status).toBe(200);
      expect(revoke.body.data.status).toBe('revoked');
      await sleep(1200); // the gateway remembers a verified token for API_TOKEN_CACHE_MS (1 s here)
      const after = await p.call('GET', '/api/incidents', { token });
      expect(after.status).toBe(401);

      const del = await t.call('DELETE', `/api/auth/tokens?id=${token_data.id}`);
      expect(del.status).toBe(200);
      const list2 = await t.call('GET', '/api/auth/tokens');
      expect(list2.body.data.items.map((x: { id: string }) => x.id)).not.toContain(token_data.id);
      const again = await t.call('DELETE', `/api/auth/tokens?id=${token_data.id}`);
      expect(again.status).toBe(404);
    });

    it('rejects unknown, malformed and expired-date requests', async () => {
      const bogus = `ops_pat_${t.id.replace(/-/g, '')}_${'B'.repeat(40)}`;
      expect((await p.call('GET', '/api/incidents', { token: bogus })).status).toBe(401);
      const past = await t.call('POST', '/api/auth/tokens', { body: { name: 'old', permissions: ['read'], expires_at: '2020-01-01T00:00:00Z' } });
      expect(past.status).toBe(422);
      const badPerm = await t.call('POST', '/api/auth/tokens', { body: { name: 'x', permissions: ['admin'] } });
      expect(badPerm.status).toBe(422);
      expect((await t.call('PUT', '/api/auth/tokens', { body: { action: 'explode', token_id: 'x' } })).status).toBe(422);
    });

    it('a read token cannot write; a scoped token stays in its area; a token cannot mint tokens', async () => {
      const read = (await t.call('POST', '/api/auth/tokens', { body: { name: 'ro', permissions: ['read'] } })).body.data.token;
      expect((await p.call('GET', '/api/incidents', { token: read })).status).toBe(200);
      const w = await p.call('POST', '/api/incidents', { token: read, body: { title: 'nope' } });
      expect(w.status).toBe(403);
      expect(w.body.code).toBe('FORBIDDEN');

      const authOnly = (await t.call('POST', '/api/auth/tokens', { body: { name: 'auth', permissions: ['read', 'write'], scope: 'auth' } })).body.data.token;
      expect((await p.call('GET', '/api/incidents', { token: authOnly })).status).toBe(403);
      const mint = await p.call('POST', '/api/auth/tokens', { token: authOnly, body: { name: 'child', permissions: ['read'] } });
      expect(mint.status).toBe(403);
      expect((await t.call('GET', '/api/incidents?limit=1')).body.data.total).toBe(0);
    });
  });

  describe('roles', () => {
    it('a viewer reads but cannot write; a member writes; a viewer only mints read tokens', async () => {
      const viewer = await t.user('viewer');
      const member = await t.user('member');
      const inc = await t.incident();
      expect((await t.call('GET', `/api/incidents/${inc.id}`, { as: viewer })).status).toBe(200);
      for (const [method, path, body] of [
        ['POST', '/api/incidents', { title: 'x' }],
        ['PATCH', `/api/incidents/${inc.id}`, { status: 'acknowledged' }],
        ['PUT', `/api/incidents/${inc.id}`, { title: 'y' }],
        ['POST', `/api/incidents/${inc.id}/comments`, { body: 'hi' }],
      ] as const) {
        const r = await t.call(method, path, { body, as: viewer });
        expect({ method, path, status: r.status }).toEqual({ method, path, status: 403 });
      }
      expect((await t.call('GET', `/api/incidents/${inc.id}`)).body.data.status).toBe('open');
      expect((await t.call('PATCH', `/api/incidents/${inc.id}`, { body: { status: 'acknowledged' }, as: member })).status).toBe(200);
      expect((await t.call('POST', '/api/auth/tokens', { body: { name: 'v', permissions: ['read'] }, as: viewer })).status).toBe(201);
      expect((await t.call('POST', '/api/auth/tokens', { body: { name: 'v', permissions: ['write'] }, as: viewer })).status).toBe(403);
    });

    it("a member manages only their own tokens; an admin manages the tenant's", async () => {
      const member = await t.user('member');
      const admin = await t.user('admin');
      const mine = (await t.call('POST', '/api/auth/tokens', { body: { name: 'mine', permissions: ['read'] }, as: member })).body.data.token_data;
      const others = (await t.call('POST', '/api/auth/tokens', { body: { name: 'owner-token', permissions: ['read'] } })).body.data.token_data;
      expect((await t.call('DELETE', `/api/auth/tokens/${others.id}`, { as: member })).status).toBe(404);
      expect((await t.call('POST', `/api/auth/tokens/${mine.id}/revoke`, { as: admin })).status).toBe(200);
    });
  });
});
