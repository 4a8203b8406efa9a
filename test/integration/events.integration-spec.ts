import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { connect, NatsConnection } from 'nats';
import { EVENT_PAYLOADS, EVENT_STREAMS, EventSubject } from '@opsplane/contracts';
import { parseInput } from '@opsplane/errors';
import { JetStreamEventBus } from '@opsplane/messaging';
import { TEST_DATABASE_URL, TEST_NATS_URL } from '../support/env';
import { TestPlatform, TestTenant } from '../support/platform';
import { collect as collectFrom, waitFor } from '../support/jetstream';

const STREAM = Object.keys(EVENT_STREAMS)[0];

/** Reads the incidents stream from now on into an array (a real JetStream consumer). */
const collect = (nc: NatsConnection, from = new Date()) => collectFrom(nc, STREAM, 'incidents.>', from);

describe('domain events on JetStream (transactional outbox)', () => {
  let p: TestPlatform;
  let nc: NatsConnection;
  let owner: Client;
  let t: TestTenant;

  beforeAll(async () => {
    p = await TestPlatform.start();
    nc = await connect({ servers: TEST_NATS_URL });
    owner = new Client({ connectionString: TEST_DATABASE_URL });
    await owner.connect();
    await (await new JetStreamEventBus(TEST_NATS_URL).connect()).close();
  });
  afterAll(async () => {
    await p.close();
    await owner.end();
    await nc.close();
  });
  beforeEach(async () => {
    t = await p.tenant();
  });

  it('publishes incident.created, .updated, .status_changed and .commented for each committed write', async () => {
    const { events, stop } = await collect(nc);
    try {
      const inc = await t.incident({ title: 'events please', severity: 'P2' });
      await t.call('PATCH', `/api/incidents/${inc.id}`, { body: { title: 'events please!' } });
      await t.call('PATCH', `/api/incidents/${inc.id}`, { body: { status: 'acknowledged' } });
      await t.call('PATCH', `/api/incidents/${inc.id}`, { body: { status: 'bogus' } }); // rejected: no event
      await t.call('POST', `/api/incidents/${inc.id}/comments`, { body: { body: 'on it' } });
      const mine = () => events.filter((e) => e.event.tenant_id === t.id);
      await waitFor(() => mine().length >= 5 || undefined, 'five events');
      await new Promise((r) => setTimeout(r, 300));
      const got = mine();
      expect(got.map((e) => e.subject)).toEqual([
        EventSubject.IncidentCreated,
        EventSubject.IncidentUpdated,
        EventSubject.IncidentUpdated,
        EventSubject.IncidentStatusChanged,
        EventSubject.IncidentCommented,
      ]);
      expect(got[4].event.data).toMatchObject({ incident_id: inc.id, reference: inc.reference, comment: { body: 'on it', author_id: t.owner.id } });
      expect(got[0].event).toMatchObject({ event_type: EventSubject.IncidentCreated, tenant_id: t.id, actor_id: t.owner.id, data: { incident: { id: inc.id, reference: inc.reference } } });
      expect(got[1].event.data.changes).toEqual({ title: { from: 'events please', to: 'events please!' } });
      expect(got[3].event.data).toMatchObject({ incident_id: inc.id, from: 'open', to: 'acknowledged' });
      for (const e of got) {
        // Every payload satisfies its versioned contract (the classes behind proto/).
        await expect(parseInput(EVENT_PAYLOADS[e.subject as EventSubject] as new () => object, e.event.data)).resolves.toBeDefined();
        expect(e.headers['Nats-Msg-Id']).toBe(e.event.event_id);
        expect(e.headers['x-tenant-id']).toBe(t.id);
      }
    } finally {
      stop();
    }
  });

  it('carries one trace from the HTTP request through NATS to the event and the timeline', async () => {
    const { events, stop } = await collect(nc);
    try {
      const traceId = randomBytes(16).toString('hex');
      const traceparent = `00-${traceId}-${randomBytes(8).toString('hex')}-01`;
      const r = await t.call('POST', '/api/incidents', { body: { title: 'traced', severity: 'P4' }, headers: { traceparent } });
      expect(r.status).toBe(201);
      const ev = await waitFor(() => events.find((e) => e.event.tenant_id === t.id), 'the created event');
      expect(ev.event.trace_id).toBe(traceId);
      expect(ev.headers.traceparent).toContain(traceId);
      const tl = await t.call('GET', `/api/incidents/${r.body.data.id}/timeline`);
      expect(tl.body.data.items[0].trace_id).toBe(traceId);
      const err = await t.call('GET', '/api/incidents/INC-00000999', { headers: { traceparent } });
      expect(err.body.trace_id).toBe(traceId);
    } finally {
      stop();
    }
  });

  it('delivers an event committed while publishing failed, once JetStream is back; a re-publish is de-duplicated', async () => {
    const jsm = await nc.jetstreamManager();
    await jsm.streams.delete(STREAM); // publishing now fails: no stream captures the subjects
    let incId: string;
    try {
      const inc = await t.incident({ title: 'written while the stream was gone' });
      incId = inc.id;
      const pending = await waitFor(async () => {
        const r = await owner.query(`SELECT id, attempts, published_at FROM incidents.outbox WHERE tenant_id = $1 AND subject LIKE 'incidents.%'`, [t.id]);
        return r.rows[0]?.attempts >= 1 ? r.rows[0] : undefined;
      }, 'a failed publish attempt');
      expect(pending.published_at).toBeNull();
    } finally {
      await (await new JetStreamEventBus(TEST_NATS_URL).connect()).close(); // recreate the stream
    }
    const { events, stop } = await collect(nc, new Date(0));
    try {
      const ev = await waitFor(() => events.find((e) => e.event.tenant_id === t.id), 'the delayed event', 45000);
      expect(ev.event.data.incident.id).toBe(incId!);
      const row = await owner.query(`SELECT id, published_at FROM incidents.outbox WHERE tenant_id = $1 AND subject LIKE 'incidents.%'`, [t.id]);
      expect(row.rows[0].published_at).not.toBeNull();

      // A relay that crashed after publishing but before marking the row publishes it again:
      await owner.query(`UPDATE incidents.outbox SET published_at = NULL WHERE id = $1`, [row.rows[0].id]);
      await waitFor(async () => {
        const r = await owner.query(`SELECT published_at FROM incidents.outbox WHERE id = $1`, [row.rows[0].id]);
        return r.rows[0].published_at ? true : undefined;
      }, 'the re-publish');
      await new Promise((r) => setTimeout(r, 500));
      // ... and JetStream keeps one message for it (Nats-Msg-Id = outbox id).
      expect(events.filter((e) => e.event.tenant_id === t.id)).toHaveLength(1);
    } finally {
      stop();
    }
  });
});
