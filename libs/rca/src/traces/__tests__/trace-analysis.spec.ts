import { RcaCase, SpanRecord, TraceEvidence } from '../../case';
import { ONSET_THRESHOLD } from '../../metrics/anomaly';
import { isErrorStatus, learnTopology, normalizeOperation, scoreTraces, selfTimes } from '../trace-analysis';

const T0 = 1_000;
/** A span from ms offsets relative to T0 seconds (integer nanoseconds). */
function span(trace: string, id: string, parent: string | undefined, service: string, startMs: number, endMs: number, status = 'OK', operation = 'op'): SpanRecord {
  return {
    trace_id: trace,
    span_id: id,
    parent_span_id: parent,
    service,
    operation,
    start_unix_nano: T0 * 1e9 + Math.round(startMs * 1e6),
    end_unix_nano: T0 * 1e9 + Math.round(endMs * 1e6),
    status_code: status,
  };
}

/** Self time (ms) of each span, by span id. */
function selfMs(spans: SpanRecord[]): Record<string, number> {
  const r = selfTimes(spans);
  return Object.fromEntries(spans.map((s, i) => [s.span_id, r.selfNanos[i] / 1e6]));
}

describe('isErrorStatus', () => {
  it.each([
    ['ERROR', true],
    ['STATUS_CODE_ERROR', true],
    ['Error', true],
    ['error', true],
    ['2', true],
    ['500', true],
    ['503', true],
    ['Internal failure', true],
    ['SERVER_FAULT', true],
    ['OK', false],
    ['STATUS_CODE_OK', false],
    ['UNSET', false],
    ['STATUS_CODE_UNSET', false],
    ['0', false],
    ['1', false],
    ['200', false],
    ['404', false],
    ['', false],
    ['  ', false],
  ])('%p -> %p', (status, expected) => {
    expect(isErrorStatus(status)).toBe(expected);
  });
});

describe('selfTimes', () => {
  it('subtracts sequential children', () => {
    const spans = [span('t', 'p', undefined, 'a', 0, 100), span('t', 'c1', 'p', 'b', 10, 30), span('t', 'c2', 'p', 'b', 40, 70)];
    expect(selfMs(spans)).toEqual({ p: 50, c1: 20, c2: 30 });
  });

  it('subtracts parallel children once (their union), whatever the input order', () => {
    const spans = [span('t', 'c3', 'p', 'b', 85, 90), span('t', 'c2', 'p', 'b', 30, 80), span('t', 'p', undefined, 'a', 0, 100), span('t', 'c1', 'p', 'c', 10, 60)];
    // Union of the children: 10..80 and 85..90 = 75 ms.
    expect(selfMs(spans).p).toBeCloseTo(25, 9);
  });

  it('clips children to the parent and never goes negative', () => {
    const out = selfMs([
      span('t', 'p', undefined, 'a', 0, 100),
      span('t', 'late', 'p', 'b', 90, 150), // 10 ms inside
      span('t', 'early', 'p', 'b', -10, 20), // 20 ms inside
      span('t', 'outside', 'p', 'b', 120, 130), // nothing inside
    ]);
    expect(out.p).toBeCloseTo(70, 9);
    const full = selfMs([span('u', 'p', undefined, 'a', 0, 10), span('u', 'c', 'p', 'b', 0, 10), span('u', 'd', 'p', 'b', 2, 12)]);
    expect(full.p).toBe(0);
    expect(selfMs([span('v', 'x', undefined, 'a', 10, 5)]).x).toBe(0);
  });

  it('treats a span whose parent is missing as a root and links parents within their own trace', () => {
    const spans = [
      span('t1', 'orphan', 'ghost', 'a', 0, 50),
      span('t1', 'kid', 'orphan', 'b', 0, 20),
      // The same span id in another trace must not be mixed up with t1's.
      span('t2', 'orphan', undefined, 'c', 0, 40),
      span('t2', 'kid2', 'orphan', 'd', 0, 30),
    ];
    const r = selfTimes(spans);
    expect([...r.parent]).toEqual([-1, 0, -1, 2]);
    expect([...r.selfNanos].map((v) => v / 1e6)).toEqual([30, 20, 10, 30]);
  });

  it.each([5, 100])('links parents the same way in small and large traces (%p spans), whatever the order', (n) => {
    // A chain s0 <- s1 <- ... in reverse input order, interleaved with another trace reusing the ids.
    const spans: SpanRecord[] = [];
    for (let i = n - 1; i >= 0; i--) {
      spans.push(span('big', `s${i}`, i ? `s${i - 1}` : undefined, 'a', i, 2 * n - i));
      spans.push(span('other', `s${i}`, undefined, 'b', 0, 1));
    }
    const r = selfTimes(spans);
    const index = (trace: string, id: string) => spans.findIndex((s) => s.trace_id === trace && s.span_id === id);
    for (let i = 0; i < n; i++) {
      expect(r.parent[index('big', `s${i}`)]).toBe(i ? index('big', `s${i - 1}`) : -1);
      expect(r.parent[index('other', `s${i}`)]).toBe(-1);
    }
    // Each link of the chain keeps 2 ms of its own (1 ms either side of its child).
    expect(r.selfNanos[index('big', 's0')] / 1e6).toBeCloseTo(2, 6);
    expect(r.selfNanos[index('big', `s${n - 1}`)] / 1e6).toBeCloseTo(2, 6);
  });

  it('finds where an error originates: a leaf error propagated through two callers originates only in the leaf', () => {
    const spans = [
      span('t', 'fe', undefined, 'frontend', 0, 100, 'STATUS_CODE_ERROR'),
      span('t', 'or', 'fe', 'orders', 10, 90, '500'),
      span('t', 'db', 'or', 'db', 20, 80, 'ERROR'),
      span('t', 'cache', 'or', 'cache', 81, 85, 'OK'),
      // A failure of its own, with healthy children, originates in the caller.
      span('u', 'fe2', undefined, 'frontend', 0, 100, 'ERROR'),
      span('u', 'or2', 'fe2', 'orders', 10, 90, 'OK'),
    ];
    const r = selfTimes(spans);
    expect([...r.error]).toEqual([1, 1, 1, 0, 1, 0]);
    expect([...r.originates]).toEqual([0, 0, 1, 0, 1, 0]);
  });
});

