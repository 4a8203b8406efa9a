import { INCIDENT_STATUSES, IncidentStatus } from '@opsplane/contracts';
import { TestPlatform, TestTenant } from '../support/platform';

/** A path of allowed moves from `open` to each state. */
const PATH_TO: Record<IncidentStatus, IncidentStatus[]> = {
  triggered: [],
  open: [],
  acknowledged: ['acknowledged'],
  investigating: ['investigating'],
  resolved: ['resolved'],
  closed: ['resolved', 'closed'],
  reopened: ['resolved', 'reopened'],
};

const ALLOWED: Record<IncidentStatus, IncidentStatus[]> = {
  triggered: ['open', 'acknowledged', 'investigating', 'resolved', 'closed'],
  open: ['acknowledged', 'investigating', 'resolved', 'closed'],
  acknowledged: ['investigating', 'resolved', 'closed'],
  investigating: ['resolved', 'closed'],
  resolved: ['closed', 'reopened'],
  reopened: ['investigating', 'resolved', 'closed'],
  closed: [],
};

describe('incidents (through the gateway)', () => {
  let p: TestPlatform;
  let t: TestTenant;

  beforeAll(async () => {
    p = await TestPlatform.start();
  });
  afterAll(async () => {
    await p.close();
  });
  beforeEach(async () => {
    t = await p.tenant();
  });

  const count = async (tenant = t) => (await tenant.call('GET', '/api/incidents?limit=1')).body.data.total as number;

  describe('create', () => {
    it('accepts the first document shape and answers in the envelope', async () => {
      const ci001 = await t.ci('ci-001');
      const r = await t.call('POST', '/api/incidents', {
        body: { title: 'Database connection pool exhausted', severity: 'P1', description: 'pool at 100%', source: 'prometheus', ci_ids: ['ci-001'] },
      });
      expect(r.status).toBe(201);
      const inc = r.body.data;
      expect(inc).toMatchObject({
        reference: 'INC-00000001',
        title: 'Database connection pool exhausted',
        status: 'open',
        severity: 'P1',
        priority: 'critical',
        source: 'prometheus',
        ci_ids: [ci001],
        created_by: t.owner.id,
      });
      expect(inc.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(inc.opened_at).toBe(inc.created_at);
      expect(inc.triggered_at).toBeNull();
    });

    it('accepts the second document shape (camelCase, priority/criticality/urgency)', async () => {
      const r = await t.call('POST', '/api/incidents', {
        body: {
          title: 'API Response Time Degradation',
          description: 'API endpoints showing increased response times',
          priority: 'medium',
          criticality: 'minor',
          urgency: 'medium',
          assignedTo: 'user-42',
          affectedServices: ['api', 'web-app'],
          tags: ['performance', 'api'],
        },
      });
      expect(r.status).toBe(201);
      expect(r.body.data).toMatchObject({
        priority: 'medium',
        severity: 'P3',
        criticality: 'minor',
        urgency: 'medium',
        assigned_to: 'user-42',
        affected_services: ['api', 'web-app'],
        tags: ['performance', 'api'],
        source: 'api',
      });
    });

    it('derives the priority from impact x urgency when neither severity nor priority is given', async () => {
      const cases: [string, string, string][] = [
        ['critical', 'critical', 'P1'],
        ['major', 'high', 'P2'],
        ['major', 'critical', 'P1'],
        ['moderate', 'medium', 'P3'],
        ['minor', 'low', 'P4'],
        ['critical', 'low', 'P2'],
      ];
      for (const [criticality, urgency, severity] of cases) {
        const inc = await t.incident({ severity: undefined, criticality, urgency });
        expect({ criticality, urgency, severity: inc.severity }).toEqual({ criticality, urgency, severity });
      }
      const neither = await t.incident({ severity: undefined });
      expect(neither.severity).toBe('P3');
    });

    it('rejects bad input with 422 naming every field, and writes nothing', async () => {
      const before = await count();
      const r = await t.call('POST', '/api/incidents', { body: { title: '', severity: 'P9', tags: 'not-a-list', urgency: 'whenever' } });
      expect(r.status).toBe(422);
      expect(r.body.code).toBe('VALIDATION_ERROR');
      expect(r.body.trace_id).toMatch(/^[0-9a-f]{32}$/);
      const fields = r.body.details.map((d: { field: string }) => d.field);
      expect(fields).toEqual(expect.arrayContaining(['title', 'severity', 'tags', 'urgency']));
      const conflict = await t.call('POST', '/api/incidents', { body: { title: 'x', severity: 'P1', priority: 'low' } });
      expect(conflict.status).toBe(422);
      expect(conflict.body.details[0].field).toBe('priority');
      const both = await t.call('POST', '/api/incidents', { body: { title: 'x', assigned_to: 'a', assignedTo: 'b' } });
      expect(both.status).toBe(422);
      const notObject = await t.call('POST', '/api/incidents', { body: ['title'] });
      expect(notObject.status).toBe(422);
      const malformed = await t.call('POST', '/api/incidents', { rawBody: '{"title": ' });
      expect(malformed.status).toBe(422);
      expect(malformed.body.code).toBe('VALIDATION_ERROR');
      expect(await count()).toBe(before);
    });

    it('numbers references uniquely and without gaps under 50 concurrent creates', async () => {
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => t.call('POST', '/api/incidents', { body: { title: `storm ${i}`, severity: 'P2' } })));
      expect(results.map((r) => r.status)).toEqual(Array(50).fill(201));
      const refs = results.map((r) => r.body.data.reference as string).sort();
      expect(refs).toEqual(Array.from({ length: 50 }, (_, i) => `INC-${String(i + 1).padStart(8, '0')}`));
      // A second tenant starts its own sequence.
      const other = await p.tenant('Other');
      expect((await other.incident()).reference).toBe('INC-00000001');
    });
  });

  describe('read', () => {
    it('gets an incident by id and by reference (any case), and 404s on unknown ones', async () => {
      const inc = await t.incident({ title: 'lookup me' });
      const byId = await t.call('GET', `/api/incidents/${inc.id}`);
      const byRef = await t.call('GET', `/api/incidents/${inc.reference}`);
      const lower = await t.call('GET', `/api/incidents/${inc.reference.toLowerCase()}`);
      expect(byId.body.data).toEqual(inc);
      expect(byRef.body.data).toEqual(inc);
      expect(lower.body.data.id).toBe(inc.id);
      const missing = await t.call('GET', '/api/incidents/INC-09999999');
      expect(missing.status).toBe(404);
      expect(missing.body).toMatchObject({ code: 'NOT_FOUND' });
      const bad = await t.call('GET', '/api/incidents/not-an-id');
      expect(bad.status).toBe(422);
    });

    it('lists with filters, text search, date range, sorting and pagination', async () => {
      const ciDb = await t.ci('ci-db', 'database');
      const a = await t.incident({ title: 'Checkout latency high', severity: 'P1', source: 'prometheus', tags: ['db'], ci_ids: [ciDb], assigned_to: 'alice' });
      const b = await t.incident({ title: 'Disk almost full', severity: 'P2', source: 'grafana', tags: ['disk'], assigned_to: 'bob' });
      const c = await t.incident({ title: 'Login errors spike', severity: 'P4', source: 'prometheus', tags: ['db', 'auth'] });
      await t.call('PATCH', `/api/incidents/${b.id}`, { body: { status: 'resolved' } });
      const ids = async (qs: string) => {
        const r = await t.call('GET', `/api/incidents?${qs}`);
        expect(r.status).toBe(200);
        return (r.body.data.items as { id: string }[]).map((i) => i.id);
      };
      expect(await ids('status=open')).toEqual([c.id, a.id]);
      expect(await ids('status=resolved')).toEqual([b.id]);
      expect(await ids('severity=P1')).toEqual([a.id]);
      expect(await ids('severity=P1,P4')).toEqual([c.id, a.id]);
      expect(await ids('priority=high')).toEqual([b.id]);
      expect(await ids('status=open&severity=P1')).toEqual([a.id]);
      expect(await ids('assigned_to=alice')).toEqual([a.id]);
      expect(await ids('source=prometheus')).toEqual([c.id, a.id]);
      expect(await ids('tag=db')).toEqual([c.id, a.id]);
      expect(await ids(`ci_id=${ciDb}`)).toEqual([a.id]);
      expect(await ids('q=latency')).toEqual([a.id]);
      expect(await ids('q=lat')).toEqual([a.id]);
      expect(await ids('sort=created_at')).toEqual([a.id, b.id, c.id]);
      expect(await ids('sort=severity')).toEqual([a.id, b.id, c.id]);
      expect(await ids(`created_from=${encodeURIComponent(b.created_at)}`)).toEqual([c.id, b.id]);
      expect(await ids(`created_to=${encodeURIComponent(b.created_at)}`)).toEqual([a.id]);

      const page = await t.call('GET', '/api/incidents?limit=2&offset=1&sort=created_at');
      expect(page.body.data).toMatchObject({ total: 3, limit: 2, offset: 1 });
      expect(page.body.data.items.map((i: { id: string }) => i.id)).toEqual([b.id, c.id]);
      const defaults = await t.call('GET', '/api/incidents');
      expect(defaults.body.data).toMatchObject({ limit: 50, offset: 0, total: 3 });
    });

    it('rejects bad list parameters with 422', async () => {
      for (const qs of ['limit=0', 'limit=501', 'offset=-1', 'status=bogus', 'severity=P7', 'sort=title', 'created_from=yesterday']) {
        const r = await t.call('GET', `/api/incidents?${qs}`);
        expect({ qs, status: r.status, code: r.body.code }).toEqual({ qs, status: 422, code: 'VALIDATION_ERROR' });
      }
    });
  });

  describe('update and the state machine', () => {
    it('allows exactly the transitions of the contract, and names the allowed states when refusing', async () => {
      const froms: IncidentStatus[] = ['open', 'acknowledged', 'investigating', 'resolved', 'reopened', 'closed'];
      for (const from of froms) {
        for (const to of INCIDENT_STATUSES) {
          if (to === from) continue;
          const inc = await t.incident({ title: `${from} -> ${to}` });
          for (const step of PATH_TO[from]) {
            const s = await t.call('PATCH', `/api/incidents/${inc.id}`, { body: { status: step } });
            expect(s.status).toBe(200);
          }
          const r = await t.call('PATCH', `/api/incidents/${inc.id}`, { body: { status: to } });
          const allowed = ALLOWED[from].includes(to);
          expect({ from, to, status: r.status }).toEqual({ from, to, status: allowed ? 200 : 400 });
          if (allowed) {
            expect(r.body.data.status).toBe(to);
          } else {
            expect(r.body.code).toBe('INVALID_TRANSITION');
            expect(r.body.details.allowed).toEqual(ALLOWED[from]);
            const after = await t.call('GET', `/api/incidents/${inc.id}`);
            expect(after.body.data.status).toBe(from);
          }
        }
      }
    });

    it('keeps the timestamp of every state reached, PATCH and PUT alike', async () => {
      const inc = await t.incident();
      const ack = await t.call('PUT', `/api/incidents/${inc.reference}`, { body: { status: 'acknowledged' } });
      const inv = await t.call('PATCH', `/api/incidents/${inc.id}`, { body: { status: 'investigating', description: 'Found pool exhaustion' } });
      const res = await t.call('PUT', `/api/incidents/${inc.id}`, {
        body: { status: 'resolved', resolution_notes: 'Scaled connection pool to 200', resolved_by: 'ops@example.com' },
      });
      const closed = await t.call('PATCH', `/api/incidents/${inc.id}`, { body: { status: 'closed' } });
      const d = closed.body.data;
      expect(d.status).toBe('closed');
      expect(d.opened_at).toBe(inc.opened_at);
      expect(d.acknowledged_at).toBe(ack.body.data.acknowledged_at);
      expect(d.investigating_at).toBe(inv.body.data.investigating_at);
      expect(d.resolved_at).toBe(res.body.data.resolved_at);
      expect(d.closed_at).not.toBeNull();
      expect(d.description).toBe('Found pool exhaustion');
      expect(d.resolution_notes).toBe('Scaled connection pool to 200');
      expect(d.resolved_by).toBe('ops@example.com');
      for (const k of ['opened_at', 'acknowledged_at', 'investigating_at', 'resolved_at', 'closed_at']) {
        expect(Date.parse(d[k])).toBeGreaterThanOrEqual(Date.parse(inc.created_at));
      }
      // Closed is final: no more status moves and no field edits.
      const edit = await t.call('PATCH', `/api/incidents/${inc.id}`, { body: { title: 'too late' } });
      expect(edit.status).toBe(400);
      expect(edit.body.code).toBe('INVALID_TRANSITION');
    });

    it('skips states when moving forward and leaves skipped timestamps empty; reopen keeps history', async () => {
      const inc = await t.incident();
      const r = await t.call('PATCH', `/api/incidents/${inc.id}`, { body: { status: 'resolved' } });
      expect(r.body.data.acknowledged_at).toBeNull();
      expect(r.body.data.resolved_by).toBe(t.owner.email);
      const re = await t.call('PATCH', `/api/incidents/${inc.id}`, { body: { status: 'reopened' } });
      expect(re.body.data.reopened_at).not.toBeNull();
      expect(re.body.data.resolved_at).toBe(r.body.data.resolved_at);
      const inv = await t.call('PATCH', `/api/incidents/${inc.id}`, { body: { status: 'investigating' } });
      expect(inv.status).toBe(200);
    });

    it('updates fields with either document names, recomputes the priority, and validates', async () => {
      const inc = await t.incident({ severity: 'P3' });
      const r = await t.call('PUT', `/api/incidents/${inc.id}`, { body: { assignedTo: 'carol', affectedServices: ['db'], priority: 'high' } });
      expect(r.status).toBe(200);
      expect(r.body.data).toMatchObject({ assigned_to: 'carol', affected_services: ['db'], severity: 'P2', priority: 'high' });
      const m = await t.call('PATCH', `/api/incidents/${inc.id}`, { body: { criticality: 'critical', urgency: 'critical' } });
      expect(m.body.data.severity).toBe('P1');
      const bad = await t.call('PATCH', `/api/incidents/${inc.id}`, { body: { status: 'done', severity: 'P0' } });
      expect(bad.status).toBe(422);
      expect(bad.body.details.map((d: { field: string }) => d.field).sort()).toEqual(['severity', 'status']);
      const after = await t.call('GET', `/api/incidents/${inc.id}`);
      expect(after.body.data.severity).toBe('P1');
      expect(after.body.data.status).toBe('open');
      // null clears what may be empty (the assignee) and is a 422 for what may not.
      const nulls = await t.call('PATCH', `/api/incidents/${inc.id}`, { body: { title: null, description: null, tags: null, status: null } });
      expect(nulls.status).toBe(422);
      expect([...new Set(nulls.body.details.map((d: { field: string }) => d.field))].sort()).toEqual(['description', 'status', 'tags', 'title']);
      const unassign = await t.call('PATCH', `/api/incidents/${inc.id}`, { body: { assigned_to: null } });
      expect(unassign.body.data.assigned_to).toBeNull();
      const missing = await t.call('PATCH', '/api/incidents/INC-00999999', { body: { title: 'x' } });
      expect(missing.status).toBe(404);
    });
  });

  describe('comments and timeline', () => {
    it('records every change with who made it, in order', async () => {
      const member = await t.user('member');
      const inc = await t.incident({ title: 'timeline' });
      await t.call('PATCH', `/api/incidents/${inc.id}`, { body: { status: 'acknowledged' }, as: member });
      await t.call('PATCH', `/api/incidents/${inc.id}`, { body: { title: 'timeline (renamed)', tags: ['x'] } });
      const c = await t.call('POST', `/api/incidents/${inc.id}/comments`, { body: { body: 'Looking into it' }, as: member });
      expect(c.status).toBe(201);
      expect(c.body.data).toMatchObject({ body: 'Looking into it', author_id: member.id, author_email: member.email });
      await t.call('PATCH', `/api/incidents/${inc.id}`, { body: { status: 'resolved', comment: 'Fixed by restart' } });

      const tl = await t.call('GET', `/api/incidents/${inc.reference}/timeline`);
      expect(tl.status).toBe(200);
      const entries = tl.body.data.items;
      expect(entries.map((e: { type: string }) => e.type)).toEqual(['created', 'status_changed', 'updated', 'comment', 'status_changed']);
      expect(entries[0]).toMatchObject({ actor_id: t.owner.id, actor_type: 'user' });
      expect(entries[1]).toMatchObject({ actor_id: member.id, changes: { status: { from: 'open', to: 'acknowledged' } } });
      expect(entries[2].changes).toEqual({ title: { from: 'timeline', to: 'timeline (renamed)' }, tags: { from: [], to: ['x'] } });
      expect(entries[3]).toMatchObject({ message: 'Looking into it', actor_email: member.email });
      expect(entries[4]).toMatchObject({ message: 'Fixed by restart', changes: { status: { from: 'acknowledged', to: 'resolved' } } });

      const comments = await t.call('GET', `/api/incidents/${inc.id}/comments`);
      expect(comments.body.data.items.map((x: { body: string }) => x.body)).toEqual(['Looking into it', 'Fixed by restart']);
      const empty = await t.call('POST', `/api/incidents/${inc.id}/comments`, { body: { body: '' } });
      expect(empty.status).toBe(422);
    });

    it('writes no timeline entry for an update that changes nothing', async () => {
      const inc = await t.incident({ title: 'same' });
      const r = await t.call('PATCH', `/api/incidents/${inc.id}`, { body: { title: 'same' } });
      expect(r.status).toBe(200);
      expect(r.body.data.updated_at).toBe(inc.updated_at);
      const tl = await t.call('GET', `/api/incidents/${inc.id}/timeline`);
      expect(tl.body.data.total).toBe(1);
    });
  });
});
