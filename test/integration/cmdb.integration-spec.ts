import { connect, NatsConnection } from 'nats';
import { Client } from 'pg';
import { collect, waitFor } from '../support/jetstream';
import { TEST_DATABASE_URL, TEST_NATS_URL } from '../support/env';
import { TestPlatform, TestTenant } from '../support/platform';

/**
 * The CMDB through the gateway: items (identity, history, soft delete), classes, relationships, the impact
 * blast radius on known graphs, the bulk import (identification, all or nothing), events, and tenants apart.
 */
describe('cmdb', () => {
  let p: TestPlatform;
  let db: Client;
  let nc: NatsConnection;

  beforeAll(async () => {
    p = await TestPlatform.start();
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    nc = await connect({ servers: TEST_NATS_URL });
  });
  afterAll(async () => {
    await nc.close();
    await db.end();
    await p.close();
  });

  const ci = async (t: TestTenant, body: Record<string, unknown>) => {
    const r = await t.call('POST', '/api/cmdb/items', { body: { class: 'service', ...body } });
    if (r.status !== 201) throw new Error(`create failed: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.data as { id: string; name: string; version: number };
  };
  const rel = async (t: TestTenant, source: string, target: string, type = 'depends_on', criticality?: string) => {
    const r = await t.call('POST', '/api/cmdb/relationships', { body: { source_id: source, target_id: target, type, ...(criticality ? { criticality } : {}) } });
    if (r.status !== 201) throw new Error(`relate failed: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.data as { id: string };
  };
  const rows = async (tenant: string) => Number((await db.query(`SELECT count(*) FROM cmdb.cis WHERE tenant_id = $1`, [tenant])).rows[0].count);

  it('creates, reads, lists with filters, updates with history, deletes softly and restores an item', async () => {
    const t = await p.tenant('CMDB items');
    const events = await collect(nc, 'OPSPLANE_CMDB', 'cmdb.ci.>');
    try {
      const created = await t.call('POST', '/api/cmdb/items', {
        body: { name: 'web-server-01', class: 'server', environment: 'production', attributes: { ip: '10.0.0.1', os: 'Ubuntu 22.04', cpus: 8 } },
      });
      expect(created.status).toBe(201);
      const web = created.body.data;
      expect(created.headers.get('location')).toBe(`/api/cmdb/items/${web.id}`);
      expect(web).toMatchObject({ name: 'web-server-01', class: 'server', environment: 'production', lifecycle_status: 'active', criticality: null, relationship_count: 0, version: 1, deleted_at: null });
      await ci(t, { name: 'db-01', class: 'database', environment: 'production', owner: 'dba-team', criticality: 'critical', attributes: { os: 'Debian 12' } });
      await ci(t, { name: 'web-server-02', class: 'server', environment: 'staging', attributes: { os: 'Ubuntu 22.04' } });

      const list = async (qs: string) => (await t.call('GET', `/api/cmdb/items?${qs}`)).body.data;
      expect((await list('class=server&limit=100')).items.map((x: { name: string }) => x.name)).toEqual(['web-server-01', 'web-server-02']);
      expect((await list(`attr.os=${encodeURIComponent('Ubuntu 22.04')}`)).total).toBe(2);
      expect((await list('attr.cpus=8')).items.map((x: { name: string }) => x.name)).toEqual(['web-server-01']);
      expect((await list('environment=production&class=server,database&sort=-name')).items.map((x: { name: string }) => x.name)).toEqual(['web-server-01', 'db-01']);
      expect((await list('owner=dba-team')).total).toBe(1);
      expect((await list('q=server-0')).total).toBe(2);
      expect((await t.call('GET', '/api/cmdb/items?class=Not%20A%20Class')).status).toBe(422);

      // An update: only what changed, each attribute key on its own, in the history; If-Match against the version.
      const stale = await t.call('PATCH', `/api/cmdb/items/${web.id}`, { body: { criticality: 'high' }, headers: { 'if-match': '"9"' } });
      expect(stale.status).toBe(412);
      const upd = await t.call('PUT', `/api/cmdb/items/${web.id}`, {
        body: { criticality: 'high', attributes: { os: 'Ubuntu 24.04', ip: null }, mergeAttributes: true, lifecycleStatus: 'maintenance' },
        headers: { 'if-match': '"1"' },
      });
      expect(upd.status).toBe(200);
      expect(upd.headers.get('etag')).toBe('"2"');
      expect(upd.body.data).toMatchObject({ criticality: 'high', lifecycle_status: 'maintenance', attributes: { os: 'Ubuntu 24.04', cpus: 8 }, version: 2 });
      expect(upd.body.data.attributes).not.toHaveProperty('ip');
      const history = (await t.call('GET', `/api/cmdb/items/${web.id}/history`)).body.data;
      expect(history.items.map((h: { action: string }) => h.action)).toEqual(['updated', 'created']);
      expect(history.items[0].changes).toEqual({
        criticality: { from: null, to: 'high' },
        lifecycle_status: { from: 'active', to: 'maintenance' },
        'attributes.os': { from: 'Ubuntu 22.04', to: 'Ubuntu 24.04' },
        'attributes.ip': { from: '10.0.0.1', to: null },
      });
      expect(history.items[0].actor_email).toBe(t.owner.email);

      // Another live item with the same identity: 409 naming the one there.
      const dup = await t.call('POST', '/api/cmdb/items', { body: { name: 'WEB-SERVER-01', class: 'server', environment: 'production' } });
      expect(dup.status).toBe(409);
      expect(dup.body.error).toContain(web.id);
      expect((await t.call('POST', '/api/cmdb/items', { body: { name: 'x', class: 'server', attributes: { hostname: 'db-01.local' } } })).status).toBe(201);
      const hostClash = await t.call('POST', '/api/cmdb/items', { body: { name: 'y', class: 'server', attributes: { hostname: 'DB-01.local' } } });
      expect(hostClash.status).toBe(409);
      expect(hostClash.body.error).toContain('hostname db-01.local');

      // Delete softly: gone from reads and lists, kept with its history; restored.
      expect((await t.call('DELETE', `/api/cmdb/items/${web.id}`)).status).toBe(200);
      expect((await t.call('GET', `/api/cmdb/items/${web.id}`)).status).toBe(404);
      expect((await list('class=server')).total).toBe(2);
      expect((await list('class=server&include_deleted=true')).total).toBe(3);
      expect((await t.call('GET', `/api/cmdb/items/${web.id}/history`)).body.data.items[0].action).toBe('deleted');
      const back = await t.call('POST', `/api/cmdb/items/${web.id}/restore`);
      expect(back.status).toBe(200);
      expect(back.body.data.deleted_at).toBeNull();

      const subjects = await waitFor(() => (events.events.length >= 7 ? events.events.map((e) => e.subject) : undefined), 'cmdb events');
      expect(subjects.filter((s) => s === 'cmdb.ci.created.v1')).toHaveLength(4);
      expect(subjects).toContain('cmdb.ci.updated.v1');
      expect(subjects).toContain('cmdb.ci.deleted.v1');
      const updated = events.events.find((e) => e.subject === 'cmdb.ci.updated.v1')!;
      expect(updated.event.data.changes['attributes.os']).toEqual({ from: 'Ubuntu 22.04', to: 'Ubuntu 24.04' });
      const audit = (await t.call('GET', '/api/audit?resource_type=ci')).body.data;
      expect(audit.items.map((a: { action: string }) => a.action)).toEqual(expect.arrayContaining(['ci.created', 'ci.updated', 'ci.deleted', 'ci.restored']));
    } finally {
      events.stop();
    }
  });

  it('refuses bad input and readers, writing nothing; classes are built in or the tenant\'s own', async () => {
    const t = await p.tenant('CMDB input');
    const viewer = await t.user('viewer');
    const member = await t.user('member');
    for (const body of [
      {},
      { name: 'a', class: 'no such class' },
      { name: 'a', class: 'gpu_cluster' },
      { name: '', class: 'server' },
      { name: 'a', class: 'server', lifecycle_status: 'gone' },
      { name: 'a', class: 'server', attributes: ['x'] },
      { name: 'a', class: 'server', attributes: { hostname: 42 } },
      { name: 'a', class: 'server', position: { x: 'left', y: 1 } },
    ]) {
      const r = await t.call('POST', '/api/cmdb/items', { body });
      expect([r.status, r.body.code]).toEqual([422, 'VALIDATION_ERROR']);
    }
    expect((await t.call('POST', '/api/cmdb/items', { body: { name: 'a', class: 'server' }, as: viewer })).status).toBe(403);
    expect(await rows(t.id)).toBe(0);

    // A class of the tenant's own (admins only), then usable; removable only while unused.
    expect((await t.call('POST', '/api/cmdb/classes', { body: { name: 'gpu_cluster' }, as: member })).status).toBe(403);
    expect((await t.call('POST', '/api/cmdb/classes', { body: { name: 'gpu_cluster', description: 'GPU pools' } })).status).toBe(201);
    expect((await t.call('POST', '/api/cmdb/classes', { body: { name: 'server' } })).status).toBe(409);
    const classes = (await t.call('GET', '/api/cmdb/classes', { as: viewer })).body.data.items;
    expect(classes).toContainEqual({ name: 'gpu_cluster', description: 'GPU pools', builtin: false, zone: false });
    expect(classes).toContainEqual({ name: 'vpc', description: '', builtin: true, zone: true });
    const gpu = await ci(t, { name: 'pool-a', class: 'gpu_cluster' });
    expect((await t.call('DELETE', '/api/cmdb/classes/gpu_cluster')).status).toBe(409);
    await t.call('DELETE', `/api/cmdb/items/${gpu.id}`);
    expect((await t.call('DELETE', '/api/cmdb/classes/gpu_cluster')).status).toBe(200);
    expect((await t.call('DELETE', '/api/cmdb/classes/server')).status).toBe(404);
  });

  it('relates items once, of one tenant, never to themselves; removing an item removes its relationships', async () => {
    const t = await p.tenant('CMDB relationships');
    const other = await p.tenant('CMDB other');
    const [a, b] = [await ci(t, { name: 'a' }), await ci(t, { name: 'b' })];
    const foreign = await ci(other, { name: 'foreign' });
    const r = await rel(t, a.id, b.id, 'depends_on', 'high');
    const again = await t.call('POST', '/api/cmdb/relationships', { body: { source_id: a.id, target_id: b.id, type: 'depends_on' } });
    expect(again.status).toBe(409);
    expect(again.body.error).toContain(r.id);
    expect((await t.call('POST', '/api/cmdb/relationships', { body: { source_id: a.id, target_id: a.id, type: 'depends_on' } })).status).toBe(422);
    const cross = await t.call('POST', '/api/cmdb/relationships', { body: { source_id: a.id, target_id: foreign.id, type: 'runs_on' } });
    expect([cross.status, cross.body.error]).toEqual([422, expect.stringContaining('target_id')]);
    expect((await t.call('POST', '/api/cmdb/relationships', { body: { source_id: a.id, target_id: b.id, type: 'likes' } })).status).toBe(422);
    // The database itself refuses an edge between two tenants' items (composite foreign keys).
    await expect(
      db.query(`INSERT INTO cmdb.relationships (id, tenant_id, source_id, target_id, type, created_at, updated_at) VALUES (gen_random_uuid(), $1, $2, $3, 'depends_on', now(), now())`, [t.id, a.id, foreign.id]),
    ).rejects.toThrow(/foreign key/);

    expect((await t.call('GET', `/api/cmdb/items/${a.id}`)).body.data.relationship_count).toBe(1);
    const listed = (await t.call('GET', `/api/cmdb/relationships?ci_id=${b.id}`)).body.data;
    expect(listed.items).toMatchObject([{ id: r.id, type: 'depends_on', criticality: 'high', source: { id: a.id, name: 'a' }, target: { id: b.id, name: 'b' } }]);
    expect((await t.call('PATCH', `/api/cmdb/relationships/${r.id}`, { body: { criticality: 'critical' } })).body.data.criticality).toBe('critical');
    expect((await other.call('GET', `/api/cmdb/relationships/${r.id}`)).status).toBe(404);
    expect((await other.call('DELETE', `/api/cmdb/relationships/${r.id}`)).status).toBe(404);
    await t.call('DELETE', `/api/cmdb/items/${b.id}`);
    expect((await t.call('GET', `/api/cmdb/relationships/${r.id}`)).status).toBe(404);
    expect((await t.call('GET', `/api/cmdb/items/${a.id}`)).body.data.relationship_count).toBe(0);
  });

  it('walks the blast radius of known graphs: a chain, a diamond, a cycle, depth limits, several starts, both directions', async () => {
    const t = await p.tenant('CMDB impact');
    const n: Record<string, string> = {};
    for (const name of ['db', 'api', 'web', 'lb', 'cache', 'worker', 'x', 'y', 'z', 'lonely']) n[name] = (await ci(t, { name, criticality: name === 'web' ? 'critical' : 'low' })).id;
    // chain: lb -> web -> api -> db (each depends on the next); diamond: worker and api both on db and cache; cycle x -> y -> z -> x.
    await rel(t, n.lb, n.web);
    await rel(t, n.web, n.api, 'depends_on', 'high');
    await rel(t, n.api, n.db, 'connects_to');
    await rel(t, n.api, n.cache);
    await rel(t, n.worker, n.db, 'connects_to', 'low');
    await rel(t, n.worker, n.cache);
    await rel(t, n.x, n.y);
    await rel(t, n.y, n.z);
    await rel(t, n.z, n.x);
    const impact = async (qs: string) => {
      const r = await t.call('GET', `/api/cmdb/impact?${qs}`);
      expect(r.status).toBe(200);
      return r.body.data;
    };
    const names = (v: { items: { ci: { name: string }; distance: number }[] }) => v.items.map((i) => `${i.ci.name}@${i.distance}`);

    const up = await impact(`ci_id=${n.db}`);
    expect(up.direction).toBe('upstream');
    expect(names(up).sort()).toEqual(['api@1', 'lb@3', 'web@2', 'worker@1']);
    const lb = up.items.find((i: { ci: { name: string } }) => i.ci.name === 'lb');
    expect(lb.path).toEqual([n.db, n.api, n.web, n.lb]);
    expect(lb.via).toEqual(['connects_to', 'depends_on', 'depends_on']);
    expect(lb.worst_criticality).toBe('critical'); // web is critical
    expect(up.items.find((i: { ci: { name: string } }) => i.ci.name === 'worker').worst_criticality).toBe('low');
    expect(up.depth_reached).toBe(false);

    const shallow = await impact(`ci_id=${n.db}&depth=1`);
    expect(names(shallow).sort()).toEqual(['api@1', 'worker@1']);
    expect(shallow.depth_reached).toBe(true);

    const down = await impact(`ci_id=${n.lb}&direction=downstream`);
    expect(names(down).sort()).toEqual(['api@2', 'cache@3', 'db@3', 'web@1']);

    // Several starts: each item once, at its distance from the nearest start; the starts are not items.
    const both = await impact(`ci_id=${n.db},${n.cache}`);
    expect(names(both).sort()).toEqual(['api@1', 'lb@3', 'web@2', 'worker@1']);
    expect(both.roots.map((r: { name: string }) => r.name).sort()).toEqual(['cache', 'db']);

    const cycle = await impact(`ci_id=${n.x}&depth=10`);
    expect(names(cycle)).toEqual(['z@1', 'y@2']);
    expect((await impact(`ci_id=${n.lonely}`)).items).toEqual([]);
    // Every request sees the relationships as they are now: added, given a new criticality, removed, gone with an item.
    const extra = await rel(t, n.lonely, n.db, 'depends_on', 'low');
    const near = async () => (await impact(`ci_id=${n.db}&depth=1`)).items.map((i: { ci: { name: string }; worst_criticality: string }) => `${i.ci.name}:${i.worst_criticality}`).sort();
    expect(await near()).toEqual(['api:medium', 'lonely:low', 'worker:low']);
    expect((await t.call('PATCH', `/api/cmdb/relationships/${extra.id}`, { body: { criticality: 'critical' } })).status).toBe(200);
    expect(await near()).toEqual(['api:medium', 'lonely:critical', 'worker:low']);
    expect((await t.call('DELETE', `/api/cmdb/relationships/${extra.id}`)).status).toBe(200);
    expect(await near()).toEqual(['api:medium', 'worker:low']);
    await rel(t, n.lonely, n.db);
    expect((await t.call('DELETE', `/api/cmdb/items/${n.lonely}`)).status).toBe(200);
    expect(await near()).toEqual(['api:medium', 'worker:low']);
    expect((await impact(`ci_id=${n.db}&max_items=2`)).items).toHaveLength(2);
    expect((await impact(`ci_id=${n.db}&max_items=2`)).total).toBe(4);

    for (const qs of ['', 'ci_id=nope', `ci_id=${n.db}&depth=11`, `ci_id=${n.db}&direction=sideways`]) expect((await t.call('GET', `/api/cmdb/impact?${qs}`)).status).toBe(422);
    // Another tenant cannot start from, reach or count these items.
    const other = await p.tenant('CMDB impact other');
    const r = await other.call('GET', `/api/cmdb/impact?ci_id=${n.db}`);
    expect([r.status, r.body.code]).toEqual([422, 'VALIDATION_ERROR']);
    const mine = await ci(other, { name: 'mine' });
    expect((await other.call('GET', `/api/cmdb/impact?ci_id=${mine.id}`)).body.data.total).toBe(0);
  });

  it('imports items and relationships all or nothing, identifying the items already there', async () => {
    const t = await p.tenant('CMDB import');
    const batch = {
      items: [
        { ref: 'node', name: 'node-1', class: 'k8s_node', attributes: { k8s_uid: 'uid-1', zone: 'a' } },
        { ref: 'pod', name: 'checkout-7f9c', class: 'pod', environment: 'prod', attributes: { k8s_uid: 'uid-2' } },
        { ref: 'svc', name: 'checkout', class: 'service', environment: 'prod' },
        { name: 'srv-9', class: 'server', attributes: { serial: 'SN-9', hostname: 'srv-9.dc1' } },
      ],
      relationships: [
        { source: { ref: 'pod' }, target: { ref: 'node' }, type: 'runs_on' },
        { source: { ref: 'svc' }, target: { ref: 'pod' }, type: 'depends_on', criticality: 'high' },
      ],
    };
    // A dry run checks and reports, writing nothing.
    const dry = await t.call('POST', '/api/cmdb/items/bulk', { body: { ...batch, dry_run: true } });
    expect(dry.status).toBe(200);
    expect(dry.body.data).toMatchObject({ created: 4, relationships_created: 2, dry_run: true });
    expect(dry.body.data.items.map((i: { id: string | null }) => i.id)).toEqual([null, null, null, null]);
    expect(await rows(t.id)).toBe(0);
    const first = await t.call('POST', '/api/cmdb/items/bulk', { body: batch });
    expect(first.status).toBe(200);
    expect(first.body.data).toMatchObject({ created: 4, updated: 0, unchanged: 0, relationships_created: 2, relationships_unchanged: 0 });
    const again = await t.call('POST', '/api/cmdb/items/bulk', { body: batch });
    expect(again.body.data).toMatchObject({ created: 0, updated: 0, unchanged: 4, relationships_created: 0, relationships_unchanged: 2 });
    expect(again.body.data.items.map((i: { id: string }) => i.id)).toEqual(first.body.data.items.map((i: { id: string }) => i.id));
    expect(await rows(t.id)).toBe(4);

    // Identification: a renamed pod with the same k8s_uid, a server found by its serial: updated, not duplicated.
    const moved = await t.call('POST', '/api/cmdb/items/bulk', {
      body: {
        items: [
          { name: 'checkout-8a1b', class: 'pod', environment: 'prod', attributes: { k8s_uid: 'uid-2', node: 'node-1' } },
          { name: 'srv-9-renamed', class: 'server', attributes: { serial: 'SN-9' } },
        ],
      },
    });
    expect(moved.body.data).toMatchObject({ created: 0, updated: 2, unchanged: 0 });
    const pod = (await t.call('GET', `/api/cmdb/items/${first.body.data.items[1].id}`)).body.data;
    expect(pod).toMatchObject({ name: 'checkout-8a1b', attributes: { k8s_uid: 'uid-2', node: 'node-1' }, version: 2 });
    expect(await rows(t.id)).toBe(4);

    // One bad row rolls the whole import back, and the error names the row and field.
    const bad = await t.call('POST', '/api/cmdb/items/bulk', {
      body: { items: [{ name: 'new-1', class: 'server' }, { name: 'new-2', class: 'server' }, { name: 'new-3', class: 'warp_drive' }] },
    });
    expect([bad.status, bad.body.code]).toEqual([422, 'VALIDATION_ERROR']);
    expect(bad.body.error).toContain('items[2].class');
    const badRel = await t.call('POST', '/api/cmdb/items/bulk', {
      body: { items: [{ name: 'new-1', class: 'server' }], relationships: [{ source: { ref: 'nope' }, target: { id: pod.id }, type: 'runs_on' }] },
    });
    expect(badRel.status).toBe(422);
    expect(badRel.body.error).toContain('relationships[0].source.ref');
    const twice = await t.call('POST', '/api/cmdb/items/bulk', { body: { items: [{ name: 'same', class: 'server' }, { name: 'SAME', class: 'server' }] } });
    expect([twice.status, twice.body.error]).toEqual([422, expect.stringContaining('items[1]')]);
    expect(await rows(t.id)).toBe(4);
    expect((await t.call('GET', '/api/cmdb/relationships')).body.data.total).toBe(2);
  });

  it("checks incidents' and changes' ci_ids against the CMDB, and shows an item's open incidents and changes, also in impact", async () => {
    const t = await p.tenant('CMDB links');
    const other = await p.tenant('CMDB links other');
    const db = await ci(t, { name: 'orders-db', class: 'database' });
    const api = await ci(t, { name: 'orders-api' });
    await rel(t, api.id, db.id);
    const theirs = await ci(other, { name: 'their-db', class: 'database' });
    await ci(t, { name: 'twin', environment: 'production' });
    await ci(t, { name: 'twin', environment: 'staging' });
    const incidents = async () => (await t.call('GET', '/api/incidents?limit=1')).body.data.total;

    // Unknown, another tenant's, or ambiguous: 422 naming the entry, nothing written.
    for (const [ciIds, field, text] of [
      [['no-such-item'], 'ci_ids[0]', 'no configuration item "no-such-item"'],
      [[db.id, theirs.id], 'ci_ids[1]', theirs.id],
      [['twin'], 'ci_ids[0]', 'names 2 configuration items'],
    ] as const) {
      const r = await t.call('POST', '/api/incidents', { body: { title: 'Orders failing', severity: 'P2', ci_ids: ciIds } });
      expect([r.status, r.body.code]).toEqual([422, 'VALIDATION_ERROR']);
      expect(r.body.details).toEqual([expect.objectContaining({ field, message: expect.stringContaining(text) })]);
    }
    expect(await incidents()).toBe(0);
    const badChange = await t.call('POST', '/api/changes', { body: { title: 'Tune', ci_ids: [theirs.id] } });
    expect([badChange.status, badChange.body.details[0].field]).toEqual([422, 'ci_ids[0]']);

    // By id or by name (any case): stored as the items' ids.
    const inc = (await t.call('POST', '/api/incidents', { body: { title: 'Orders failing', severity: 'P2', ci_ids: ['ORDERS-DB', db.id] } })).body.data;
    expect(inc.ci_ids).toEqual([db.id]);
    const done = (await t.call('POST', '/api/incidents', { body: { title: 'Old one', severity: 'P4', ci_ids: [db.id] } })).body.data;
    await t.call('PATCH', `/api/incidents/${done.id}`, { body: { status: 'resolved' } });
    expect((await t.call('PATCH', `/api/incidents/${done.id}`, { body: { ci_ids: [theirs.id] } })).status).toBe(422);
    const chg = (await t.call('POST', '/api/changes', { body: { title: 'Add an index', type: 'standard', ci_ids: ['orders-db'], scheduled_start: '2027-01-10T01:00:00Z', scheduled_end: '2027-01-10T02:00:00Z' } })).body.data;
    expect([chg.status, chg.ci_ids]).toEqual(['approved', [db.id]]);
    await t.call('POST', '/api/changes', { body: { title: 'A draft', ci_ids: [db.id] } });

    // The item's view: its open incidents and its approved, scheduled or running changes.
    const view = (await t.call('GET', `/api/cmdb/items/${db.id}`)).body.data;
    expect(view.open_incidents.map((i: { id: string }) => i.id)).toEqual([inc.id]);
    expect(view.open_incidents[0]).toMatchObject({ reference: inc.reference, title: 'Orders failing', status: 'open', priority: 'high' });
    expect(view.changes.map((c: { id: string }) => c.id)).toEqual([chg.id]);
    expect(view.changes[0]).toMatchObject({ reference: chg.reference, status: 'approved', scheduled_start: '2027-01-10T01:00:00.000Z' });
    // Impact: upstream of the database, the API (nothing on it); downstream of the API, the database with both.
    const up = (await t.call('GET', `/api/cmdb/impact?ci_id=${db.id}`)).body.data;
    expect(up.items.map((i: { ci: { name: string }; open_incidents: unknown[]; scheduled_changes: unknown[] }) => [i.ci.name, i.open_incidents.length, i.scheduled_changes.length])).toEqual([['orders-api', 0, 0]]);
    const down = (await t.call('GET', `/api/cmdb/impact?ci_id=${api.id}&direction=downstream`)).body.data;
    expect(down.items[0].open_incidents.map((i: { id: string }) => i.id)).toEqual([inc.id]);
    expect(down.items[0].scheduled_changes.map((c: { id: string }) => c.id)).toEqual([chg.id]);
    // Another tenant sees none of it.
    expect((await other.call('GET', `/api/cmdb/items/${db.id}`)).status).toBe(404);
    expect((await other.call('GET', `/api/cmdb/items/${theirs.id}`)).body.data).toMatchObject({ open_incidents: [], changes: [] });
  });

  it("keeps each tenant's items apart on every route", async () => {
    const a = await p.tenant('CMDB A');
    const b = await p.tenant('CMDB B');
    const mine = await ci(a, { name: 'private', attributes: { hostname: 'private.local' } });
    for (const [method, path, body] of [
      ['GET', `/api/cmdb/items/${mine.id}`],
      ['PATCH', `/api/cmdb/items/${mine.id}`, { name: 'stolen' }],
      ['PUT', `/api/cmdb/items/${mine.id}`, { name: 'stolen' }],
      ['DELETE', `/api/cmdb/items/${mine.id}`],
      ['POST', `/api/cmdb/items/${mine.id}/restore`],
      ['GET', `/api/cmdb/items/${mine.id}/history`],
    ] as [string, string, unknown?][]) {
      expect([method, path, (await b.call(method, path, { body })).status]).toEqual([method, path, 404]);
    }
    expect((await b.call('GET', '/api/cmdb/items')).body.data.total).toBe(0);
    expect((await b.call('GET', '/api/cmdb/items?attr.hostname=private.local')).body.data.total).toBe(0);
    // The same identity in another tenant is another item.
    const theirs = await b.call('POST', '/api/cmdb/items/bulk', { body: { items: [{ name: 'private', class: 'service', attributes: { hostname: 'private.local' } }] } });
    expect(theirs.body.data).toMatchObject({ created: 1 });
    const link = await b.call('POST', '/api/cmdb/items/bulk', { body: { items: [], relationships: [{ source: { id: theirs.body.data.items[0].id }, target: { id: mine.id }, type: 'depends_on' }] } });
    expect([link.status, link.body.error]).toEqual([422, expect.stringContaining('relationships[0].target.id')]);
    expect((await a.call('GET', `/api/cmdb/items/${mine.id}`)).body.data).toMatchObject({ name: 'private', version: 1 });
  });

  it('serves the infrastructure view over the items: what POST /api/infra creates is in /api/cmdb/items, and the reverse', async () => {
    const t = await p.tenant('CMDB infra');
    const existing = await ci(t, { name: 'legacy-db', class: 'database', environment: 'production', title: 'Old DB' });
    const created = await t.call('POST', '/api/infra', {
      body: {
        nodes: [{ type: 'server', label: 'Database Server 02', metadata: { type: 'database', customTitle: 'Secondary Database' }, position: { x: 300, y: 400 }, environmentId: 'production' }],
        zones: [{ name: 'Production VPC', type: 'vpc', components: [existing.id] }],
      },
    });
    expect(created.status).toBe(201);
    const node = created.body.data.nodes[0];
    expect(node).toMatchObject({ type: 'database', label: 'Database Server 02', metadata: { type: 'database', custom_title: 'Secondary Database', linked_count: 0 }, position: { x: 300, y: 400 }, environment_id: 'production' });
    const zone = created.body.data.zones[0];
    expect(zone).toMatchObject({ name: 'Production VPC', type: 'vpc', components: [existing.id] });
    // The same records as items and a relationship.
    const item = (await t.call('GET', `/api/cmdb/items/${node.id}`)).body.data;
    expect(item).toMatchObject({ name: 'Database Server 02', class: 'database', title: 'Secondary Database', position: { x: 300, y: 400 }, environment: 'production' });
    expect((await t.call('GET', `/api/cmdb/relationships?source_id=${existing.id}`)).body.data.items).toMatchObject([{ type: 'part_of', target_id: zone.id }]);
    // An item made through the CMDB is in the view, a zone too.
    const az = await ci(t, { name: 'eu-west-1a', class: 'zone' });
    const view = (await t.call('GET', '/api/infra')).body.data;
    expect(view.nodes.map((n: { label: string }) => n.label)).toEqual(['Database Server 02', 'legacy-db']);
    expect(view.nodes[1]).toMatchObject({ id: existing.id, metadata: { custom_title: 'Old DB', linked_count: 1 }, zone_ids: [zone.id] });
    expect(view.zones.map((z: { name: string }) => z.name).sort()).toEqual(['Production VPC', 'eu-west-1a']);
    expect(view.total_nodes).toBe(2);

    // Move a node; replace a zone's components; a zone is not a node (and the reverse).
    const moved = await t.call('PUT', `/api/infra/nodes/${node.id}`, { body: { position: { x: 10, y: 20 }, metadata: { customTitle: 'Replica' } } });
    expect(moved.body.data).toMatchObject({ position: { x: 10, y: 20 }, metadata: { custom_title: 'Replica' } });
    expect((await t.call('GET', `/api/cmdb/items/${node.id}/history`)).body.data.items[0].changes).toMatchObject({ position: { from: { x: 300, y: 400 }, to: { x: 10, y: 20 } } });
    const zoned = await t.call('PUT', `/api/infra/zones/${zone.id}`, { body: { name: 'Prod VPC', components: [node.id] } });
    expect(zoned.body.data).toMatchObject({ name: 'Prod VPC', components: [node.id] });
    expect((await t.call('GET', `/api/cmdb/items/${existing.id}`)).body.data.relationship_count).toBe(0);
    expect((await t.call('PUT', `/api/infra/nodes/${zone.id}`, { body: { label: 'x' } })).status).toBe(404);
    expect((await t.call('PUT', `/api/infra/zones/${node.id}`, { body: { name: 'x' } })).status).toBe(404);
    expect((await t.call('PUT', `/api/infra/zones/${az.id}`, { body: { type: 'server' } })).status).toBe(422);
    const bad = await t.call('POST', '/api/infra', { body: { nodes: [{ type: 'server', label: 'ok' }, { type: 'warp_drive', label: 'bad' }] } });
    expect([bad.status, bad.body.error]).toEqual([422, expect.stringContaining('nodes[1].type')]);
    expect((await t.call('GET', '/api/cmdb/items?q=ok')).body.data.total).toBe(0);

    // Delete: gone from both.
    expect((await t.call('DELETE', `/api/infra/nodes/${node.id}`)).status).toBe(200);
    expect((await t.call('GET', `/api/cmdb/items/${node.id}`)).status).toBe(404);
    expect((await t.call('GET', '/api/infra')).body.data.zones.find((z: { id: string }) => z.id === zone.id).components).toEqual([]);
    expect((await t.call('DELETE', `/api/infra/zones/${zone.id}`)).status).toBe(200);

    // Another tenant sees none of it and touches none of it.
    const other = await p.tenant('CMDB infra other');
    expect((await other.call('GET', '/api/infra')).body.data).toEqual({ nodes: [], zones: [], total_nodes: 0 });
    expect((await other.call('PUT', `/api/infra/nodes/${existing.id}`, { body: { label: 'stolen' } })).status).toBe(404);
    expect((await other.call('DELETE', `/api/infra/zones/${az.id}`)).status).toBe(404);
    const sneaky = await other.call('POST', '/api/infra', { body: { zones: [{ name: 'mine', components: [existing.id] }] } });
    expect(sneaky.status).toBe(422);
  });
});