describe('duplicate spans', () => {
  it('leaves out a repeated span (same trace and span id, as overlapping exports write it), so its parent keeps its children', () => {
    // A call a -> b a second; from the fault time on, the export repeats every trace (minute files that overlap).
    const spans: SpanRecord[] = [];
    for (let k = 0; k < 600; k++) {
      const t = k * 1000;
      const trace = [span(`t${k}`, 'p', undefined, 'a', t, t + 100), span(`t${k}`, 'c', 'p', 'b', t + 10, t + 90)];
      spans.push(...trace, ...(1000 + k >= 1400 ? trace.map((x) => ({ ...x })) : []));
    }
    const ev = scoreTraces({ fault_time: 1400, window: { start: 1000, end: 1599 }, spans });
    // A copy linked as a second parent without children would show 100 ms of a's own time against 20.
    expect(ev.filter((e) => e.signal === 'latency' && e.score >= ONSET_THRESHOLD)).toEqual([]);
    expect(ev.find((e) => e.service === 'a' && e.signal === 'latency')?.peak_value ?? 20).toBeCloseTo(20, 5);
  });
});

describe('learnTopology', () => {
  it('returns deduplicated, sorted cross-service call edges', () => {
    const spans = [
      span('t', 'fe', undefined, 'frontend', 0, 100),
      span('t', 'or', 'fe', 'orders', 10, 90),
      span('t', 'or-inner', 'or', 'orders', 15, 85), // same service: not an edge
      span('t', 'db', 'or-inner', 'db', 20, 80),
      span('t', 'cart', 'fe', 'cart', 10, 20),
      span('u', 'fe', undefined, 'frontend', 0, 100),
      span('u', 'or', 'fe', 'orders', 10, 90),
      span('u', 'x', 'missing', 'zeta', 10, 90), // parent not in the data: no edge
    ];
    expect(learnTopology(spans)).toEqual([
      { source: 'frontend', target: 'cart', type: 'call' },
      { source: 'frontend', target: 'orders', type: 'call' },
      { source: 'orders', target: 'db', type: 'call' },
    ]);
  });
});

