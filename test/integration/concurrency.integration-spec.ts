import { TestPlatform, TestTenant } from '../support/platform';

/** Two people editing one incident: updates honour If-Match against the incident's ETag. */
describe('optimistic concurrency (ETag / If-Match)', () => {
  let p: TestPlatform;
  let t: TestTenant;

  beforeAll(async () => {
    p = await TestPlatform.start();
    t = await p.tenant();
  });
  afterAll(async () => {
    await p.close();
  });

  it('answers the version as an ETag, refuses an update made from an older read with 412, and writes nothing', async () => {
    const created = await t.call('POST', '/api/incidents', { body: { title: 'Disk full', severity: 'P2' } });
    expect(created.headers.get('etag')).toBe('"1"');
    const read = await t.call('GET', `/api/incidents/${created.body.data.id}`);
    const etag = read.headers.get('etag')!;
    expect(etag).toBe('"1"');

    // Alice updates with the ETag she read: accepted, new version.
    const alice = await t.call('PATCH', `/api/incidents/${created.body.data.id}`, { body: { title: 'Disk full on db-1' }, headers: { 'if-match': etag } });
    expect(alice.status).toBe(200);
    expect(alice.headers.get('etag')).toBe('"2"');
    expect(alice.body.data.version).toBe(2);

    // Bob read before Alice's update: refused, nothing written.
    const bob = await t.call('PUT', `/api/incidents/${created.body.data.id}`, { body: { title: 'Disk almost full' }, headers: { 'if-match': etag } });
    expect(bob.status).toBe(412);
    expect(bob.body).toMatchObject({ code: 'PRECONDITION_FAILED', details: { current_version: 2 } });
    const now = await t.call('GET', `/api/incidents/${created.body.data.id}`);
    expect(now.body.data.title).toBe('Disk full on db-1');
    expect((await t.call('GET', `/api/incidents/${created.body.data.id}/timeline`)).body.data.total).toBe(2);

    // A weak ETag, a list of ETags and * match; no If-Match updates as before; a malformed one is a 422.
    expect((await t.call('PATCH', `/api/incidents/${created.body.data.id}`, { body: { tags: ['a'] }, headers: { 'if-match': 'W/"2"' } })).status).toBe(200);
    expect((await t.call('PATCH', `/api/incidents/${created.body.data.id}`, { body: { tags: ['b'] }, headers: { 'if-match': '"1", "3"' } })).status).toBe(200);
    expect((await t.call('PATCH', `/api/incidents/${created.body.data.id}`, { body: { tags: ['c'] }, headers: { 'if-match': '*' } })).status).toBe(200);
    expect((await t.call('PATCH', `/api/incidents/${created.body.data.id}`, { body: { tags: ['d'] } })).status).toBe(200);
    const bad = await t.call('PATCH', `/api/incidents/${created.body.data.id}`, { body: { tags: ['e'] }, headers: { 'if-match': 'not-an-etag' } });
    expect(bad.status).toBe(422);
    expect((await t.call('GET', `/api/incidents/${created.body.data.id}`)).body.data.tags).toEqual(['d']);
  });

  it('lists what changed since a time (updated_since), for clients that poll', async () => {
    const since = new Date().toISOString();
    const before = await t.incident({ title: 'older' });
    await new Promise((r) => setTimeout(r, 20));
    const mark = new Date().toISOString();
    await t.call('PATCH', `/api/incidents/${before.id}`, { body: { description: 'changed after the mark' } });
    const fresh = await t.incident({ title: 'newer' });
    const changed = (await t.call('GET', `/api/incidents?updated_since=${mark}`)).body.data.items.map((i: { id: string }) => i.id);
    expect(changed.sort()).toEqual([before.id, fresh.id].sort());
    expect((await t.call('GET', `/api/incidents?updated_since=${since}`)).body.data.total).toBeGreaterThanOrEqual(2);
    expect((await t.call('GET', '/api/incidents?updated_since=2026-W01-1')).status).toBe(422);
  });
});
