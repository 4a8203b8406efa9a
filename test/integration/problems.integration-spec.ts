import { TestPlatform, TestTenant, TestUser } from '../support/platform';

/** Problems through the gateway (second document's /api/problems, in its camelCase too). */
describe('problems (through the gateway)', () => {
  let p: TestPlatform;
  let t: TestTenant;
  let viewer: TestUser;

  beforeAll(async () => {
    p = await TestPlatform.start();
    t = await p.tenant();
    viewer = await t.user('viewer');
  });
  afterAll(async () => {
    await p.close();
  });

  it("creates from the second document's request, linked to its incidents, which show their problem", async () => {
    const a = await t.incident({ title: 'DB timeout 1' });
    const b = await t.incident({ title: 'DB timeout 2' });
    const r = await t.call('POST', '/api/problems', {
      body: { title: 'Recurring Database Timeouts', description: 'Daily at peak', priority: 'high', assignedTo: t.owner.id, relatedIncidents: [a.id, b.reference] },
    });
    expect(r.status).toBe(201);
    expect(r.headers.get('location')).toBe(`/api/problems/${r.body.data.id}`);
    expect(r.body.data).toMatchObject({ reference: 'PRB-00000001', status: 'new', priority: 'high', assigned_to: t.owner.id, known_error: false });
    expect([...r.body.data.related_incidents].sort()).toEqual([a.id, b.id].sort());
    expect((await t.call('GET', `/api/incidents/${a.reference}`)).body.data.problem_id).toBe(r.body.data.id);
    expect((await t.call('GET', `/api/problems?incident_id=${b.reference}`)).body.data.items.map((x: { id: string }) => x.id)).toEqual([r.body.data.id]);
  });

  it('refuses unknown or foreign incidents and bad input with a 422, writing nothing', async () => {
    const other = await p.tenant('Other');
    const theirs = await other.incident({ title: 'not yours' });
    const before = (await t.call('GET', '/api/problems')).body.data.total;
    for (const body of [{ title: 'x', relatedIncidents: [theirs.id] }, { title: 'x', related_incidents: ['INC-99999999'] }, { title: '' }, { title: 'x', priority: 'urgent' }, { title: 'x', related_incidents: ['nope'] }]) {
      const r = await t.call('POST', '/api/problems', { body });
      expect([JSON.stringify(body), r.status, r.body.code]).toEqual([JSON.stringify(body), 422, 'VALIDATION_ERROR']);
    }
    expect((await t.call('GET', '/api/problems')).body.data.total).toBe(before);
    expect((await t.call('POST', '/api/problems', { as: viewer, body: { title: 'x' } })).status).toBe(403);
  });

  it('enforces the lifecycle; a known error documents its workaround; resolving notes it on the open linked incidents', async () => {
    const inc = await t.incident({ title: 'Memory pressure' });
    const done = await t.incident({ title: 'Old memory pressure' });
    await t.call('PATCH', `/api/incidents/${done.id}`, { body: { status: 'resolved' } });
    const pr = (await t.call('POST', '/api/problems', { body: { title: 'Memory Leak in User Service', priority: 'medium', relatedIncidents: [inc.id] } })).body.data;
    await t.call('POST', `/api/problems/${pr.id}/incidents`, { body: { incident_id: done.reference } });
    const noWorkaround = await t.call('PUT', `/api/problems/${pr.id}`, { body: { status: 'known_error' } });
    expect([noWorkaround.status, noWorkaround.body.code, noWorkaround.body.details?.[0]?.field]).toEqual([422, 'VALIDATION_ERROR', 'workaround']);
    const ke = (await t.call('PATCH', `/api/problems/${pr.reference}`, { body: { status: 'known_error', workaround: 'Restart nightly' } })).body.data;
    expect(ke).toMatchObject({ status: 'known_error', known_error: true, workaround: 'Restart nightly' });
    const back = await t.call('PATCH', `/api/problems/${pr.id}`, { body: { status: 'new' } });
    expect([back.status, back.body.code]).toEqual([400, 'INVALID_TRANSITION']);
    expect(back.body.error).toMatch(/allowed next states: resolved, closed/);
    const res = (await t.call('PUT', `/api/problems/${pr.id}`, { body: { status: 'resolved', rootCause: 'Memory leak in user session cache', solution: 'Implemented cache cleanup routine' } })).body.data;
    expect(res).toMatchObject({ status: 'resolved', root_cause: 'Memory leak in user session cache', resolved_at: expect.any(String) });
    const tl = (await t.call('GET', `/api/incidents/${inc.id}/timeline`)).body.data.items;
    expect(tl.at(-1)).toMatchObject({ type: 'comment', message: `Problem ${pr.reference} resolved: Implemented cache cleanup routine` });
    const doneTl = (await t.call('GET', `/api/incidents/${done.id}/timeline`)).body.data.items;
    expect(doneTl.some((x: { message: string | null }) => x.message?.startsWith('Problem'))).toBe(false);
    expect((await t.call('PATCH', `/api/problems/${pr.id}`, { body: { status: 'investigating' } })).body.data).toMatchObject({ status: 'investigating', resolved_at: null });
  });

  it('If-Match and tenants apart on every route', async () => {
    const pr = (await t.call('POST', '/api/problems', { body: { title: 'Mine' } })).body.data;
    expect((await t.call('PATCH', `/api/problems/${pr.id}`, { body: { title: 'Edited' }, headers: { 'if-match': '"1"' } })).status).toBe(200);
    expect((await t.call('PATCH', `/api/problems/${pr.id}`, { body: { title: 'Stale' }, headers: { 'if-match': '"1"' } })).status).toBe(412);
    const other = await p.tenant('Elsewhere');
    for (const [method, path, body] of [
      ['GET', `/api/problems/${pr.id}`],
      ['GET', `/api/problems/${pr.reference}`],
      ['PATCH', `/api/problems/${pr.id}`, { title: 'x' }],
      ['PUT', `/api/problems/${pr.id}`, { title: 'x' }],
      ['POST', `/api/problems/${pr.id}/incidents`, { incident_id: 'INC-00000001' }],
    ] as [string, string, unknown?][]) {
      expect([method, path, (await other.call(method, path, { body })).status]).toEqual([method, path, 404]);
    }
    expect((await other.call('GET', '/api/problems')).body.data.total).toBe(0);
    expect((await t.call('GET', `/api/problems/${pr.id}`)).body.data.title).toBe('Edited');
  });

  it("shows the assignee's name (assignedToName) on incidents, problems and changes; never another tenant's member", async () => {
    const other = await p.tenant('Names elsewhere');
    const stranger = await other.user('member');
    const name = (await t.call('GET', '/api/team?limit=500')).body.data.items.find((m: { id: string }) => m.id === viewer.id).name as string;
    expect(name).toBeTruthy();
    const inc = await t.incident({ title: 'Assigned', assignedTo: viewer.id });
    expect(inc.assigned_to_name).toBe(name);
    const pr = (await t.call('POST', '/api/problems', { body: { title: 'Assigned', assignedTo: viewer.email.toUpperCase() } })).body.data;
    expect(pr.assigned_to_name).toBe(name);
    const ch = (await t.call('POST', '/api/changes', { body: { title: 'Assigned', assignedTo: stranger.id } })).body.data;
    expect(ch.assigned_to_name).toBeNull();
    const listed = (await t.call('GET', '/api/incidents?limit=500')).body.data.items;
    expect(listed.find((x: { id: string }) => x.id === inc.id).assigned_to_name).toBe(name);
    expect(listed.filter((x: { assigned_to: string | null }) => !x.assigned_to).every((x: { assigned_to_name: unknown }) => x.assigned_to_name === null)).toBe(true);
    const team = (await t.call('PUT', `/api/problems/${pr.id}`, { body: { assignedTo: 'database-team' } })).body.data;
    expect([team.assigned_to, team.assigned_to_name]).toEqual(['database-team', null]);
  });
});
