import { randomUUID } from 'node:crypto';
import { connect, JSONCodec, NatsConnection } from 'nats';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { context, SpanKind, trace } from '@opentelemetry/api';
import { DomainEvent, EventSubject, TelemetryTopologyObservedV1 } from '@opsplane/contracts';
import { TestPlatform, TestTenant } from '../support/platform';
import { TEST_NATS_URL } from '../support/env';

/** Polls `read` until `done` holds (spans are written just after the gateway answers; the CMDB follows their event). */
async function eventually<T>(read: () => Promise<T>, done: (v: T) => boolean, ms = 20_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (done(v) || Date.now() > until) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function apiToken(t: TestTenant): Promise<string> {
  const r = await t.call('POST', '/api/auth/tokens', { body: { name: `otel-${randomUUID().slice(0, 6)}`, permissions: ['read', 'write'] } });
  if (r.status !== 201) throw new Error(`token: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.data.token as string;
}

/**
 * One trace through the official SDK, as two services export it: frontend's server span; checkout's server span as its
 * child (created in frontend's context, as context propagation does); checkout's client span to payments
 * (`peer.service`; payments sends no spans). Each span is exported when it ends, so checkout's arrive first.
 */
async function sendTrace(url: string, token: string): Promise<string> {
  const provider = (service: string) =>
    new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': service, 'deployment.environment.name': 'prod' }),
      spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: `${url}/v1/traces`, headers: { authorization: `Bearer ${token}` } }))],
    });
  const frontend = provider('frontend');
  const checkout = provider('checkout');
  const root = frontend.getTracer('web').startSpan('GET /cart', { kind: SpanKind.SERVER });
  const inCheckout = checkout.getTracer('api').startSpan('POST /checkout', { kind: SpanKind.SERVER }, trace.setSpan(context.active(), root));
  const charge = checkout.getTracer('api').startSpan('charge card', { kind: SpanKind.CLIENT, attributes: { 'peer.service': 'payments' } }, trace.setSpan(context.active(), inCheckout));
  charge.end();
  inCheckout.end();
  await checkout.forceFlush();
  root.end();
  await frontend.forceFlush();
  await Promise.all([frontend.shutdown(), checkout.shutdown()]);
  return root.spanContext().traceId;
}

interface Item {
  id: string;
  name: string;
  class: string;
  environment: string | null;
  owner: string | null;
  attributes: Record<string, unknown>;
  version: number;
}
interface Edge {
  id: string;
  type: string;
  source: { id: string; name: string };
  target: { id: string; name: string };
}

const services = async (t: TestTenant) => (await t.call('GET', '/api/cmdb/items?class=service&limit=100')).body.data.items as Item[];
const edges = async (t: TestTenant) => (await t.call('GET', '/api/cmdb/relationships?type=depends_on&limit=100')).body.data.items as Edge[];
const named = (items: Item[]) => items.map((i) => i.name).sort();
/** An item without its relationship count (what a new relationship changes). */
const fixed = ({ relationship_count: _, ...rest }: Item & { relationship_count?: number }) => rest;
const calls = (es: Edge[]) => es.map((e) => `${e.source.name} -> ${e.target.name}`).sort();

describe('telemetry: the service topology from traces, in the CMDB', () => {
  let p: TestPlatform;
  let nc: NatsConnection;

  beforeAll(async () => {
    p = await TestPlatform.start();
    nc = await connect({ servers: TEST_NATS_URL });
  });
  afterAll(async () => {
    await nc?.close();
    await p?.close();
  });

  /** An event as another telemetry replica (which had not announced it yet) would publish it. */
  async function announceAgain(t: TestTenant, data: TelemetryTopologyObservedV1): Promise<void> {
    const id = randomUUID();
    const event: DomainEvent<TelemetryTopologyObservedV1> = {
      event_id: id,
      event_type: EventSubject.TelemetryTopologyObserved,
      tenant_id: t.id,
      occurred_at: new Date().toISOString(),
      actor_id: null,
      trace_id: null,
      data,
    };
    await nc.jetstream().publish(EventSubject.TelemetryTopologyObserved, JSONCodec().encode(event), { msgID: id });
  }

  it('makes service items and depends_on relationships of the calls, once, in the tenant only; impact walks them', async () => {
    const t = await p.tenant();
    const other = await p.tenant();
    const token = await apiToken(t);
    const traceId = await sendTrace(p.url, token);

    const found = await eventually(
      async () => ({ items: await services(t), edges: await edges(t) }),
      (x) => x.items.length >= 3 && x.edges.length >= 2,
    );
    expect(named(found.items)).toEqual(['checkout', 'frontend', 'payments']);
    for (const i of found.items) expect(i).toMatchObject({ class: 'service', environment: 'prod', attributes: { discovered_by: 'telemetry' } });
    expect(calls(found.edges)).toEqual(['checkout -> payments', 'frontend -> checkout']);
    expect((await t.call('GET', `/api/traces/${traceId}`)).body.data.span_count).toBe(3);

    // The import path wrote them: history, events and one audit entry per import, by the system.
    const checkout = found.items.find((i) => i.name === 'checkout')!;
    const history = (await t.call('GET', `/api/cmdb/items/${checkout.id}/history`)).body.data.items as { action: string; actor_id: string | null }[];
    expect(history).toEqual([expect.objectContaining({ action: 'created', actor_id: null })]);
    const audit = await eventually(
      () => t.call('GET', '/api/audit?action=ci.imported'),
      (r) => r.status === 200 && r.body.data.items.length >= 1,
    );
    expect(audit.body.data.items[0]).toMatchObject({ actor_type: 'system', actor_id: null });

    // Impact: frontend fails with checkout (it depends on it), and checkout with payments.
    const impact = await t.call('GET', `/api/cmdb/impact?ci_id=${checkout.id}`);
    expect(impact.status).toBe(200);
    expect(impact.body.data.items.map((i: { ci: { name: string }; distance: number }) => [i.ci.name, i.distance])).toEqual([['frontend', 1]]);
    const payments = found.items.find((i) => i.name === 'payments')!;
    const fromPayments = (await t.call('GET', `/api/cmdb/impact?ci_id=${payments.id}`)).body.data.items as { ci: { name: string }; distance: number }[];
    expect(fromPayments.map((i) => [i.ci.name, i.distance])).toEqual([
      ['checkout', 1],
      ['frontend', 2],
    ]);

    // The same traces again: nothing new (the telemetry service does not announce them again; stored as spans).
    const again = await sendTrace(p.url, token);
    await eventually(
      () => t.call('GET', `/api/traces/${again}`),
      (r) => r.status === 200 && r.body.data.span_count === 3,
    );
    // Announced again anyway (another replica, a restart): identification finds the items and the relationships.
    await announceAgain(t, {
      services: [
        { name: 'Frontend', environment: 'prod' },
        { name: 'checkout', environment: 'prod' },
      ],
      calls: [
        { caller: { name: 'frontend', environment: 'prod' }, callee: { name: 'CHECKOUT', environment: 'prod' } },
        { caller: { name: 'checkout', environment: 'prod' }, callee: { name: 'payments', environment: 'prod' } },
        // What tells us the event was handled.
        { caller: { name: 'payments', environment: 'prod' }, callee: { name: 'ledger', environment: 'prod' } },
      ],
    });
    const after = await eventually(
      async () => ({ items: await services(t), edges: await edges(t) }),
      (x) => x.items.some((i) => i.name === 'ledger') && x.edges.length >= 3,
    );
    expect(named(after.items)).toEqual(['checkout', 'frontend', 'ledger', 'payments']);
    expect(calls(after.edges)).toEqual(['checkout -> payments', 'frontend -> checkout', 'payments -> ledger']);
    for (const i of found.items) expect(fixed(after.items.find((x) => x.id === i.id)!)).toEqual(fixed(i));
    for (const e of found.edges) expect(after.edges.find((x) => x.id === e.id)).toEqual(e);

    // Another tenant sees none of it.
    expect(await services(other)).toEqual([]);
    expect(await edges(other)).toEqual([]);
    expect((await other.call('GET', `/api/cmdb/items/${checkout.id}`)).status).toBe(404);
  });

  it("takes an item people made for a service as it is, and makes a deleted service's item again (identification matches live items)", async () => {
    const t = await p.tenant();
    const made = await t.call('POST', '/api/cmdb/items', { body: { name: 'Checkout', class: 'service', environment: 'prod', owner: 'team-pay', attributes: { tier: 'gold' } } });
    expect(made.status).toBe(201);
    const gone = await t.call('POST', '/api/cmdb/items', { body: { name: 'payments', class: 'service', environment: 'prod' } });
    expect((await t.call('DELETE', `/api/cmdb/items/${gone.body.data.id}`)).status).toBe(200);

    await sendTrace(p.url, await apiToken(t));
    const found = await eventually(
      async () => ({ items: await services(t), edges: await edges(t) }),
      (x) => x.items.length >= 3 && x.edges.length >= 2,
    );
    expect(named(found.items)).toEqual(['Checkout', 'frontend', 'payments']);
    // Nothing of it overwritten, not even discovered_by.
    expect(fixed(found.items.find((i) => i.name === 'Checkout')!)).toEqual(fixed(made.body.data));
    expect(found.items.find((i) => i.name === 'payments')!.id).not.toBe(gone.body.data.id);
    expect(calls(found.edges)).toEqual(['Checkout -> payments', 'frontend -> Checkout']);
  });
});
