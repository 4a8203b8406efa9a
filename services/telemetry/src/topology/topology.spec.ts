import { EventSubject, TelemetryTopologyObservedV1 } from '@opsplane/contracts';
import { TenantTx } from '@opsplane/db';
import { parseInput } from '@opsplane/errors';
import type { SpanRow } from '@opsplane/otlp';
import { AnnouncedCache } from './announced-cache';
import { lookupsOf, serviceOf, StoredSpan, topologyOf } from './topology.domain';
import { TopologyObserver } from './topology.observer';

const T = 'aa'.repeat(16);
let n = 0;
/** A span of `service` (its resource: service.name and the given attributes). */
function span(service: string, o: Partial<SpanRow> & { env?: string; id?: string; parent?: string | null } = {}): SpanRow {
  const { env, id, parent, ...rest } = o;
  return {
    trace_id: T,
    span_id: id ?? (++n).toString(16).padStart(16, '0'),
    parent_span_id: parent ?? null,
    name: 'op',
    kind: 'server',
    start_us: 1_700_000_000_000_000,
    end_us: 1_700_000_000_100_000,
    duration_us: 100_000,
    status_code: 'unset',
    status_message: '',
    service,
    resource: { 'service.name': service, ...(env ? { 'deployment.environment.name': env } : {}) },
    scope: 'test',
    attributes: {},
    events: [],
    links: [],
    ...rest,
  };
}

const names = (t: ReturnType<typeof topologyOf>) => ({
  services: t.services.map((s) => `${s.name}@${s.environment ?? ''}`).sort(),
  calls: t.calls.map((c) => `${c.caller.name}@${c.caller.environment ?? ''} -> ${c.callee.name}@${c.callee.environment ?? ''}`).sort(),
});

describe('topologyOf', () => {
  it('a span whose parent in the batch belongs to another service is a call from the parent’s service to the span’s', () => {
    const root = span('frontend', { id: '01'.repeat(8) });
    const inner = span('frontend', { id: '02'.repeat(8), parent: root.span_id, kind: 'client' });
    const child = span('checkout', { id: '03'.repeat(8), parent: inner.span_id });
    const local = span('checkout', { id: '04'.repeat(8), parent: child.span_id, kind: 'internal' });
    expect(names(topologyOf([child, local, root, inner]))).toEqual({ services: ['checkout@', 'frontend@'], calls: ['frontend@ -> checkout@'] });
  });

  it('takes a parent that is not in the batch from the stored spans, and a stored child whose parent arrives now', () => {
    const child = span('checkout', { id: '03'.repeat(8), parent: '09'.repeat(8) });
    const caller = span('checkout', { id: '05'.repeat(8), kind: 'client' });
    const stored: StoredSpan[] = [
      { trace_id: T, span_id: '09'.repeat(8), parent_span_id: null, service: { name: 'frontend', environment: 'prod' } },
      { trace_id: T, span_id: '0a'.repeat(8), parent_span_id: caller.span_id, service: { name: 'payments', environment: null } },
      // The batch's own span, read back: no call twice, no call to itself.
      { trace_id: T, span_id: caller.span_id!, parent_span_id: null, service: { name: 'checkout', environment: null } },
    ];
    expect(names(topologyOf([child, caller], stored))).toEqual({
      services: ['checkout@', 'frontend@prod', 'payments@'],
      calls: ['checkout@ -> payments@', 'frontend@prod -> checkout@'],
    });
  });

  it('a CLIENT or PRODUCER span with peer.service calls that service (in the caller’s environment); other kinds do not', () => {
    const spans = [
      span('checkout', { kind: 'client', env: 'prod', attributes: { 'peer.service': 'payments' } }),
      span('checkout', { kind: 'producer', env: 'prod', attributes: { 'peer.service': 'orders-queue' } }),
      span('checkout', { kind: 'server', env: 'prod', attributes: { 'peer.service': 'not-a-callee' } }),
      span('checkout', { kind: 'client', env: 'prod', attributes: { 'peer.service': 'checkout' } }),
      span('checkout', { kind: 'client', env: 'prod', attributes: { 'peer.service': 42 } }),
    ];
    expect(names(topologyOf(spans))).toEqual({
      services: ['checkout@prod', 'orders-queue@prod', 'payments@prod'],
      calls: ['checkout@prod -> orders-queue@prod', 'checkout@prod -> payments@prod'],
    });
  });

  it('identifies services as the CMDB does: name in any case, and environment (one call per pair)', () => {
    const a = span('Frontend', { id: '01'.repeat(8), env: 'prod' });
    const b = span('frontend', { id: '02'.repeat(8), env: 'prod' });
    const c = span('checkout', { id: '03'.repeat(8), env: 'prod', parent: a.span_id });
    const d = span('CHECKOUT', { id: '04'.repeat(8), env: 'prod', parent: b.span_id });
    const e = span('frontend', { id: '05'.repeat(8), env: 'staging', parent: b.span_id });
    expect(names(topologyOf([a, b, c, d, e]))).toEqual({
      services: ['Frontend@prod', 'checkout@prod', 'frontend@staging'],
      calls: ['Frontend@prod -> checkout@prod', 'Frontend@prod -> frontend@staging'],
    });
  });

  it('leaves out services without a usable name, and their calls', () => {
    const root = span('unknown_service:node', { id: '01'.repeat(8) });
    const child = span('checkout', { id: '02'.repeat(8), parent: root.span_id });
    const long = span('x'.repeat(256), { id: '03'.repeat(8), parent: child.span_id });
    expect(names(topologyOf([root, child, long]))).toEqual({ services: ['checkout@'], calls: [] });
  });
});

