import { connect, NatsConnection } from 'nats';
import { SlaTimerEventData } from '@opsplane/contracts';
import { collect as collectFrom, waitFor } from '../support/jetstream';
import { TEST_NATS_URL } from '../support/env';
import { TestPlatform, TestTenant, TestUser } from '../support/platform';

const ENV = { SLA_SCHEDULER_INTERVAL_MS: '200' };
const MIN = 60_000;

/** The SLA timer events of JetStream from now on (`data` of each). */
async function collect(nc: NatsConnection): Promise<{ events: { subject: string; event: { data: SlaTimerEventData } }[]; stop: () => void }> {
  return collectFrom(nc, 'OPSPLANE_SLA', 'sla.timer.>');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const targets = (response: number, resolution: number) => Object.fromEntries(['critical', 'high', 'medium', 'low'].map((p) => [p, { response_minutes: response, resolution_minutes: resolution }]));
const dayOf = (d: Date) => d.toISOString().slice(0, 10);
/** ISO weekday (1 = Monday) of a UTC date. */
const weekday = (d: Date) => ((d.getUTCDay() + 6) % 7) + 1;

/**
 * SLA policies and timers through the gateway: the default policy, business hours, holidays,
 * pauses, breaches and at-risk events on JetStream exactly once (a restart included), the `sla`
 * filter on incidents and service requests, and tenants apart.
 */
describe('SLA policies and timers (through the gateway)', () => {
  let p: TestPlatform;
  let t: TestTenant;
  let member: TestUser;
  let viewer: TestUser;
  let nc: NatsConnection;
  const stops: (() => void)[] = [];

  beforeAll(async () => {
    p = await TestPlatform.start(ENV);
    t = await p.tenant();
    [member, viewer] = await Promise.all([t.user('member'), t.user('viewer')]);
    nc = await connect({ servers: TEST_NATS_URL });
  });
  afterAll(async () => {
    stops.forEach((stop) => stop());
    await nc.close();
    await p.close();
  });

  it('every tenant has a default policy; admins write policies, everyone reads them; bad input is a 422 that writes nothing', async () => {
    const list = (await t.call('GET', '/api/sla/policies', { as: viewer })).body.data;
    expect(list.total).toBe(1);
    const d = list.items[0];
    expect(d).toMatchObject({
      name: 'Default',
      is_default: true,
      applies_to: ['incident', 'service_request'],
      targets: { critical: { response_minutes: 15, resolution_minutes: 240 }, low: { response_minutes: 480, resolution_minutes: 4320 } },
      calendar: { twenty_four_seven: true },
      pause_on: ['awaiting_customer', 'awaiting_vendor', 'awaiting_change', 'pending_approval'],
      at_risk_percent: 80,
    });
    const good = { name: 'Gold', targets: targets(30, 120), calendar: { timezone: 'Europe/Paris', working_days: [1, 2, 3, 4, 5], start_time: '08:00', end_time: '18:00' } };
    expect((await t.call('POST', '/api/sla/policies', { as: member, body: good })).status).toBe(403);
    for (const [body, field] of [
      [{ ...good, calendar: { timezone: 'Mars/Olympus_Mons' } }, 'calendar.timezone'],
      [{ ...good, calendar: { timezone: 'UTC', start_time: '18:00', end_time: '08:00' } }, 'calendar.end_time'],
      [{ ...good, calendar: { timezone: 'UTC', working_days: [0, 8] } }, 'calendar.working_days'],
      [{ ...good, calendar: { timezone: 'UTC', holidays: ['2026-02-30'] } }, 'calendar.holidays'],
      [{ ...good, targets: { ...targets(30, 120), high: { response_minutes: 0, resolution_minutes: 60 } } }, 'targets.high.response_minutes'],
      [{ ...good, targets: { critical: { response_minutes: 1, resolution_minutes: 2 } } }, 'targets.high'],
      [{ ...good, pause_on: ['lunch'] }, 'pause_on'],
      [{ ...good, at_risk_percent: 100 }, 'at_risk_percent'],
      [{ ...good, name: '' }, 'name'],
      [{ ...good, targets: targets(60, 525_600), calendar: { timezone: 'UTC', working_days: [1], start_time: '09:00', end_time: '09:01' } }, 'targets'],
    ] as const) {
      const r = await t.call('POST', '/api/sla/policies', { body });
      expect([field, r.status, r.body.code, r.body.details?.some((x: { field: string }) => x.field.startsWith(field))]).toEqual([field, 422, 'VALIDATION_ERROR', true]);
    }
    expect((await t.call('GET', '/api/sla/policies')).body.data.total).toBe(1);
    // The default stays the default and cannot be deleted; the camelCase names of the second document work too.
    expect((await t.call('PATCH', `/api/sla/policies/${d.id}`, { body: { isDefault: false } })).status).toBe(422);
    expect((await t.call('DELETE', `/api/sla/policies/${d.id}`)).status).toBe(409);
    const gold = await t.call('POST', '/api/sla/policies', { body: { ...good, atRiskPercent: 75, appliesTo: ['incident'], match: { services: ['payments'] } } });
    expect(gold.status).toBe(201);
    expect(gold.headers.get('location')).toBe(`/api/sla/policies/${gold.body.data.id}`);
    expect(gold.body.data).toMatchObject({ at_risk_percent: 75, applies_to: ['incident'], is_default: false, calendar: { timezone: 'Europe/Paris', twenty_four_seven: false, holidays: [] } });
    const upd = await t.call('PUT', `/api/sla/policies/${gold.body.data.id}`, { body: { description: 'Payments' }, headers: { 'if-match': '"1"' } });
    expect([upd.status, upd.body.data.version, upd.headers.get('etag')]).toEqual([200, 2, '"2"']);
    expect((await t.call('PATCH', `/api/sla/policies/${gold.body.data.id}`, { body: { description: 'stale' }, headers: { 'if-match': '"1"' } })).status).toBe(412);
    expect((await t.call('DELETE', `/api/sla/policies/${gold.body.data.id}`, { as: member })).status).toBe(403);
    expect((await t.call('DELETE', `/api/sla/policies/${gold.body.data.id}`)).status).toBe(200);
    expect((await t.call('GET', `/api/sla/policies/${gold.body.data.id}`)).status).toBe(404);
  });

  it('an incident runs under the default policy: response met on acknowledgement, resolution on resolve', async () => {
    const inc = await t.incident({ title: 'Checkout down', severity: 'P1' });
    const created = Date.parse(inc.created_at);
    expect(inc.sla).toMatchObject({ policy_name: 'Default', breached: false, at_risk: false });
    expect(inc.sla.response).toMatchObject({ state: 'running', target_minutes: 15, breached: false, due_at: new Date(created + 15 * MIN).toISOString(), at_risk_at: new Date(created + 12 * MIN).toISOString() });
    expect(inc.sla.resolution).toMatchObject({ state: 'running', target_minutes: 240, due_at: new Date(created + 240 * MIN).toISOString() });
    const ack = (await t.call('PATCH', `/api/incidents/${inc.id}`, { body: { status: 'acknowledged' } })).body.data;
    expect(ack.sla.response).toMatchObject({ state: 'completed', breached: false, due_at: null, completed_at: ack.acknowledged_at });
    expect(ack.sla.resolution.state).toBe('running');
    // A lower priority moves the running resolution target (time consumed stays).
    const low = (await t.call('PATCH', `/api/incidents/${inc.id}`, { body: { priority: 'low' } })).body.data;
    expect(low.sla.resolution).toMatchObject({ target_minutes: 4320, due_at: new Date(created + 4320 * MIN).toISOString() });
    const res = (await t.call('PATCH', `/api/incidents/${inc.id}`, { body: { status: 'resolved' } })).body.data;
    expect(res.sla.resolution).toMatchObject({ state: 'completed', breached: false });
    const again = (await t.call('GET', `/api/incidents/${inc.reference}`)).body.data;
    expect(again.sla.resolution.elapsed_minutes).toBe(res.sla.resolution.elapsed_minutes);
    // Reopened: the resolution clock runs again from where it stopped.
    const reopened = (await t.call('PATCH', `/api/incidents/${inc.id}`, { body: { status: 'reopened' } })).body.data;
    expect(reopened.sla.resolution.state).toBe('running');
    expect(reopened.sla.response.state).toBe('completed');
  });

  it('business hours: outside working days the clock waits for the next working window, and skips holidays', async () => {
    const now = new Date();
    const tomorrow = new Date(now.getTime() + 24 * 3600_000);
    const body = {
      name: 'Office hours',
      applies_to: ['incident'],
      match: { services: ['office'] },
      targets: targets(60, 240),
      calendar: { timezone: 'UTC', working_days: [weekday(tomorrow)], start_time: '09:00', end_time: '17:00' },
    };
    const pol = (await t.call('POST', '/api/sla/policies', { body })).body.data;
    const inc = await t.incident({ title: 'Printer', severity: 'P2', affected_services: ['office'] });
    expect(inc.sla.policy_id).toBe(pol.id);
    // Created on a day off (today is never tomorrow's weekday): due one working hour into tomorrow.
    const day = dayOf(new Date(inc.created_at)) === dayOf(now) ? dayOf(tomorrow) : dayOf(new Date(Date.parse(inc.created_at) + 24 * 3600_000));
    expect(inc.sla.response).toMatchObject({ due_at: `${day}T10:00:00.000Z`, at_risk_at: `${day}T09:48:00.000Z`, elapsed_minutes: 0, state: 'running' });
    // 240 business minutes: the whole of 09:00-13:00 of that day.
    expect(inc.sla.resolution.due_at).toBe(`${day}T13:00:00.000Z`);
    // That day a holiday: a week later.
    await t.call('PATCH', `/api/sla/policies/${pol.id}`, { body: { calendar: { timezone: 'UTC', holidays: [day] } } });
    const later = await t.incident({ title: 'Printer again', severity: 'P2', affected_services: ['office'] });
    const nextWeek = dayOf(new Date(Date.parse(`${day}T00:00:00Z`) + 7 * 24 * 3600_000));
    expect(later.sla.response.due_at).toBe(`${nextWeek}T10:00:00.000Z`);
    // The first incident keeps the calendar it started under.
    expect((await t.call('GET', `/api/incidents/${inc.id}`)).body.data.sla.response.due_at).toBe(`${day}T10:00:00.000Z`);
  });

  it('a hold pauses the clock (the pause recorded) and the due time moves by the pause', async () => {
    await t.call('POST', '/api/sla/policies', { body: { name: 'Pausable', applies_to: ['incident'], match: { services: ['pause'] }, targets: targets(30, 60) } });
    const inc = await t.incident({ title: 'Waiting on the customer', affected_services: ['pause'] });
    const due0 = Date.parse(inc.sla.resolution.due_at);
    const held = (await t.call('PATCH', `/api/incidents/${inc.id}`, { body: { hold_reason: 'awaiting_customer' } })).body.data;
    expect(held.hold_reason).toBe('awaiting_customer');
    expect(held.sla.resolution).toMatchObject({ state: 'paused', due_at: null, at_risk_at: null, paused_intervals: [{ from: held.updated_at, to: null }] });
    expect(held.sla.response.state).toBe('paused');
    await sleep(1500);
    const paused = (await t.call('GET', `/api/incidents/${inc.id}`)).body.data.sla.resolution;
    expect(paused.elapsed_minutes).toBe(held.sla.resolution.elapsed_minutes);
    const resumed = (await t.call('PATCH', `/api/incidents/${inc.id}`, { body: { holdReason: null } })).body.data;
    const pause = Date.parse(resumed.updated_at) - Date.parse(held.updated_at);
    expect(resumed.sla.resolution).toMatchObject({ state: 'running', paused_intervals: [{ from: held.updated_at, to: resumed.updated_at }] });
    expect(Math.abs(Date.parse(resumed.sla.resolution.due_at) - (due0 + pause))).toBeLessThanOrEqual(2);
    // A resolved incident awaits nothing.
    await t.call('PATCH', `/api/incidents/${inc.id}`, { body: { status: 'resolved' } });
    const bad = await t.call('PATCH', `/api/incidents/${inc.id}`, { body: { hold_reason: 'awaiting_vendor' } });
    expect([bad.status, bad.body.details?.[0]?.field]).toEqual([422, 'hold_reason']);
  });

  it('at risk and breached: one event each per timer on JetStream, the record shows it and ?sla= finds it', async () => {
    const { events, stop } = await collect(nc);
    stops.push(stop);
    await t.call('POST', '/api/sla/policies', { body: { name: 'Fast', applies_to: ['incident'], match: { services: ['fast'] }, targets: targets(0.04, 60), at_risk_percent: 50 } });
    const inc = await t.incident({ title: 'Fast one', severity: 'P1', affected_services: ['fast'] });
    const calm = await t.incident({ title: 'Calm one', severity: 'P4' });
    const of = (subject: string) => events.filter((e) => e.subject === subject && e.event.data.record_id === inc.id);
    await waitFor(() => of('sla.timer.breached.v1').length > 0, 'the breach event');
    await sleep(1000);
    expect(of('sla.timer.at_risk.v1').map((e) => e.event.data)).toEqual([
      expect.objectContaining({ record_type: 'incident', reference: inc.reference, timer: 'response', policy_name: 'Fast', priority: 'critical', target_minutes: 0.04, due_at: inc.sla.response.due_at }),
    ]);
    expect(of('sla.timer.breached.v1').map((e) => e.event.data.timer)).toEqual(['response']);
    const now = (await t.call('GET', `/api/incidents/${inc.id}`)).body.data;
    expect(now.sla).toMatchObject({ breached: true, response: { breached: true, state: 'running' } });
    expect(now.sla.response.remaining_minutes).toBeLessThan(0);
    const ids = async (q: string) => (await t.call('GET', `/api/incidents?${q}&limit=500`)).body.data.items.map((x: { id: string }) => x.id);
    expect(await ids('sla=breached')).toContain(inc.id);
    expect(await ids('sla=breached')).not.toContain(calm.id);
    expect(await ids('sla=at_risk')).not.toContain(inc.id);
    expect((await t.call('GET', '/api/incidents?sla=late')).status).toBe(422);
    // Acknowledged late: the breach stays on the record.
    const ack = (await t.call('PATCH', `/api/incidents/${inc.id}`, { body: { status: 'acknowledged' } })).body.data;
    expect(ack.sla.response).toMatchObject({ state: 'completed', breached: true });
  });

  it('service requests: paused while waiting for approval, responded on approval, fulfilled in time; filterable by sla', async () => {
    await t.call('POST', '/api/itsm/catalog', {
      body: { code: 'sla-laptop', name: 'Laptop', category: 'hardware', form_schema: { type: 'object' }, approval: { required: true, approvals: 1 }, fulfilment_tasks: [{ title: 'Ship it' }] },
    });
    const r = (await t.call('POST', '/api/itsm/requests', { as: member, body: { catalog_item_id: 'sla-laptop', priority: 'high' } })).body.data;
    expect(r).toMatchObject({ status: 'pending_approval', priority: 'high' });
    const ofPriority = async (q: string) => (await t.call('GET', `/api/itsm/requests?priority=${q}`)).body.data.items.map((x: { id: string }) => x.id);
    expect([await ofPriority('high'), await ofPriority('low,medium')]).toEqual([[r.id], []]);
    expect(r.sla).toMatchObject({ response: { state: 'paused', target_minutes: 30 }, resolution: { state: 'paused', target_minutes: 480 } });
    const approved = (await t.call('POST', `/api/itsm/requests/${r.id}/approval`, { body: { action: 'approve' } })).body.data;
    expect(approved.status).toBe('in_fulfilment');
    expect(approved.sla.response).toMatchObject({ state: 'completed', breached: false });
    expect(approved.sla.resolution.state).toBe('running');
    expect(approved.sla.resolution.paused_intervals).toEqual([{ from: r.created_at, to: approved.updated_at }]);
    const task = approved.tasks[0].id;
    const done = (await t.call('PATCH', `/api/itsm/requests/${r.id}/tasks/${task}`, { body: { status: 'done' } })).body.data;
    expect(done.status).toBe('fulfilled');
    expect(done.sla.resolution).toMatchObject({ state: 'completed', breached: false });
    // A policy for a catalog category reaches the itsm service (a copy kept from sla.policy.* events).
    const fast = (await t.call('POST', '/api/sla/policies', { body: { name: 'Hardware', applies_to: ['service_request'], match: { catalog_categories: ['hardware'] }, targets: targets(0.02, 0.03), pause_on: [] } })).body.data;
    const late = await waitFor(async () => {
      const x = (await t.call('POST', '/api/itsm/requests', { as: member, body: { catalog_item_id: 'sla-laptop' } })).body.data;
      return x.sla.policy_id === fast.id ? x : undefined;
    }, 'the policy copy in itsm');
    expect(late.sla.response).toMatchObject({ state: 'running', target_minutes: 0.02 });
    await sleep(2500);
    const list = async (q: string) => (await t.call('GET', `/api/itsm/requests?${q}`)).body.data.items.map((x: { id: string }) => x.id);
    expect(await list('sla=breached')).toContain(late.id);
    expect(await list('sla=breached')).not.toContain(r.id);
    const cancelled = (await t.call('PATCH', `/api/itsm/requests/${late.id}`, { body: { status: 'cancelled' } })).body.data;
    expect(cancelled.sla.resolution).toMatchObject({ state: 'cancelled', breached: true });
  });

  it("tenants never see or touch each other's policies", async () => {
    const other = await p.tenant('Other');
    const mine = (await t.call('POST', '/api/sla/policies', { body: { name: 'Mine', targets: targets(10, 20) } })).body.data;
    for (const [method, body] of [['GET'], ['PATCH', { name: 'x' }], ['PUT', { name: 'x' }], ['DELETE']] as const) {
      expect([method, (await other.call(method, `/api/sla/policies/${mine.id}`, { body })).status]).toEqual([method, 404]);
    }
    const theirs = (await other.call('GET', '/api/sla/policies')).body.data;
    expect(theirs.items.map((x: { name: string }) => x.name)).toEqual(['Default']);
    expect(theirs.items[0].id).not.toBe((await t.call('GET', '/api/sla/policies')).body.data.items.find((x: { is_default: boolean }) => x.is_default).id);
    expect((await t.call('GET', `/api/sla/policies/${mine.id}`)).body.data.name).toBe('Mine');
  });
});

/** The scheduler is restart-safe: a timer that runs out while the service is down is announced once after it starts. */
describe('SLA scheduler across a restart', () => {
  it('announces at-risk and breach of a timer that ran out while the platform was stopped, once each', async () => {
    let p = await TestPlatform.start(ENV);
    const nc = await connect({ servers: TEST_NATS_URL });
    let stop = () => undefined as void;
    try {
      const t = await p.tenant();
      await t.call('POST', '/api/sla/policies', { body: { name: 'Short', match: { services: ['short'] }, applies_to: ['incident'], targets: targets(60, 0.1) } });
      const inc = await t.incident({ title: 'Runs out while down', affected_services: ['short'] });
      expect(inc.sla.resolution.target_minutes).toBe(0.1);
      const c = await collect(nc);
      const events = c.events;
      stop = c.stop;
      await p.close();
      // Down past the target (6 s from creation).
      await sleep(Math.max(0, Date.parse(inc.sla.resolution.due_at) - Date.now()) + 500);
      expect(events.filter((e) => e.event.data.record_id === inc.id)).toEqual([]);
      p = await TestPlatform.start(ENV);
      const mine = () => events.filter((e) => e.event.data.record_id === inc.id);
      await waitFor(() => mine().length >= 2, 'both events after the restart');
      await sleep(1500);
      expect(mine().map((e) => `${e.subject} ${e.event.data.timer}`)).toEqual(['sla.timer.at_risk.v1 resolution', 'sla.timer.breached.v1 resolution']);
      const again = (await p.call('GET', `/api/incidents/${inc.id}`, { tenant: t.id, token: t.owner.token })).body.data;
      expect(again.sla.resolution).toMatchObject({ breached: true, state: 'running' });
    } finally {
      stop();
      await nc.close();
      await p.close();
    }
  });
});
