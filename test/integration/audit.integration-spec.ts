import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { TEST_DATABASE_URL } from '../support/env';
import { TestPlatform, TestTenant, TestUser } from '../support/platform';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A W3C traceparent with a fresh trace id. */
function traced(): { traceId: string; headers: Record<string, string> } {
  const traceId = randomBytes(16).toString('hex');
  return { traceId, headers: { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` } };
}

describe('audit log (through the gateway)', () => {
  let p: TestPlatform;
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

  /** Delivery is asynchronous (outbox → JetStream → consumer): polls until `n` entries match. */
  async function waitForAudit(t: TestTenant, query: string, n: number, as?: TestUser): Promise<any[]> {
    let items: any[] = [];
    for (let i = 0; i < 100; i++) {
      const r = await t.call('GET', `/api/audit?${query}`, { as });
      expect(r.status).toBe(200);
      items = r.body.data.items;
      if (items.length >= n) return items;
      await sleep(100);
    }
    throw new Error(`expected ${n} audit entries for ${query}, got ${items.length}: ${JSON.stringify(items)}`);
  }

  const entry = (over: Record<string, unknown>) => ({
    id: expect.any(String),
    occurred_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
    recorded_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
    trace_id: expect.stringMatching(/^[0-9a-f]{32}$/),
    ...over,
  });

  describe('incidents', () => {
    it('records create, update, status change and comment with who, before/after and the trace id', async () => {
      const t = await p.tenant();
      const create = traced();
      const c = await t.call('POST', '/api/incidents', { body: { title: 'Disk full', severity: 'P3' }, headers: create.headers });
      expect(c.status).toBe(201);
      const inc = c.body.data;

      const update = traced();
      expect((await t.call('PATCH', `/api/incidents/${inc.id}`, { body: { title: 'Disk really full' }, headers: update.headers })).status).toBe(200);
      expect((await t.call('PATCH', `/api/incidents/${inc.id}`, { body: { status: 'acknowledged' } })).status).toBe(200);
      const comment = traced();
      expect((await t.call('POST', `/api/incidents/${inc.id}/comments`, { body: { body: 'looking' }, headers: comment.headers })).status).toBe(201);

      const items = await waitForAudit(t, `resource_id=${inc.id}`, 4);
      expect(items).toHaveLength(4);
      const who = { actor_id: t.owner.id, actor_email: t.owner.email, actor_type: 'user', token_id: null };
      const [commented, statusChange, updated, created] = items; // newest first
      expect(created).toEqual(
        entry({ action: 'incident.created', resource_type: 'incident', resource_id: inc.id, ...who, before: null, trace_id: create.traceId, after: expect.objectContaining({ id: inc.id, title: 'Disk full', status: 'open' }) }),
      );
      expect(updated).toMatchObject({
        action: 'incident.updated',
        trace_id: update.traceId,
        ...who,
        before: { title: 'Disk full', status: 'open' },
        after: { title: 'Disk really full', status: 'open' },
      });
      expect(statusChange).toMatchObject({ action: 'incident.updated', before: { status: 'open' }, after: { status: 'acknowledged', acknowledged_at: expect.any(String) } });
      expect(commented).toMatchObject({ action: 'incident.commented', trace_id: comment.traceId, before: null, after: { body: 'looking', incident_id: inc.id, author_id: t.owner.id } });
    });

    it('records the API token that made a change', async () => {
      const t = await p.tenant();
      const created = await t.call('POST', '/api/auth/tokens', { body: { name: 'ci', permissions: ['read', 'write'] } });
      expect(created.status).toBe(201);
      const { token, token_data } = created.body.data;
      const r = await p.call('POST', '/api/incidents', { token, body: { title: 'From CI', severity: 'P4' } });
      expect(r.status).toBe(201);
      const [e] = await waitForAudit(t, `resource_id=${r.body.data.id}`, 1);
      expect(e).toMatchObject({ action: 'incident.created', actor_id: t.owner.id, actor_email: t.owner.email, actor_type: 'api_token', token_id: token_data.id });
    });

    it('a rejected write (invalid transition, validation error) leaves no record', async () => {
      const t = await p.tenant();
      const inc = await t.incident();
      expect((await t.call('PATCH', `/api/incidents/${inc.id}`, { body: { status: 'closed' } })).status).toBe(200);
      const bad = await t.call('PATCH', `/api/incidents/${inc.id}`, { body: { status: 'open' } });
      expect(bad.status).toBe(400);
      expect((await t.call('PATCH', `/api/incidents/${inc.id}`, { body: { title: '' } })).status).toBe(422);
      await waitForAudit(t, `resource_id=${inc.id}`, 2);
      // A later write is delivered after (the outbox is relayed in order): once it is there, nothing else came.
      const marker = await t.incident({ title: 'marker' });
      await waitForAudit(t, `resource_id=${marker.id}`, 1);
      const all = await t.call('GET', `/api/audit?resource_id=${inc.id}`);
      expect(all.body.data.items.map((i: any) => i.action)).toEqual(['incident.updated', 'incident.created']);
      expect(all.body.data.items[0].after.status).toBe('closed');
    });
  });

  describe('API tokens, team and organization', () => {
    it('records token create, revoke and delete without the token value', async () => {
      const t = await p.tenant();
      const tr = traced();
      const created = await t.call('POST', '/api/auth/tokens', { body: { name: 'deploy', permissions: ['read'] }, headers: tr.headers });
      const { token, token_data } = created.body.data;
      expect((await t.call('PUT', '/api/auth/tokens', { body: { action: 'revoke', token_id: token_data.id } })).status).toBe(200);
      expect((await t.call('DELETE', `/api/auth/tokens/${token_data.id}`)).status).toBe(200);

      const items = await waitForAudit(t, `resource_type=api_token&resource_id=${token_data.id}`, 3);
      expect(items.map((i) => i.action)).toEqual(['api_token.deleted', 'api_token.revoked', 'api_token.created']);
      const [deleted, revoked, createdEntry] = items;
      expect(createdEntry).toEqual(
        entry({ action: 'api_token.created', resource_type: 'api_token', resource_id: token_data.id, actor_id: t.owner.id, actor_email: t.owner.email, actor_type: 'user', token_id: null, before: null, trace_id: tr.traceId, after: expect.objectContaining({ name: 'deploy', status: 'active' }) }),
      );
      expect(revoked).toMatchObject({ before: { status: 'active', revoked_at: null }, after: { status: 'revoked', revoked_at: expect.any(String) } });
      expect(deleted).toMatchObject({ before: { status: 'revoked' }, after: null });
      const raw = JSON.stringify(items);
      expect(raw).not.toContain(token);
      expect(raw).not.toMatch(/token_hash|password/);
    });

    it('records invite, accept, revoke, role change and removal, never with a secret', async () => {
      const t = await p.tenant();
      const email = `new-${randomUUID().slice(0, 8)}@example.com`;
      const inv = await t.call('POST', '/api/team/invite', { body: { email, role: 'member' } });
      expect(inv.status).toBe(201);
      const { invitation, token } = inv.body.data;
      const acceptTrace = traced();
      const password = `pw-${randomUUID()}`;
      const accepted = await p.call('POST', '/api/team/invitations/accept', { body: { token, password }, headers: acceptTrace.headers });
      expect(accepted.status).toBe(201);
      const newcomer = accepted.body.data.user;

      const other = await t.call('POST', '/api/team/invite', { body: { email: `x-${randomUUID().slice(0, 8)}@example.com`, role: 'viewer' } });
      expect((await t.call('DELETE', `/api/team/invitations/${other.body.data.invitation.id}`)).status).toBe(200);
      expect((await t.call('PUT', `/api/team/${newcomer.id}/role`, { body: { role: 'admin' } })).status).toBe(200);
      expect((await t.call('DELETE', `/api/team/${newcomer.id}`)).status).toBe(200);

      const invEntries = await waitForAudit(t, `resource_id=${invitation.id}`, 2);
      expect(invEntries.map((i) => i.action)).toEqual(['team.invitation_accepted', 'team.member_invited']);
      expect(invEntries[1]).toMatchObject({ actor_id: t.owner.id, resource_type: 'invitation', before: null, after: { email, role: 'member', status: 'pending' } });
      expect(invEntries[0]).toMatchObject({
        actor_id: newcomer.id,
        actor_email: email,
        actor_type: 'user',
        trace_id: acceptTrace.traceId,
        before: { status: 'pending' },
        after: { status: 'accepted' },
      });
      const revoked = await waitForAudit(t, `action=team.invitation_revoked`, 1);
      expect(revoked[0]).toMatchObject({ resource_id: other.body.data.invitation.id, before: { status: 'pending' }, after: { status: 'revoked' } });
      const member = await waitForAudit(t, `resource_type=team_member&resource_id=${newcomer.id}`, 2);
      expect(member[1]).toMatchObject({ action: 'team.role_changed', actor_id: t.owner.id, before: { role: 'member' }, after: { role: 'admin' } });
      expect(member[0]).toMatchObject({ action: 'team.member_removed', before: { id: newcomer.id, email, role: 'admin' }, after: null });

      const all = await t.call('GET', '/api/audit?limit=500');
      const raw = JSON.stringify(all.body);
      expect(raw).not.toContain(token);
      expect(raw).not.toContain(password);
      expect(raw).not.toContain(t.owner.password);
      const stored = await db.query(`SELECT row_to_json(a)::text AS j FROM auth.audit_log a WHERE tenant_id = $1`, [t.id]);
      expect(stored.rows.length).toBeGreaterThanOrEqual(6);
      for (const r of stored.rows) {
        expect(r.j).not.toContain(token);
        expect(r.j).not.toContain(password);
        expect(r.j).not.toMatch(/password_hash|token_hash|\$argon|\$2[aby]\$/);
      }
    });

    it('records an organization update with before and after', async () => {
      const t = await p.tenant();
      const tr = traced();
      const r = await t.call('PUT', '/api/organization', { body: { name: 'Renamed Inc', settings: { timezone: 'Europe/Paris' } }, headers: tr.headers });
      expect(r.status).toBe(200);
      const [e] = await waitForAudit(t, 'action=organization.updated', 1);
      expect(e).toEqual(
        entry({
          action: 'organization.updated',
          resource_type: 'organization',
          resource_id: t.id,
          actor_id: t.owner.id,
          actor_email: t.owner.email,
          actor_type: 'user',
          token_id: null,
          trace_id: tr.traceId,
          before: expect.objectContaining({ name: 'Acme' }),
          after: expect.objectContaining({ name: 'Renamed Inc', settings: expect.objectContaining({ timezone: 'Europe/Paris' }) }),
        }),
      );
    });
  });

  describe('GET /api/audit', () => {
    it('filters (action, resource, actor, from/to) and pages, newest first', async () => {
      const t = await p.tenant();
      const admin = await t.user('admin');
      const start = new Date().toISOString();
      const a = await t.incident({ title: 'a' });
      const b = await t.incident({ title: 'b' }, admin);
      const c = await t.incident({ title: 'c' });
      await t.call('PATCH', `/api/incidents/${a.id}`, { body: { title: 'a2' } });
      const all = await waitForAudit(t, 'resource_type=incident', 4);
      expect(all.map((i) => i.resource_id)).toEqual([a.id, c.id, b.id, a.id]);

      const created = await t.call('GET', '/api/audit?action=incident.created');
      expect(created.body.data).toMatchObject({ total: 3, limit: 50, offset: 0 });
      const page = await t.call('GET', '/api/audit?action=incident.created&limit=1&offset=1');
      expect(page.body.data).toMatchObject({ total: 3, limit: 1, offset: 1, items: [{ resource_id: b.id }] });
      const byAdmin = await t.call('GET', `/api/audit?actor_id=${admin.id}`);
      expect(byAdmin.body.data).toMatchObject({ total: 1, items: [{ resource_id: b.id, actor_email: admin.email }] });
      const byAdminAsAdmin = await t.call('GET', `/api/audit?actor_id=${admin.id}`, { as: admin });
      expect(byAdminAsAdmin.status).toBe(200);

      expect((await t.call('GET', `/api/audit?from=${encodeURIComponent(start)}&resource_type=incident`)).body.data.total).toBe(4);
      expect((await t.call('GET', `/api/audit?to=${encodeURIComponent(start)}`)).body.data.total).toBe(0);
      const future = new Date(Date.now() + 3600_000).toISOString();
      expect((await t.call('GET', `/api/audit?from=${encodeURIComponent(future)}`)).body.data.total).toBe(0);

      // Any service records its own <resource>.<verb> actions: one nobody recorded finds nothing; a malformed one is a 422.
      expect((await t.call('GET', '/api/audit?action=incident.exploded')).body.data.total).toBe(0);
      const malformed = await t.call('GET', '/api/audit?action=DROP%20TABLE');
      expect(malformed.status).toBe(422);
      expect(malformed.body.code).toBe('VALIDATION_ERROR');
      expect((await t.call('GET', '/api/audit?from=yesterday')).status).toBe(422);
      expect((await t.call('GET', '/api/audit?limit=501')).status).toBe(422);
    });

    it('is for admins and owners only (403 for member and viewer)', async () => {
      const t = await p.tenant();
      const member = await t.user('member');
      const viewer = await t.user('viewer');
      const r1 = await t.call('GET', '/api/audit', { as: member });
      expect(r1.status).toBe(403);
      expect(r1.body.code).toBe('FORBIDDEN');
      expect((await t.call('GET', '/api/audit', { as: viewer })).status).toBe(403);
      expect((await p.call('GET', '/api/audit', { tenant: t.id })).status).toBe(401);
    });

    it('a tenant never sees another tenant’s entries', async () => {
      const a = await p.tenant();
      const b = await p.tenant();
      const inc = await a.incident({ title: 'secret A' });
      await waitForAudit(a, `resource_id=${inc.id}`, 1);
      const fromB = await b.call('GET', `/api/audit?resource_id=${inc.id}`);
      expect(fromB.status).toBe(200);
      expect(fromB.body.data).toMatchObject({ total: 0, items: [] });
      const allB = await b.call('GET', '/api/audit?limit=500');
      expect(JSON.stringify(allB.body)).not.toContain(inc.id);
      // B's owner token with A's tenant header is refused.
      expect((await p.call('GET', '/api/audit', { token: b.owner.token, tenant: a.id })).status).toBe(403);
    });

    it('no route changes or deletes an entry (405, allowing only reads)', async () => {
      const t = await p.tenant();
      for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
        const r = await t.call(method, '/api/audit', { body: {} });
        expect(r.status).toBe(405);
        expect(r.body.code).toBe('METHOD_NOT_ALLOWED');
        expect(r.headers.get('allow')).toBe('GET, HEAD');
      }
    });
  });

  describe('append-only storage', () => {
    it('refuses UPDATE, DELETE and TRUNCATE even from the owner connection', async () => {
      const t = await p.tenant();
      const inc = await t.incident();
      const [e] = await waitForAudit(t, `resource_id=${inc.id}`, 1);
      await expect(db.query(`UPDATE auth.audit_log SET action = 'incident.updated' WHERE id = $1`, [e.id])).rejects.toThrow(/append-only/);
      await expect(db.query(`DELETE FROM auth.audit_log WHERE id = $1`, [e.id])).rejects.toThrow(/append-only/);
      await expect(db.query(`TRUNCATE auth.audit_log`)).rejects.toThrow(/append-only/);
      const still = await db.query(`SELECT action FROM auth.audit_log WHERE id = $1`, [e.id]);
      expect(still.rows).toEqual([{ action: 'incident.created' }]);
      // The one exception is a tenant purge (its transaction sets app.tenant_purge), and only for DELETE.
      await db.query('BEGIN');
      try {
        await db.query(`SELECT set_config('app.tenant_purge', 'on', true)`);
        await expect(db.query(`UPDATE auth.audit_log SET action = 'incident.updated' WHERE id = $1`, [e.id])).rejects.toThrow(/append-only/);
      } finally {
        await db.query('ROLLBACK');
      }
      await db.query('BEGIN');
      try {
        await db.query(`SELECT set_config('app.tenant_purge', 'on', true)`);
        expect((await db.query(`DELETE FROM auth.audit_log WHERE id = $1`, [e.id])).rowCount).toBe(1);
      } finally {
        await db.query('ROLLBACK');
      }
    });

    it('a write is one outbox row: its event carries the audit entry', async () => {
      const t = await p.tenant();
      const inc = await t.incident();
      const rows = (await db.query(`SELECT subject, payload FROM incidents.outbox WHERE tenant_id = $1`, [t.id])).rows;
      expect(rows.map((r) => r.subject)).toEqual(['incidents.incident.created.v1']);
      expect(rows[0].payload.audit).toEqual([expect.objectContaining({ action: 'incident.created', resource_id: inc.id, after: expect.objectContaining({ id: inc.id }) })]);
      const [entry] = await waitForAudit(t, `resource_id=${inc.id}`, 1);
      expect(entry.id).toBe(rows[0].payload.event_id);
    });

    it('a redelivered event is recorded once', async () => {
      const t = await p.tenant();
      const inc = await t.incident();
      await waitForAudit(t, `resource_id=${inc.id}`, 1);
      // The same event again under another message id (past JetStream's de-duplication): the consumer keeps one entry.
      const [row] = (await db.query(`SELECT id, subject, payload, headers FROM incidents.outbox WHERE tenant_id = $1 AND subject = 'incidents.incident.created.v1'`, [t.id])).rows;
      await p.platform.services.find((s) => s.name === 'incidents')!.runtime.eventBus.publish({ id: `${row.id}:again`, subject: row.subject, payload: row.payload, headers: row.headers });
      await sleep(500);
      expect((await t.call('GET', `/api/audit?resource_id=${inc.id}`)).body.data.total).toBe(1);
    });
  });
});