describe('serviceOf', () => {
  it('takes the environment from deployment.environment.name, else deployment.environment, else none', () => {
    expect(serviceOf(' checkout ', { 'deployment.environment.name': 'prod', 'deployment.environment': 'old' })).toEqual({ name: 'checkout', environment: 'prod' });
    expect(serviceOf('checkout', { 'deployment.environment': 'staging' })).toEqual({ name: 'checkout', environment: 'staging' });
    expect(serviceOf('checkout', { 'deployment.environment.name': ' ', 'deployment.environment': 3 })).toEqual({ name: 'checkout', environment: null });
    expect(serviceOf('unknown_service', {})).toBeNull();
    expect(serviceOf('checkout', { 'deployment.environment.name': 'e'.repeat(101) })).toBeNull();
  });
});

describe('lookupsOf', () => {
  it('asks for the parents that are not in the batch, and the stored children of its spans, in its traces and times', () => {
    const root = span('frontend', { id: '01'.repeat(8), start_us: 5 });
    const child = span('checkout', { id: '02'.repeat(8), parent: root.span_id, start_us: 9 });
    const orphan = span('checkout', { id: '03'.repeat(8), parent: '0f'.repeat(8), trace_id: 'bb'.repeat(16), start_us: 7 });
    expect(lookupsOf([root, child, orphan])).toEqual({ traceIds: [T, 'bb'.repeat(16)], parentIds: ['0f'.repeat(8)], spanIds: [root.span_id, child.span_id, orphan.span_id], fromUs: 5, toUs: 9 });
    expect(lookupsOf([span('x', { trace_id: null })])).toBeNull();
  });
});

describe(AnnouncedCache.name, () => {
  it('remembers a key for the TTL, per tenant, and forgets the least recently used first', () => {
    const sut = new AnnouncedCache({ ttlMs: 1000, maxKeysPerTenant: 2, maxTenants: 2 });
    sut.add('t1', ['a', 'b'], 0);
    expect([sut.has('t1', 'a', 999), sut.has('t1', 'a', 1000), sut.has('t2', 'a', 0)]).toEqual([true, false, false]);
    sut.add('t1', ['a', 'b'], 2000);
    sut.has('t1', 'a', 2001); // a is now the most recent
    sut.add('t1', ['c'], 2002); // b goes
    expect([sut.has('t1', 'a', 2003), sut.has('t1', 'b', 2003), sut.has('t1', 'c', 2003)]).toEqual([true, false, true]);
    sut.add('t2', ['x'], 2004);
    sut.has('t1', 'a', 2005); // t1 used after t2
    sut.add('t3', ['y'], 2006); // t2 goes
    expect([sut.size('t1'), sut.size('t2'), sut.size('t3'), sut.tenantCount]).toEqual([2, 0, 1, 2]);
  });
});