/** Deterministic jitter in [-0.5, 0.5). */
function lcg(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 16807) % 2147483647;
    return x / 2147483647 - 0.5;
  };
}

interface GenOptions {
  from: number;
  to: number;
  faultTime: number;
  /** db's duration multiplier after the fault. */
  slowdown?: number;
  /** After the fault, every `failEvery`-th request fails in db (and its callers report the failure). */
  failEvery?: number;
}

/**
 * frontend -> orders -> db, a request every 0.5 s. frontend and orders spend ~5 ms and ~2 ms of
 * their own time around the call; db takes ~20 ms (times `slowdown` after the fault).
 */
function generate(o: GenOptions): SpanRecord[] {
  const rnd = lcg(42);
  const spans: SpanRecord[] = [];
  let n = 0;
  for (let t = o.from; t < o.to; t += 0.5, n++) {
    const after = t >= o.faultTime;
    const dbMs = 20 * (1 + 0.2 * rnd()) * (after ? (o.slowdown ?? 1) : 1);
    const dbFails = after && o.failEvery !== undefined && n % o.failEvery === 0;
    const fePre = 2 + rnd();
    const fePost = 3 + rnd();
    const orPre = 1 + 0.5 * rnd();
    const orPost = 1 + 0.5 * rnd();
    const base = (t - T0) * 1000;
    const orStart = base + fePre;
    const dbStart = orStart + orPre;
    const orEnd = dbStart + dbMs + orPost;
    const feEnd = orEnd + fePost;
    const id = `tr-${String(n).padStart(6, '0')}`;
    spans.push(span(id, `${id}-fe`, undefined, 'frontend', base, feEnd, dbFails ? '500' : 'OK', 'GET /checkout'));
    spans.push(span(id, `${id}-or`, `${id}-fe`, 'orders', orStart, orEnd, dbFails ? 'STATUS_CODE_ERROR' : 'UNSET', 'PlaceOrder'));
    spans.push(span(id, `${id}-db`, `${id}-or`, 'db', dbStart, dbStart + dbMs, dbFails ? 'ERROR' : 'OK', 'INSERT orders'));
  }
  return spans;
}

const find = (ev: TraceEvidence[], service: string, signal: TraceEvidence['signal']) => ev.find((e) => e.service === service && e.signal === signal);
const scoreOf = (ev: TraceEvidence[], service: string, signal: TraceEvidence['signal']) => find(ev, service, signal)?.score ?? 0;

