import { Client } from 'pg';
import { TEST_DATABASE_URL } from '../support/env';
import { TestPlatform } from '../support/platform';

/** GET /api/organization/stats against seeded records with a known answer (each field of the second document). */
describe('organization stats', () => {
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

  it('computes every field from the tenant\'s records, and another tenant\'s records count nowhere', async () => {
    const t = await p.tenant('Stats');
    await Promise.all([t.user('member'), t.user('viewer')]);
    const inc = async (severity: string) => (await t.incident({ title: `P ${severity}`, severity })).id as string;
    const [a, , c, d] = [await inc('P1'), await inc('P2'), await inc('P3'), await inc('P4')];
    for (const id of [c, d]) await t.call('PATCH', `/api/incidents/${id}`, { body: { status: 'resolved' } });
    // Known durations: a (P1) open 5 h (past its 4 h target); c resolved in 9 h (target 24); d resolved in 98 h (target 72).
    await db.query(`UPDATE incidents.incidents SET created_at = now() - interval '5 hours', opened_at = now() - interval '5 hours' WHERE id = $1`, [a]);
    await db.query(`UPDATE incidents.incidents SET created_at = now() - interval '9 hours', opened_at = now() - interval '9 hours', resolved_at = now() WHERE id = $1`, [c]);
    await db.query(`UPDATE incidents.incidents SET created_at = now() - interval '98 hours', opened_at = now() - interval '98 hours', resolved_at = now() WHERE id = $1`, [d]);
    // Their SLA timers to match: a past its targets (still running), d resolved past its resolution target; c in time.
    await db.query(`UPDATE incidents.sla_timers SET due_at = now() - interval '1 hour' WHERE record_id = $1`, [a]);
    await db.query(`UPDATE incidents.sla_timers SET due_at = now() - interval '26 hours' WHERE record_id = $1 AND kind = 'resolution'`, [d]);

    for (const status of [null, 'investigating', 'resolved']) {
      const pr = (await t.call('POST', '/api/problems', { body: { title: `problem ${status}` } })).body.data;
      if (status) await t.call('PATCH', `/api/problems/${pr.id}`, { body: { status } });
    }

    const soon = new Date(Date.now() + 60_000).toISOString();
    const later = new Date(Date.now() + 3_600_000 * 50).toISOString();
    const ch = async (body: Record<string, unknown>) => (await t.call('POST', '/api/changes', { body })).body.data.id as string;
    const done = await ch({ title: 'done', type: 'standard', scheduled_start: soon, scheduled_end: later });
    const failed = await ch({ title: 'failed', type: 'standard' });
    await ch({ title: 'pending', risk_level: 'low', scheduled_start: later, scheduled_end: new Date(Date.now() + 3_600_000 * 51).toISOString() });
    await ch({ title: 'emergency', type: 'emergency' });
    for (const [id, end] of [
      [done, { status: 'completed' }],
      [failed, { status: 'failed', backout_performed: true }],
    ] as const) {
      await t.call('PATCH', `/api/changes/${id}`, { body: { status: 'in_progress' } });
      await t.call('PATCH', `/api/changes/${id}`, { body: end });
    }
    // Another tenant's records count nowhere.
    const other = await p.tenant('Noise');
    await other.incident({ title: 'noise', severity: 'P1' });
    await other.call('POST', '/api/changes', { body: { title: 'noise', type: 'emergency' } });

    const r = await t.call('GET', '/api/organization/stats');
    expect(r.status).toBe(200);
    expect(r.body.data).toEqual({
      total_members: 3,
      open_incidents: 2,
      critical_incidents: 1,
      high_priority_incidents: 1,
      incidents_resolved_today: 2,
      average_resolution_time: 53.5,
      mttr: 53.5,
      mtbf: 5,
      sla_compliance_rate: 50,
      sla_breaches: 2,
      active_problems: 2,
      problem_backlog: 1,
      active_changes: 2,
      change_success_rate: 50,
      changes_scheduled_today: 1,
      emergency_changes: 1,
      timezone: 'UTC',
      computed_at: expect.any(String),
    });
    // A new tenant: nothing to measure is null, counts are 0.
    const empty = await p.tenant('Empty');
    expect((await empty.call('GET', '/api/organization/stats')).body.data).toMatchObject({ total_members: 1, open_incidents: 0, mttr: null, mtbf: null, sla_compliance_rate: null, change_success_rate: null });
  });
});