describe(TopologyObserver.name, () => {
  const tenant = '11111111-1111-4111-8111-111111111111';
  function fakeTx() {
    const emitted: { subject: EventSubject; payload: unknown }[] = [];
    const commits: (() => void)[] = [];
    const tx = {
      tenant,
      emit: async (subject: EventSubject, payload: unknown) => void emitted.push({ subject, payload }),
      afterCommit: (fn: () => void) => void commits.push(fn),
    } as unknown as TenantTx;
    return { tx, emitted, commit: () => commits.forEach((f) => f()) };
  }

  it('emits one valid event with what is new, and the same again only when the transaction did not commit', async () => {
    const stored: StoredSpan[] = [{ trace_id: T, span_id: '09'.repeat(8), parent_span_id: null, service: { name: 'frontend', environment: 'prod' } }];
    const related = jest.fn(async () => stored);
    const sut = new TopologyObserver(new AnnouncedCache(), related, () => 1000);
    const spans = [
      span('checkout', { id: '03'.repeat(8), parent: '09'.repeat(8), env: 'prod' }),
      span('checkout', { id: '04'.repeat(8), parent: '03'.repeat(8), env: 'prod', kind: 'client', attributes: { 'peer.service': 'payments' } }),
    ];

    const rolledBack = fakeTx();
    await sut.observe(rolledBack.tx, spans);
    expect(rolledBack.emitted).toHaveLength(1);
    expect(related).toHaveBeenCalledWith(rolledBack.tx, expect.objectContaining({ parentIds: ['09'.repeat(8)] }));

    const first = fakeTx();
    await sut.observe(first.tx, spans);
    expect(first.emitted).toEqual([
      {
        subject: EventSubject.TelemetryTopologyObserved,
        payload: {
          services: [
            { name: 'checkout', environment: 'prod' },
            { name: 'frontend', environment: 'prod' },
            { name: 'payments', environment: 'prod' },
          ],
          calls: [
            { caller: { name: 'frontend', environment: 'prod' }, callee: { name: 'checkout', environment: 'prod' } },
            { caller: { name: 'checkout', environment: 'prod' }, callee: { name: 'payments', environment: 'prod' } },
          ],
        },
      },
    ]);
    await expect(parseInput(TelemetryTopologyObservedV1, first.emitted[0].payload)).resolves.toBeDefined();
    first.commit();

    const again = fakeTx();
    await sut.observe(again.tx, spans);
    expect(again.emitted).toEqual([]);

    // A new call between known services: only it.
    const more = fakeTx();
    await sut.observe(more.tx, [span('payments', { env: 'prod', kind: 'client', attributes: { 'peer.service': 'ledger' } })]);
    expect(more.emitted.map((e) => e.payload)).toEqual([
      { services: [{ name: 'ledger', environment: 'prod' }], calls: [{ caller: { name: 'payments', environment: 'prod' }, callee: { name: 'ledger', environment: 'prod' } }] },
    ]);
  });

  it('splits what is new over several events past the payload bounds', async () => {
    const sut = new TopologyObserver(new AnnouncedCache(), async () => [], () => 0);
    const { tx, emitted } = fakeTx();
    await sut.observe(
      tx,
      Array.from({ length: 1500 }, (_, i) => span(`svc-${i}`, { kind: 'client', attributes: { 'peer.service': 'db' } })),
    );
    expect(emitted.map((e) => [(e.payload as TelemetryTopologyObservedV1).services.length, (e.payload as TelemetryTopologyObservedV1).calls.length])).toEqual([
      [1000, 1000],
      [501, 500],
    ]);
  });
});
