import { Client } from 'pg';
import { TEST_DATABASE_URL } from '../support/env';
import { TestPlatform, TestTenant, TestUser } from '../support/platform';

/**
 * Change management through the gateway, as both documents' clients use it: the first document's
 * /api/itsm/changes and the second's /api/changes are the same records, in either document's field
 * names; the state machine; approvals under the tenant's policy; the timeline; tenants apart.
 */
describe('changes (through the gateway)', () => {
  let p: TestPlatform;
  let t: TestTenant;
  let member: TestUser;
  let member2: TestUser;
  let admin: TestUser;
  let viewer: TestUser;
  let db: Client;

  beforeAll(async () => {
    p = await TestPlatform.start();
    t = await p.tenant();
    [member, member2, admin, viewer] = await Promise.all([t.user('member'), t.user('member'), t.user('admin'), t.user('viewer')]);
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
  });
  afterAll(async () => {
    await db.end();
    await p.close();
  });

  const create = async (body: Record<string, unknown>, as: TestUser = member, path = '/api/changes') => {
    const r = await t.call('POST', path, { body, as });
    expect([r.status, r.body]).toEqual([201, expect.anything()]);
    return r.body.data;
  };
  const approve = (id: string, as: TestUser, action = 'approve', comments?: string) =>
    t.call('POST', `/api/changes/${id}/approval`, { body: { action, ...(comments ? { comments } : {}) }, as });

  it("creates from the first document's request and reads it back under both paths, by id and by reference", async () => {
    const c = await create(
      {
        title: 'Deploy v2.4.1',
        type: 'normal',
        risk_level: 'medium',
        requested_start: '2026-04-01T18:00:00Z',
        requested_end: '2026-04-01T22:00:00Z',
        implementation_plan: 'helm upgrade',
        rollback_plan: 'helm rollback',
        requested_by: 'ops@example.com',
      },
      member,
      '/api/itsm/changes',
    );
    expect(c).toMatchObject({
      reference: expect.stringMatching(/^CHG-\d{8}$/),
      status: 'pending_approval',
      approval_status: 'pending',
      type: 'normal',
      change_type: 'normal',
      risk_level: 'medium',
      requested_by: 'ops@example.com',
      backout_plan: 'helm rollback',
      rollback_plan: 'helm rollback',
      scheduled_start: '2026-04-01T18:00:00.000Z',
      approval_rule: { approvals: 1, manager_approvals: 1 },
    });
    for (const path of [`/api/changes/${c.id}`, `/api/itsm/changes/${c.reference}`]) {
      const r = await t.call('GET', path);
      expect([r.status, r.body.data.id, r.headers.get('etag')]).toEqual([200, c.id, '"1"']);
    }
  });

  it("creates from the second document's request (camelCase, priority normal) and updates with PUT", async () => {
    const r = await t.call('POST', '/api/changes', {
      as: member,
      body: {
        title: 'Update SSL Certificates',
        description: 'Renew SSL certificates for all production domains',
        priority: 'normal',
        changeType: 'standard',
        assignedTo: member.id,
        scheduledStart: '2024-01-25T01:00:00Z',
        scheduledEnd: '2024-01-25T02:00:00Z',
        riskLevel: 'medium',
        backoutPlan: 'Restore previous certificates from backup',
      },
    });
    expect(r.status).toBe(201);
    expect(r.headers.get('location')).toBe(`/api/changes/${r.body.data.id}`);
    const c = r.body.data;
    // A standard change is pre-approved.
    expect(c).toMatchObject({ status: 'approved', approval_status: 'approved', priority: 'medium', type: 'standard', assigned_to: member.id, backout_plan: 'Restore previous certificates from backup' });
    const start = await t.call('PUT', `/api/changes/${c.id}`, { as: member, body: { status: 'in_progress', actualStart: '2024-01-25T01:00:00Z' } });
    expect([start.status, start.body.data?.status, start.body.data?.actual_start]).toEqual([200, 'in_progress', '2024-01-25T01:00:00.000Z']);
    const done = await t.call('PUT', `/api/changes/${c.id}`, { as: member, body: { status: 'completed', actualStart: '2024-01-25T01:00:00Z', actualEnd: '2024-01-25T01:45:00Z' } });
    expect(done.body.data).toMatchObject({ status: 'completed', actual_end: '2024-01-25T01:45:00.000Z', version: 3 });
  });

  it('refuses bad input with a 422 naming the field, and writes nothing', async () => {
    const before = (await t.call('GET', '/api/changes?limit=1')).body.data.total;
    for (const body of [
      { title: '' },
      { title: 'x', type: 'urgent' },
      { title: 'x', risk_level: 'extreme' },
      { title: 'x', requested_start: '2026-04-01T18:00:00Z', requested_end: '2026-04-01T17:00:00Z' },
      { title: 'x', scheduled_start: 'next tuesday' },
      { title: 'x', rollback_plan: 'a', backoutPlan: 'b' },
    ]) {
      const r = await t.call('POST', '/api/changes', { body, as: member });
      expect([JSON.stringify(body), r.status, r.body.code]).toEqual([JSON.stringify(body), 422, 'VALIDATION_ERROR']);
    }
    expect((await t.call('GET', '/api/changes?limit=1')).body.data.total).toBe(before);
    expect((await t.call('POST', '/api/changes', { body: { title: 'viewers cannot' }, as: viewer })).status).toBe(403);
  });

  it('enforces the state machine with INVALID_TRANSITION naming the allowed next states', async () => {
    const c = await create({ title: 'Rotate keys', risk_level: 'low' });
    const r = await t.call('PATCH', `/api/changes/${c.id}`, { as: member, body: { status: 'completed' } });
    expect([r.status, r.body.code]).toEqual([400, 'INVALID_TRANSITION']);
    expect(r.body.error).toMatch(/allowed next states: draft, cancelled/);
    const self = await t.call('PATCH', `/api/changes/${c.id}`, { as: member, body: { status: 'approved' } });
    expect([self.status, self.body.code]).toEqual([400, 'INVALID_TRANSITION']);
    expect((await t.call('GET', `/api/changes/${c.id}`)).body.data).toMatchObject({ status: 'pending_approval', version: 1 });
  });

  it('approvals: not by the requester, each approver once, the policy decides (medium risk: one admin)', async () => {
    const c = await create({ title: 'Resize the database', risk_level: 'medium' });
    const own = await approve(c.id, member);
    expect([own.status, own.body.code]).toEqual([403, 'FORBIDDEN']);
    const first = await approve(c.id, member2, 'approve', 'looks fine');
    expect(first.body.data).toMatchObject({ status: 'pending_approval', approvals: [{ approver_id: member2.id, action: 'approve', manager: false, comments: 'looks fine' }] });
    const again = await approve(c.id, member2);
    expect(again.body.data.approvals).toHaveLength(1);
    const byAdmin = await approve(c.id, admin);
    expect(byAdmin.body.data).toMatchObject({ status: 'approved', approval_status: 'approved', approved_at: expect.any(String) });
    const late = await approve(c.id, viewer);
    expect(late.status).toBe(403);
    // Both documents' paths decide.
    const d = await create({ title: 'Second opinion', risk_level: 'low' });
    const r = await t.call('POST', `/api/itsm/changes/${d.reference}/approval`, { body: { action: 'reject', comments: 'not now' }, as: admin });
    expect(r.body.data).toMatchObject({ status: 'rejected', approval_status: 'rejected' });
  });

  it('high risk needs two approvers, one a change manager; the policy is per tenant and admins set it', async () => {
    const c = await create({ title: 'Migrate the cluster', risk_level: 'high' });
    await approve(c.id, member2);
    expect((await approve(c.id, viewer)).status).toBe(403);
    expect((await approve(c.id, admin)).body.data.status).toBe('approved');

    const policy = {
      normal: { low: { approvals: 1, manager_approvals: 0 }, medium: { approvals: 1, manager_approvals: 0 }, high: { approvals: 1, manager_approvals: 1 }, critical: { approvals: 3, manager_approvals: 1 } },
      emergency: { approvals: 1, manager_approvals: 1 },
      cab: [member2.id],
    };
    expect((await t.call('PUT', '/api/changes/policy', { as: member, body: policy })).status).toBe(403);
    const bad = await t.call('PUT', '/api/changes/policy', { as: admin, body: { ...policy, emergency: { approvals: 1, manager_approvals: 2 } } });
    expect([bad.status, bad.body.code]).toEqual([422, 'VALIDATION_ERROR']);
    const partial = await t.call('PUT', '/api/changes/policy', { as: admin, body: { ...policy, normal: { low: policy.normal.low } } });
    expect([partial.status, partial.body.code]).toEqual([422, 'VALIDATION_ERROR']);
    const set = await t.call('PUT', '/api/changes/policy', { as: admin, body: policy });
    expect(set.body.data).toMatchObject({ cab: [member2.id], normal: { high: { approvals: 1, manager_approvals: 1 } } });
    // A CAB member counts as a change manager.
    const d = await create({ title: 'Patch the kernel', risk_level: 'high' });
    expect(d.approval_rule).toEqual({ approvals: 1, manager_approvals: 1 });
    expect((await approve(d.id, member2)).body.data.status).toBe('approved');
    // Another tenant still has the defaults.
    const other = await p.tenant('Other');
    expect((await other.call('GET', '/api/itsm/changes/policy')).body.data).toMatchObject({ cab: [], normal: { high: { approvals: 2 } }, updated_at: null });
  });

  it('runs a change to failed (recording the backout) and an emergency change to closed after its review; the timeline tells it', async () => {
    const e = await create({ title: 'Hotfix the payment bug', type: 'emergency', risk_level: 'critical', scheduled_start: '2026-12-01T01:00:00Z', scheduled_end: '2026-12-01T02:00:00Z' });
    await approve(e.id, member2);
    await t.call('PATCH', `/api/changes/${e.id}`, { as: member, body: { status: 'scheduled' } });
    await t.call('PATCH', `/api/changes/${e.id}`, { as: member, body: { status: 'in_progress' } });
    const noBackout = await t.call('PATCH', `/api/changes/${e.id}`, { as: member, body: { status: 'failed' } });
    expect([noBackout.status, noBackout.body.code]).toEqual([422, 'VALIDATION_ERROR']);
    const failed = await t.call('PATCH', `/api/changes/${e.id}`, { as: member, body: { status: 'failed', backout_performed: true, comment: 'rolled back' } });
    expect(failed.body.data).toMatchObject({ status: 'failed', backout_performed: true, actual_end: expect.any(String) });
    const unreviewed = await t.call('PATCH', `/api/changes/${e.id}`, { as: member, body: { status: 'closed' } });
    expect([unreviewed.status, unreviewed.body.code]).toEqual([400, 'INVALID_TRANSITION']);
    const closed = await t.call('PATCH', `/api/changes/${e.id}`, { as: admin, body: { status: 'closed', review_notes: 'Backout worked; retry next week' } });
    expect(closed.body.data).toMatchObject({ status: 'closed', reviewed_by: admin.email, closed_at: expect.any(String) });

    const tl = (await t.call('GET', `/api/changes/${e.reference}/timeline`)).body.data;
    expect(tl.items.map((x: { type: string }) => x.type)).toEqual(['created', 'approval', 'status_changed', 'status_changed', 'status_changed', 'status_changed']);
    expect(tl.items[1].message).toMatch(new RegExp(`Approved by ${member2.email}`));
    expect(tl.items[4]).toMatchObject({ changes: { status: { from: 'in_progress', to: 'failed' } }, message: 'rolled back' });
  });

  it('If-Match: a stale version is 412 and changes nothing', async () => {
    const c = await create({ title: 'Two editors', risk_level: 'low' });
    const r = await t.call('PATCH', `/api/changes/${c.id}`, { as: member, body: { title: 'Mine' }, headers: { 'if-match': '"1"' } });
    expect(r.status).toBe(200);
    const stale = await t.call('PATCH', `/api/changes/${c.id}`, { as: member, body: { title: 'Theirs' }, headers: { 'if-match': '"1"' } });
    expect(stale.status).toBe(412);
    expect((await t.call('GET', `/api/changes/${c.id}`)).body.data.title).toBe('Mine');
  });

  it('lists with filters, sorting and pagination', async () => {
    const u = await p.tenant('Lists');
    // ci_ids name the tenant's configuration items, by id or by name.
    const db1 = await u.ci('db-1', 'database');
    await u.ci('sw-1', 'network');
    const mk = (body: Record<string, unknown>) => u.call('POST', '/api/changes', { body });
    await mk({ title: 'A db change', type: 'standard', risk_level: 'low', ci_ids: ['db-1'], scheduled_start: '2026-05-01T00:00:00Z', scheduled_end: '2026-05-01T01:00:00Z' });
    await mk({ title: 'B network change', risk_level: 'high', ci_ids: ['sw-1'], scheduled_start: '2026-06-01T00:00:00Z', scheduled_end: '2026-06-01T01:00:00Z' });
    await mk({ title: 'C emergency', type: 'emergency', risk_level: 'critical', ci_ids: ['db-1'] });
    const q = async (s: string) => (await u.call('GET', `/api/changes?${s}`)).body.data;
    expect((await q('status=approved')).items.map((x: { title: string }) => x.title)).toEqual(['A db change']);
    expect((await q('approval_status=pending&sort=-risk_level')).items.map((x: { title: string }) => x.title)).toEqual(['C emergency', 'B network change']);
    expect((await q(`ci_id=${db1}`)).total).toBe(2);
    expect((await q('type=emergency,standard')).total).toBe(2);
    expect((await q('from=2026-05-15T00:00:00Z&to=2026-06-15T00:00:00Z')).items.map((x: { title: string }) => x.title)).toEqual(['B network change']);
    expect((await q('q=network')).total).toBe(1);
    expect(await q('limit=1&offset=1&sort=reference')).toMatchObject({ total: 3, limit: 1, offset: 1, items: [{ title: 'B network change' }] });
    expect((await u.call('GET', '/api/changes?status=bogus')).status).toBe(422);
  });

  it('keeps tenants apart on every route', async () => {
    const mine = await create({ title: 'Private change', risk_level: 'low' });
    const other = await p.tenant('Elsewhere');
    for (const [method, path, body] of [
      ['GET', `/api/changes/${mine.id}`],
      ['GET', `/api/itsm/changes/${mine.reference}`],
      ['PATCH', `/api/changes/${mine.id}`, { title: 'hijacked' }],
      ['PUT', `/api/itsm/changes/${mine.id}`, { title: 'hijacked' }],
      ['POST', `/api/changes/${mine.id}/approval`, { action: 'approve' }],
      ['GET', `/api/changes/${mine.id}/timeline`],
    ] as [string, string, unknown?][]) {
      const r = await other.call(method, path, { body });
      expect([method, path, r.status]).toEqual([method, path, 404]);
    }
    expect((await other.call('GET', '/api/changes')).body.data.total).toBe(0);
    expect((await t.call('GET', `/api/changes/${mine.id}`)).body.data).toMatchObject({ title: 'Private change', version: 1, approvals: [] });
    // The same reference numbers, each tenant its own.
    const theirs = (await other.call('POST', '/api/changes', { body: { title: 'Their first' } })).body.data;
    expect(theirs.reference).toBe('CHG-00000001');
  });

  it('conflicts: an overlapping approved change on the same CI or a freeze window blocks approval unless an admin overrides with a reason', async () => {
    const u = await p.tenant('Conflicts');
    const [m1, m2, a1] = await Promise.all([u.user('member'), u.user('member'), u.user('admin')]);
    const db1 = await u.ci('db-1', 'database');
    for (const name of ['app-1', 'app-2']) await u.ci(name);
    const mk = async (body: Record<string, unknown>, as = m1) => (await u.call('POST', '/api/changes', { body, as })).body.data;
    const ok = await mk({ title: 'Replace disk', type: 'standard', ci_ids: ['db-1'], scheduled_start: '2026-12-10T01:00:00Z', scheduled_end: '2026-12-10T03:00:00Z' });
    expect(ok).toMatchObject({ status: 'approved', conflicts: [] });
    const clash = await mk({ title: 'Tune db', risk_level: 'low', ci_ids: ['db-1', 'app-1'], scheduled_start: '2026-12-10T02:00:00Z', scheduled_end: '2026-12-10T04:00:00Z' });
    expect(clash.conflicts).toEqual([
      { kind: 'change', id: ok.id, reference: ok.reference, title: 'Replace disk', start: '2026-12-10T01:00:00.000Z', end: '2026-12-10T03:00:00.000Z', ci_ids: [db1] },
    ]);
    // Another CI, or a window that only touches: no conflict.
    expect((await mk({ title: 'Other CI', risk_level: 'low', ci_ids: ['app-2'], scheduled_start: '2026-12-10T02:00:00Z', scheduled_end: '2026-12-10T04:00:00Z' })).conflicts).toEqual([]);
    expect((await mk({ title: 'Right after', risk_level: 'low', ci_ids: ['db-1'], scheduled_start: '2026-12-10T03:00:00Z', scheduled_end: '2026-12-10T04:00:00Z' })).conflicts).toEqual([]);

    const refused = await u.call('POST', `/api/changes/${clash.id}/approval`, { as: m2, body: { action: 'approve' } });
    expect([refused.status, refused.body.code]).toEqual([409, 'CONFLICT']);
    expect(refused.body.error).toMatch(new RegExp(ok.reference));
    expect((await u.call('POST', `/api/changes/${clash.id}/approval`, { as: m2, body: { action: 'approve', override_reason: 'trust me' } })).status).toBe(403);
    const overridden = await u.call('POST', `/api/changes/${clash.id}/approval`, { as: a1, body: { action: 'approve', override_reason: 'Same maintenance window, coordinated with the DBA' } });
    expect(overridden.body.data).toMatchObject({ status: 'approved', approvals: [{ approver_id: a1.id, override_reason: 'Same maintenance window, coordinated with the DBA' }] });
    const tl = (await u.call('GET', `/api/changes/${clash.id}/timeline`)).body.data.items;
    expect(tl.at(-1).message).toMatch(/conflicts overridden: Same maintenance window/);

    // A freeze window (admins only) covering every CI.
    expect((await u.call('POST', '/api/itsm/freeze-windows', { as: m1, body: { name: 'x', start: '2026-12-20T00:00:00Z', end: '2027-01-02T00:00:00Z' } })).status).toBe(403);
    const bad = await u.call('POST', '/api/itsm/freeze-windows', { as: a1, body: { name: 'x', start: '2026-12-20T00:00:00Z', end: '2026-12-19T00:00:00Z' } });
    expect([bad.status, bad.body.code]).toEqual([422, 'VALIDATION_ERROR']);
    const freeze = (await u.call('POST', '/api/itsm/freeze-windows', { as: a1, body: { name: 'Year-end freeze', reason: 'Peak season', start: '2026-12-20T00:00:00Z', end: '2027-01-02T00:00:00Z' } })).body.data;
    const frozen = await mk({ title: 'Holiday deploy', risk_level: 'low', scheduled_start: '2026-12-24T10:00:00Z', scheduled_end: '2026-12-24T11:00:00Z' });
    expect(frozen.conflicts).toMatchObject([{ kind: 'freeze', id: freeze.id, title: 'Year-end freeze', reference: null }]);
    expect((await u.call('POST', `/api/changes/${frozen.id}/approval`, { as: m2, body: { action: 'approve' } })).status).toBe(409);
    // The freeze lifted: approval goes through (conflicts are looked up again when deciding).
    expect((await u.call('DELETE', `/api/itsm/freeze-windows/${freeze.id}`, { as: a1 })).status).toBe(200);
    expect((await u.call('POST', `/api/changes/${frozen.id}/approval`, { as: m2, body: { action: 'approve' } })).body.data).toMatchObject({ status: 'approved', conflicts: [] });

    // The calendar of a range: changes by window and freeze windows.
    await u.call('POST', '/api/itsm/freeze-windows', { as: a1, body: { name: 'Audit week', start: '2026-12-09T00:00:00Z', end: '2026-12-11T00:00:00Z', ci_ids: ['db-1'] } });
    const cal = (await u.call('GET', '/api/itsm/changes/calendar?from=2026-12-10T00:00:00Z&to=2026-12-10T23:59:59Z')).body.data;
    expect(cal.changes.map((c: { title: string }) => c.title)).toEqual(['Replace disk', 'Tune db', 'Other CI', 'Right after']);
    expect(cal.freeze_windows.map((f: { name: string }) => f.name)).toEqual(['Audit week']);
    expect((await u.call('GET', '/api/changes/calendar?from=2026-01-01T00:00:00Z&to=2027-06-01T00:00:00Z')).status).toBe(422);
    expect((await u.call('GET', '/api/changes/calendar')).status).toBe(422);
    // Another tenant sees none of it.
    const other = await p.tenant('Calm');
    expect((await other.call('GET', '/api/itsm/changes/calendar?from=2026-12-01T00:00:00Z&to=2026-12-31T00:00:00Z')).body.data).toMatchObject({ changes: [], freeze_windows: [] });
    expect((await other.call('GET', '/api/itsm/freeze-windows')).body.data.total).toBe(0);
  });

  it('computes a risk score beside the requested level, from the type, CIs, backout plan and the failure history', async () => {
    const u = await p.tenant('Risky');
    await u.ci('a');
    const low = (await u.call('POST', '/api/changes', { body: { title: 'Safe', type: 'normal', risk_level: 'high', ci_ids: ['a'], backout_plan: 'undo' } })).body.data;
    expect(low).toMatchObject({ risk_level: 'high', risk_score: 25, computed_risk_level: 'medium' });
    // One failed change in the last 90 days: every later change scores the history (30 x 1/1).
    const f = (await u.call('POST', '/api/changes', { body: { title: 'Will fail', type: 'standard' } })).body.data;
    await u.call('PATCH', `/api/changes/${f.id}`, { body: { status: 'in_progress' } });
    await u.call('PATCH', `/api/changes/${f.id}`, { body: { status: 'failed', backout_performed: false } });
    const after = (await u.call('POST', '/api/changes', { body: { title: 'After a failure', type: 'normal', ci_ids: ['a'], backout_plan: 'undo' } })).body.data;
    expect(after).toMatchObject({ risk_score: 55, computed_risk_level: 'high' });
  });

  it('writes its events and the audit entry through the outbox', async () => {
    const c = await create({ title: 'Audited change', risk_level: 'low' });
    await approve(c.id, member2);
    const rows = (await db.query(`SELECT subject, payload FROM itsm.outbox WHERE payload->'data'->'change'->>'id' = $1 ORDER BY created_at, id`, [c.id])).rows;
    expect(rows.map((r) => r.subject)).toEqual(['itsm.change.created.v1', 'itsm.change.approved.v1', 'itsm.change.status_changed.v1']);
    expect(rows[0].payload.audit[0]).toMatchObject({ action: 'change.created', resource_id: c.id });
    expect(rows[1].payload.audit[0]).toMatchObject({ action: 'change.approved', actor_id: member2.id });
    for (let i = 0; i < 50; i++) {
      const a = (await t.call('GET', `/api/audit?resource_id=${c.id}`)).body.data;
      if (a.total >= 2) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('the audit entries did not arrive');
  });
});
