import { TestPlatform, TestTenant, TestUser } from '../support/platform';

/**
 * The service catalog and service requests through the gateway (first document's /api/itsm/requests):
 * forms checked against the item's JSON Schema, approvals, fulfilment tasks, tenants apart.
 */
describe('service catalog and requests (through the gateway)', () => {
  let p: TestPlatform;
  let t: TestTenant;
  let member: TestUser;
  let member2: TestUser;
  let viewer: TestUser;

  const laptop = {
    code: 'item-001',
    name: 'Laptop',
    category: 'hardware',
    description: 'A standard developer laptop',
    form_schema: {
      type: 'object',
      required: ['model', 'ram_gb'],
      additionalProperties: false,
      properties: { model: { type: 'string', enum: ['13in', '15in'] }, ram_gb: { type: 'integer', minimum: 16, maximum: 64 }, ship_to: { type: 'string', format: 'email' } },
    },
    approval: { required: true, approvals: 1 },
    fulfilment_tasks: [{ title: 'Order the laptop' }, { title: 'Image and hand over', assignee: 'it@example.com' }],
  };

  beforeAll(async () => {
    p = await TestPlatform.start();
    t = await p.tenant();
    [member, member2, viewer] = await Promise.all([t.user('member'), t.user('member'), t.user('viewer')]);
  });
  afterAll(async () => {
    await p.close();
  });

  it('admins maintain the catalog (a form must be a valid JSON Schema); everyone reads it', async () => {
    expect((await t.call('POST', '/api/itsm/catalog', { as: member, body: laptop })).status).toBe(403);
    const bad = await t.call('POST', '/api/itsm/catalog', { body: { ...laptop, code: 'bad', form_schema: { type: 'object', properties: { x: { type: 'nonsense' } } } } });
    expect([bad.status, bad.body.code, bad.body.details?.[0]?.field]).toEqual([422, 'VALIDATION_ERROR', 'form_schema']);
    const r = await t.call('POST', '/api/itsm/catalog', { body: laptop });
    expect(r.status).toBe(201);
    expect(r.body.data).toMatchObject({ code: 'item-001', approval: { required: true, approvals: 1, manager_approvals: 0, approver_ids: [] }, active: true });
    expect((await t.call('POST', '/api/itsm/catalog', { body: { ...laptop, name: 'Dup' } })).status).toBe(409);
    expect((await t.call('GET', '/api/itsm/catalog/item-001', { as: viewer })).body.data.id).toBe(r.body.data.id);
    expect((await t.call('GET', '/api/itsm/catalog?category=hardware', { as: viewer })).body.data.total).toBe(1);
  });

  it('a request with bad fields is a 422 naming each field, and nothing is written', async () => {
    const r = await t.call('POST', '/api/itsm/requests', { as: member, body: { catalog_item_id: 'item-001', fields: { model: '17in', ram_gb: 8, colour: 'red' } } });
    expect([r.status, r.body.code]).toEqual([422, 'VALIDATION_ERROR']);
    expect(r.body.details.map((f: { field: string }) => f.field).sort()).toEqual(['fields.colour', 'fields.model', 'fields.ram_gb']);
    const missing = await t.call('POST', '/api/itsm/requests', { as: member, body: { catalog_item_id: 'item-001', fields: { model: '13in' } } });
    expect(missing.body.details).toEqual([{ field: 'fields.ram_gb', message: 'is required' }]);
    const unknown = await t.call('POST', '/api/itsm/requests', { as: member, body: { catalog_item_id: 'item-999' } });
    expect([unknown.status, unknown.body.details?.[0]?.field]).toEqual([422, 'catalog_item_id']);
    expect((await t.call('GET', '/api/itsm/requests')).body.data.total).toBe(0);
    expect((await t.call('POST', '/api/itsm/requests', { as: viewer, body: { catalog_item_id: 'item-001', fields: { model: '13in', ram_gb: 32 } } })).status).toBe(403);
  });

  it('runs a request: pending approval, approved by someone else once, tasks created, fulfilled when they are done', async () => {
    const r = await t.call('POST', '/api/itsm/requests', { as: member, body: { catalog_item_id: 'item-001', requested_by: 'user@example.com', fields: { model: '13in', ram_gb: 32 } } });
    expect([r.status, r.body.error]).toEqual([201, undefined]);
    const req = r.body.data;
    expect(req).toMatchObject({ reference: 'REQ-00000001', status: 'pending_approval', approval_status: 'pending', requested_by: 'user@example.com', catalog_item_name: 'Laptop', tasks: [] });
    expect((await t.call('GET', '/api/itsm/requests?status=pending_approval')).body.data.items.map((x: { id: string }) => x.id)).toEqual([req.id]);
    expect((await t.call('POST', `/api/itsm/requests/${req.id}/approval`, { as: member, body: { action: 'approve' } })).status).toBe(403);
    const ok = (await t.call('POST', `/api/itsm/requests/${req.reference}/approval`, { as: member2, body: { action: 'approve', comments: 'ok' } })).body.data;
    expect(ok).toMatchObject({ status: 'in_fulfilment', approval_status: 'approved', approvals: [{ approver_id: member2.id, action: 'approve' }] });
    expect(ok.tasks.map((x: { title: string; status: string }) => [x.title, x.status])).toEqual([
      ['Order the laptop', 'open'],
      ['Image and hand over', 'open'],
    ]);
    const early = await t.call('PATCH', `/api/itsm/requests/${req.id}`, { as: member, body: { status: 'fulfilled' } });
    expect([early.status, early.body.code]).toEqual([400, 'INVALID_TRANSITION']);
    const one = (await t.call('PATCH', `/api/itsm/requests/${req.id}/tasks/${ok.tasks[0].id}`, { as: member2, body: { status: 'done', notes: 'ordered' } })).body.data;
    expect(one.status).toBe('in_fulfilment');
    const done = (await t.call('PATCH', `/api/itsm/requests/${req.id}/tasks/${ok.tasks[1].id}`, { as: member2, body: { status: 'skipped' } })).body.data;
    expect(done).toMatchObject({ status: 'fulfilled', fulfilled_at: expect.any(String) });
    expect((await t.call('PATCH', `/api/itsm/requests/${req.id}`, { as: member, body: { status: 'cancelled' } })).status).toBe(400);
  });

  it('a rejection stops a request; an item without approval goes straight to fulfilment; cancel', async () => {
    const r = (await t.call('POST', '/api/itsm/requests', { as: member, body: { catalog_item_id: 'item-001', fields: { model: '15in', ram_gb: 64 } } })).body.data;
    const no = (await t.call('POST', `/api/itsm/requests/${r.id}/approval`, { as: member2, body: { action: 'reject', comments: 'budget' } })).body.data;
    expect(no).toMatchObject({ status: 'rejected', approval_status: 'rejected', closed_at: expect.any(String) });
    const access = (await t.call('POST', '/api/itsm/catalog', { body: { name: 'VPN access', category: 'access' } })).body.data;
    const v = (await t.call('POST', '/api/itsm/requests', { as: member, body: { catalog_item_id: access.id } })).body.data;
    expect(v).toMatchObject({ status: 'in_fulfilment', approval_status: 'not_required', tasks: [] });
    expect((await t.call('PATCH', `/api/itsm/requests/${v.id}`, { as: member, body: { status: 'fulfilled' } })).body.data.status).toBe('fulfilled');
    const c = (await t.call('POST', '/api/itsm/requests', { as: member, body: { catalog_item_id: access.id } })).body.data;
    expect((await t.call('PATCH', `/api/itsm/requests/${c.id}`, { as: member, body: { status: 'cancelled' } })).body.data.status).toBe('cancelled');
    // An item with requests cannot be deleted, only deactivated; a retired item takes no requests.
    expect((await t.call('DELETE', `/api/itsm/catalog/${access.id}`)).status).toBe(409);
    await t.call('PATCH', `/api/itsm/catalog/${access.id}`, { body: { active: false } });
    expect((await t.call('POST', '/api/itsm/requests', { as: member, body: { catalog_item_id: access.id } })).status).toBe(422);
    expect((await t.call('GET', '/api/itsm/catalog')).body.data.items.map((x: { name: string }) => x.name)).toEqual(['Laptop']);
  });

  it("keeps tenants' catalogs and requests apart on every route", async () => {
    const other = await p.tenant('Other');
    const mine = (await t.call('GET', '/api/itsm/requests?limit=1')).body.data.items[0];
    for (const [method, path, body] of [
      ['GET', `/api/itsm/requests/${mine.id}`],
      ['GET', `/api/itsm/requests/${mine.reference}`],
      ['PATCH', `/api/itsm/requests/${mine.id}`, { status: 'cancelled' }],
      ['POST', `/api/itsm/requests/${mine.id}/approval`, { action: 'approve' }],
      ['GET', '/api/itsm/catalog/item-001'],
      ['PATCH', '/api/itsm/catalog/item-001', { name: 'hijacked' }],
      ['DELETE', '/api/itsm/catalog/item-001'],
    ] as [string, string, unknown?][]) {
      expect([method, path, (await other.call(method, path, { body })).status]).toEqual([method, path, 404]);
    }
    const r = await other.call('POST', '/api/itsm/requests', { body: { catalog_item_id: 'item-001', fields: { model: '13in', ram_gb: 16 } } });
    expect([r.status, r.body.details?.[0]?.field]).toEqual([422, 'catalog_item_id']);
    expect((await other.call('GET', '/api/itsm/catalog')).body.data.total).toBe(0);
    expect((await t.call('GET', '/api/itsm/catalog/item-001')).body.data.name).toBe('Laptop');
  });
});
