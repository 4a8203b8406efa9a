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

  it('averages exactly the incidents of each window, at the windows\' edges and after they move', async () => {
    const t = await p.tenant('Windows');
    const ids: string[] = [];
    for (const severity of ['P1', 'P2', 'P3', 'P1', 'P4', 'P2', 'P3']) ids.push((await t.incident({ title: `w ${severity}`, severity })).id as string);
    const at = (id: string, created: string, resolved: string | null) =>
      db.query(
        `UPDATE incidents.incidents SET created_at = now() - $2::interval, opened_at = now() - $2::interval,
                resolved_at = now() - $3::interval, status = CASE WHEN $3::interval IS NULL THEN status ELSE 'resolved' END WHERE id = $1`,
        [id, created, resolved],
      );
    // On both sides of the 90-day and the 30-day edges, by minutes; one started before the window and resolved in it.
    await at(ids[0], '89 days 23 hours 50 minutes', '89 days 23 hours');
    await at(ids[1], '90 days 10 minutes', '90 days 5 minutes');
    await at(ids[2], '35 days', '30 days 5 minutes');
    await at(ids[3], '31 days', '29 days 23 hours 55 minutes');
    await at(ids[4], '100 days', '2 days');
    await at(ids[5], '3 hours', null);
    // Moves after the fact: a resolution corrected, a priority raised, one resolved through the API.
    await at(ids[2], '35 days', '10 days');
    expect((await t.call('PATCH', `/api/incidents/${ids[6]}`, { body: { severity: 'P1' } })).status).toBe(200);
    expect((await t.call('PATCH', `/api/incidents/${ids[6]}`, { body: { status: 'resolved' } })).status).toBe(200);

    // The same figures straight from the incidents (what the daily rollup stands for).
    const [oracle] = (
      await db.query(
        `SELECT extract(epoch FROM avg(resolved_at - created_at) FILTER (WHERE resolved_at >= now() - interval '30 days')) / 3600 AS avg_resolution,
                extract(epoch FROM avg(resolved_at - COALESCE(triggered_at, opened_at, created_at)) FILTER (WHERE resolved_at >= now() - interval '90 days')) / 3600 AS mttr,
                (SELECT extract(epoch FROM max(s) - min(s)) / 3600 / NULLIF(count(*) - 1, 0) FROM (
                   SELECT COALESCE(triggered_at, opened_at, created_at) AS s FROM incidents.incidents
                    WHERE tenant_id = $1 AND priority_rank <= 2 AND COALESCE(triggered_at, opened_at, created_at) >= now() - interval '90 days') x) AS mtbf
           FROM incidents.incidents WHERE tenant_id = $1`,
        [t.id],
      )
    ).rows;
    const round1 = (v: string | null) => (v === null ? null : Math.round(Number(v) * 10) / 10);
    const stats = (await t.call('GET', '/api/organization/stats')).body.data;
    expect({ average_resolution_time: stats.average_resolution_time, mttr: stats.mttr, mtbf: stats.mtbf }).toEqual({
      average_resolution_time: round1(oracle.avg_resolution),
      mttr: round1(oracle.mttr),
      mtbf: round1(oracle.mtbf),
    });
    // Known answers: the 30-day window holds ids[3] (31 d - 29 d 23 h 55 min = 24 h 5 min), ids[2] (25 days), ids[4]
    // (98 days) and ids[6] (minutes): their mean. MTBF: the P1/P2 starts within 90 days are ids[0], ids[3], ids[5] and
    // ids[6] (raised to P1; started now): (89 d 23 h 50 min - 0) / 3 gaps.
    expect(stats.mtbf).toBeCloseTo((89 * 24 + 23 + 50 / 60) / 3, 0);
    expect(stats.incidents_resolved_today).toBe(1);
  });
});
