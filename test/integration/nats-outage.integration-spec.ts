import { connect, JSONCodec, NatsConnection } from 'nats';
import { DomainEvent, EVENT_STREAMS } from '@opsplane/contracts';
import { PrivateNatsServer } from '../support/nats-server';
import { TestPlatform, TestTenant } from '../support/platform';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const STREAM = Object.keys(EVENT_STREAMS).find((s) => EVENT_STREAMS[s as keyof typeof EVENT_STREAMS].some((x) => x.startsWith('incidents.')))!;
const OUTAGE_MS = 60_000;

/** The incidents whose incident.created event is stored in JetStream (read message by message). */
async function createdEvents(nc: NatsConnection): Promise<Set<string>> {
  const jsm = await nc.jetstreamManager();
  const codec = JSONCodec<DomainEvent<{ incident: { id: string } }>>();
  const { first_seq, last_seq } = (await jsm.streams.info(STREAM)).state;
  const ids = new Set<string>();
  for (let seq = first_seq; seq <= last_seq && last_seq > 0; seq++) {
    const m = await jsm.streams.getMessage(STREAM, { seq });
    if (m.subject === 'incidents.incident.created.v1') ids.add(codec.decode(m.data).data.incident.id);
  }
  return ids;
}

async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > end) return v;
    await sleep(100);
  }
}

/**
 * NATS goes away for a minute while the platform runs over it (a private nats-server, killed
 * with SIGKILL): every connection keeps reconnecting, readiness says so, requests answer 503
 * (never hang or 500), and within 5 s of NATS's return the platform serves again, with every
 * acknowledged write and its event intact, and new events relayed at once.
 */
describe('a NATS outage of 60 s', () => {
  let nats: PrivateNatsServer;
  let p: TestPlatform;
  let t: TestTenant;

  beforeAll(async () => {
    nats = await PrivateNatsServer.start();
    p = await TestPlatform.start({ NATS_URL: nats.url, RPC_TIMEOUT_MS: '2000' });
    t = await p.tenant('Outage');
  });
  afterAll(async () => {
    await p.close();
    await nats.stop();
  });

  it('is survived: 503 and not ready while it lasts, serving again within 5 s of its return, nothing acknowledged lost', async () => {
    const acknowledged: string[] = [];
    for (let i = 0; i < 5; i++) acknowledged.push((await t.incident({ title: `before the outage ${i}` })).id);

    await nats.kill();
    const downAt = Date.now();
    await sleep(1500);
    expect((await p.call('GET', '/health/live')).status).toBe(200);
    const ready = await p.call('GET', '/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.code).toBe('UNAVAILABLE');
    // Requests fail fast and cleanly for the whole outage.
    const answers = new Set<number>();
    while (Date.now() - downAt < OUTAGE_MS) {
      const started = Date.now();
      const r = await t.call('GET', '/api/incidents');
      answers.add(r.status);
      expect(Date.now() - started).toBeLessThan(4000);
      await sleep(5000);
    }
    expect([...answers]).toEqual([503]);

    await nats.resume();
    const upAt = Date.now();
    const back = await until(() => t.call('GET', '/api/incidents?limit=500'), (r) => r.status === 200, 15_000);
    const servedAfter = Date.now() - upAt;
    expect(back.status).toBe(200);
    expect(servedAfter).toBeLessThan(5000);
    // A write right after the return, while the relays would still be backing off: its commit (and
    // the reconnect) wakes them, so its event is on JetStream at once, not after the backoff.
    const nc = await connect({ servers: nats.url });
    try {
      const after = await t.incident({ title: 'after the outage' });
      const committedAt = Date.now();
      await until(() => createdEvents(nc), (ids) => ids.has(after.id), 10_000);
      expect(Date.now() - committedAt).toBeLessThan(2000);
      expect((await until(() => p.call('GET', '/health/ready'), (r) => r.status === 200, 5000)).status).toBe(200);

      // Every acknowledged write is there, and so is its event.
      const ids = (await t.call('GET', '/api/incidents?limit=500')).body.data.items.map((i: { id: string }) => i.id);
      expect(ids).toEqual(expect.arrayContaining(acknowledged));
      const seen = await until(() => createdEvents(nc), (events) => acknowledged.every((id) => events.has(id)), 10_000);
      expect(acknowledged.filter((id) => !seen.has(id))).toEqual([]);
    } finally {
      await nc.close();
    }
  }, 150_000);
});