describe('scoreTraces', () => {
  const window = { start: 1000, end: 1599 };
  const faultTime = 1400;

  it("does not blame a callee's latency on its callers", () => {
    const spans = generate({ from: 1000, to: 1600, faultTime, slowdown: 10 });
    const c: Pick<RcaCase, 'fault_time' | 'window' | 'reference' | 'spans'> = { fault_time: faultTime, window, spans };
    // The callers' durations do grow ~10x...
    const fe = spans.filter((s) => s.service === 'frontend');
    const dur = (s: SpanRecord) => (s.end_unix_nano - s.start_unix_nano) / 1e6;
    expect(dur(fe[fe.length - 1])).toBeGreaterThan(5 * dur(fe[0]));
    // ...but not their own time.
    const ev = scoreTraces(c);
    expect(scoreOf(ev, 'db', 'latency')).toBeGreaterThan(20);
    expect(scoreOf(ev, 'frontend', 'latency')).toBeLessThan(ONSET_THRESHOLD);
    expect(scoreOf(ev, 'orders', 'latency')).toBeLessThan(ONSET_THRESHOLD);

    const db = find(ev, 'db', 'latency');
    expect(db).toMatchObject({ type: 'trace', operation: 'INSERT orders', spans: 400 });
    expect(db?.onset).toBe(1400);
    expect(db?.reference_value).toBeGreaterThan(18);
    expect(db?.reference_value).toBeLessThan(22);
    expect(db?.peak_value).toBeGreaterThan(150);
    expect(db?.example_trace_ids).toHaveLength(3);
    expect(db?.example_trace_ids).toEqual([...(db?.example_trace_ids ?? [])].sort());
    // Examples come from after the fault.
    for (const id of db?.example_trace_ids ?? []) expect(Number(id.slice(3))).toBeGreaterThanOrEqual(800);
    // No errors anywhere: no error evidence.
    expect(ev.filter((e) => e.signal === 'errors')).toEqual([]);
  });

  it('scores errors where they originate, not on the callers that propagate them (with a reference period)', () => {
    const spans = generate({ from: 400, to: 1600, faultTime, failEvery: 2 });
    const ev = scoreTraces({ fault_time: faultTime, window, reference: { start: 400, end: 999 }, spans });
    const db = find(ev, 'db', 'errors');
    expect(db?.score).toBeGreaterThanOrEqual(5);
    expect(db?.onset).toBe(1400);
    // 5 s buckets with 10 requests, every other one failing: 5 per bucket = 60 per minute.
    expect(db?.reference_value).toBe(0);
    expect(db?.peak_value).toBeCloseTo(60, 0);
    expect(db?.example_trace_ids).toEqual(['tr-002000', 'tr-002002', 'tr-002004']);
    expect(find(ev, 'orders', 'errors')).toBeUndefined();
    expect(find(ev, 'frontend', 'errors')).toBeUndefined();
  });

  it('charges the transport time of client spans to the call, not to the caller’s own time', () => {
    const spans: SpanRecord[] = [];
    for (let k = 0; k < 600; k++) {
      const t = (1000 + k) * 1000;
      const net = t >= faultTime * 1000 ? 80 : 2;
      // web's server span, its client span around the call, and orders' server span.
      spans.push(
        span(`t${k}`, 'a', undefined, 'web', t - T0 * 1000, t - T0 * 1000 + 15 + net, 'OK', 'GET /'),
        span(`t${k}`, 'b', 'a', 'web', t - T0 * 1000 + 2, t - T0 * 1000 + 12 + net, 'OK', 'orders.Get'),
        span(`t${k}`, 'c', 'b', 'orders', t - T0 * 1000 + 2 + net / 2, t - T0 * 1000 + 12 + net / 2, 'OK', 'orders.Get'),
      );
    }
    const ev = scoreTraces({ fault_time: faultTime, window, spans });
    const transport = ev.filter((e) => e.signal === 'transport');
    expect(transport.map((e) => [e.service, e.operation, e.peer])).toEqual([
      ['orders', 'web -> orders', 'web'],
      ['web', 'web -> orders', 'orders'],
    ]);
    expect(transport[0].reference_value).toBeCloseTo(2, 0);
    expect(transport[0].peak_value).toBeCloseTo(80, 0);
    expect(transport[0].score).toBeGreaterThan(20);
    // The client span's own time is that transport: no latency evidence for web.
    expect(scoreOf(ev, 'web', 'latency')).toBeLessThan(ONSET_THRESHOLD);
  });

  it('charges a client span that never reached its callee (no child: lost, refused, timed out) to the call to its usual callee', () => {
    const spans: SpanRecord[] = [];
    for (let k = 0; k < 600; k++) {
      const t = k * 1000;
      const lost = 1000 + k >= faultTime && k % 3 === 0;
      spans.push(span(`t${k}`, 'a', undefined, 'web', t, t + (lost ? 510 : 20), 'OK', 'GET /'), span(`t${k}`, 'b', 'a', 'web', t + 2, t + (lost ? 504 : 14), 'OK', 'orders.Get'));
      if (!lost) spans.push(span(`t${k}`, 'c', 'b', 'orders', t + 3, t + 13, 'OK', 'Get'));
    }
    const ev = scoreTraces({ fault_time: faultTime, window, spans });
    expect(ev.find((e) => e.service === 'orders' && e.signal === 'transport')).toMatchObject({ operation: 'web -> orders', peer: 'web' });
    expect(scoreOf(ev, 'orders', 'transport')).toBeGreaterThan(20);
    expect(scoreOf(ev, 'web', 'latency')).toBeLessThan(ONSET_THRESHOLD);
  });

  it('finds calls that stopped while the operation went on, and charges the callee the cut flows called last', () => {
    // checkout: PlaceOrder -> (client span) catalog.Get -> catalog's server span, then own work: Ship. After the
    // fault, catalog returns something checkout cannot go on with: the flow stops after the call (no Ship).
    const build = (cutAfterCatalog: boolean) => {
      const spans: SpanRecord[] = [];
      for (let k = 0; k < 600; k++) {
        const t = k * 1000;
        const id = `t${k}`;
        const cut = 1000 + k >= faultTime;
        spans.push(span(id, 'a', undefined, 'checkout', t, t + 50, 'OK', 'PlaceOrder'));
        if (!cut || cutAfterCatalog) spans.push(span(id, 'b', 'a', 'checkout', t + 1, t + 11, 'OK', 'catalog.Get'), span(id, 'c', 'b', 'catalog', t + 2, t + 10, 'OK', 'Get'));
        if (!cut) spans.push(span(id, 'd', 'a', 'checkout', t + 20, t + 40, 'OK', 'Ship'));
      }
      return scoreTraces({ fault_time: faultTime, window, spans }).filter((e) => e.signal === 'calls');
    };
    const [callee] = build(true);
    expect(callee).toMatchObject({ service: 'catalog', operation: 'PlaceOrder -> Ship', peer: 'checkout', reference_value: 1, peak_value: 0, spans: 200 });
    expect(callee.score).toBeGreaterThan(10);
    expect(callee.onset).toBe(faultTime);
    // Cut before any call: checkout's own code.
    const [own] = build(false);
    expect(own).toMatchObject({ service: 'checkout', signal: 'calls' });
  });

  it('returns evidence sorted by service, operation, signal, deterministically whatever the input order', () => {
    const spans = generate({ from: 1000, to: 1600, faultTime, slowdown: 10, failEvery: 3 });
    const a = scoreTraces({ fault_time: faultTime, window, spans });
    const b = scoreTraces({ fault_time: faultTime, window, spans: [...spans].reverse() });
    expect(b).toEqual(a);
    const keys = a.map((e) => `${e.service}|${e.operation}|${e.signal}`);
    expect(keys).toEqual([...keys].sort());
    expect(keys).toContain('db|INSERT orders|errors');
    expect(keys).toContain('db|INSERT orders|latency');
  });

  it('copes with spans missing before the fault and no reference', () => {
    const spans = generate({ from: faultTime, to: 1600, faultTime, slowdown: 10, failEvery: 2 });
    const ev = scoreTraces({ fault_time: faultTime, window, spans });
    for (const e of ev) {
      expect(e.score).toBeGreaterThan(0);
      expect(Number.isFinite(e.score)).toBe(true);
      expect(Number.isFinite(e.reference_value)).toBe(true);
      expect(Number.isFinite(e.peak_value)).toBe(true);
      expect(e.spans).toBe(400);
    }
    // A steady state with nothing to compare with is no strong evidence against anyone.
    expect(Math.max(0, ...ev.map((e) => e.score))).toBeLessThan(10);
    expect(scoreTraces({ fault_time: faultTime, window, spans: [] })).toEqual([]);
    expect(scoreTraces({ fault_time: faultTime, window })).toEqual([]);
  });
});

describe('normalizeOperation', () => {
  it.each([
    ['GET /orders/8812?x=1', 'GET /orders/{id}'],
    ['GET /orders/77', 'GET /orders/{id}'],
    ['POST /carts/5f3a9c1e-0d1b-4c2e-9a7b-1c2d3e4f5a6b/items', 'POST /carts/{id}/items'],
    ['HTTP GET', 'HTTP GET'],
    ['GET /api/v2/users/42', 'GET /api/v2/users/{id}'],
    ['SELECT orders LIMIT 50', 'SELECT orders LIMIT {n}'],
    ['grpc.health.v1.Health/Check', 'grpc.health.v1.Health/Check'],
  ])('%s → %s', (raw, name) => {
    expect(normalizeOperation(raw)).toBe(name);
  });
});
