import { MetricSeries, RcaCase, SpanRecord } from '../case';
import { scoreChanges } from '../changes';
import { canPropagate, confidences, mentionEdges, metricFamily, NONE_SCORE, rankRootCauses, specificStrengths, strength } from '../rank';
import { prng } from '../synthetic';

const T0 = 10_000;
const FAULT = T0 + 300;

/** 600 s of a noisy level, stepping up by `jump` from `from` on. */
function series(service: string, metric: string, level: number, jump: number, from = FAULT, seed = 1): MetricSeries {
  const rnd = prng(seed);
  const timestamps = Array.from({ length: 600 }, (_, i) => T0 + i);
  return { service, metric, timestamps, values: timestamps.map((t) => level * (1 + 0.05 * (rnd() - 0.5)) + (t >= from ? jump : 0)) };
}

const baseCase = (metrics: MetricSeries[], extra: Partial<RcaCase> = {}): RcaCase => ({ id: 'k', fault_time: FAULT, window: { start: T0, end: T0 + 599 }, metrics, ...extra });
const order = (c: RcaCase) => rankRootCauses(c).candidates.map((x) => x.service);

describe(rankRootCauses.name, () => {
  // The caller's latency includes the callee's; here the caller's series is even a little more anomalous.
  const web = series('web', 'latency', 100, 30, FAULT, 2);
  const db = series('db', 'latency', 50, 12, FAULT, 3);
  const other = series('mail', 'cpu', 20, 0, FAULT, 4);

  it('without a topology, ranks by the size of the anomaly', () => {
    expect(order(baseCase([web, db, other]))).toEqual(['web', 'db', 'mail']);
  });

  it('with a topology, puts the callee that went first above the caller that shows its effect', () => {
    const r = rankRootCauses(baseCase([web, db, other], { topology: [{ source: 'web', target: 'db', type: 'call' }] }));
    expect(r.candidates.map((x) => x.service)).toEqual(['db', 'web', 'mail']);
    expect(r.candidates[1].explained_by).toBe('db');
    expect(r.summary).toMatch(/^Most likely root cause: db .*web calls it and shows the effect/);
  });

  it('does not blame a callee whose anomaly started well after the caller’s', () => {
    const lateDb = series('db', 'latency', 50, 12, FAULT + 200, 3);
    const r = rankRootCauses(baseCase([web, lateDb, other], { topology: [{ source: 'web', target: 'db', type: 'call' }] }));
    expect(r.candidates[0].service).toBe('web');
    expect(r.candidates[0].explained_by).toBeUndefined();
  });

  it('raises a service changed shortly before its onset, and ignores old changes and changes after the onset', () => {
    const a = series('a', 'cpu', 50, 20, FAULT, 5);
    const b = series('b', 'cpu', 50, 17, FAULT, 6);
    expect(order(baseCase([a, b]))[0]).toBe('a');
    const recent = rankRootCauses(baseCase([a, b], { changes: [{ timestamp: FAULT - 300, service: 'b', description: 'deploy b v2' }] }));
    expect(recent.candidates[0].service).toBe('b');
    expect(recent.candidates[0].evidence).toContainEqual(expect.objectContaining({ type: 'change', description: 'deploy b v2', minutes_before_onset: 5 }));
    expect(recent.summary).toContain('"deploy b v2" was changed 5 minutes before the anomaly');
    const old = baseCase([a, b], { changes: [{ timestamp: FAULT - 3 * 3600, service: 'b', description: 'old' }, { timestamp: FAULT + 200, service: 'b', description: 'after' }] });
    expect(order(old)[0]).toBe('a');
  });

  it('weighs a change by how close it came to the onset', () => {
    const onsets = new Map<string, number | null>([['x', FAULT]]);
    const [near] = scoreChanges({ fault_time: FAULT, changes: [{ timestamp: FAULT - 60, service: 'x', description: 'd' }] }, onsets);
    const [far] = scoreChanges({ fault_time: FAULT, changes: [{ timestamp: FAULT - 3600, service: 'x', description: 'd' }] }, onsets);
    expect(near.score).toBeGreaterThan(0.9);
    expect(far.score).toBeCloseTo(0.25, 2);
  });

  it('answers from logs alone, and says so when nothing is anomalous', () => {
    const logs = [];
    for (let t = T0; t < T0 + 600; t += 2) {
      logs.push({ timestamp: t, service: 'api', level: 'INFO', message: `served request in ${t % 7} ms` });
      if (t >= FAULT) logs.push({ timestamp: t, service: 'worker', level: 'ERROR', message: 'lost connection to broker, retrying' });
      else logs.push({ timestamp: t, service: 'worker', level: 'INFO', message: 'job done' });
    }
    const r = rankRootCauses(baseCase([], { logs }));
    expect(r.candidates[0].service).toBe('worker');
    expect(r.candidates[0].evidence[0]).toMatchObject({ type: 'log', level: 'error', new_template: true });
    expect(rankRootCauses(baseCase([other])).summary).toBe('No anomaly found in the telemetry of this case.');
  });

  it('does not discount a caller’s own resource anomaly because a callee is anomalous too', () => {
    // A memory leak in web; a benign, weaker cpu rise in the db it calls at the same time.
    const leak = series('web', 'memory', 500, 400, FAULT, 7);
    const busyDb = series('db', 'cpu', 50, 10, FAULT, 8);
    const r = rankRootCauses(baseCase([leak, busyDb, other], { topology: [{ source: 'web', target: 'db', type: 'call' }] }));
    expect(r.candidates[0].service).toBe('web');
    expect(r.candidates[0].explained_by).toBeUndefined();
    expect(canPropagate({ type: 'metric', service: 'x', metric: 'container_memory_usage_bytes', score: 9, onset: 1, reference_median: 1, peak_value: 2 })).toBe(false);
    expect(canPropagate({ type: 'metric', service: 'x', metric: 'http_latency_p99', score: 9, onset: 1, reference_median: 1, peak_value: 2 })).toBe(true);
  });

  it('lets a callee explain a caller only with what reaches callers, in proportion to its strength, and less when it is a symptom itself', () => {
    const topology = [
      { source: 'web', target: 'db', type: 'call' },
      { source: 'db', target: 'disk', type: 'call' },
    ];
    // web's latency rises; db's only anomaly is its CPU (a busy CPU that does not slow it reaches no caller).
    const slowWeb = series('web', 'latency', 100, 60, FAULT, 11);
    const busyDb = series('db', 'cpu', 50, 10, FAULT, 12);
    const a = rankRootCauses(baseCase([slowWeb, busyDb], { topology }));
    expect(a.candidates[0].service).toBe('web');
    expect(a.candidates[0].explained_by).toBeUndefined();
    // db's latency barely out of its noise takes little of web's score.
    const faintDb = series('db', 'latency', 50, 1.6, FAULT, 13);
    const b = rankRootCauses(baseCase([slowWeb, faintDb], { topology }));
    const web = b.candidates.find((x) => x.service === 'web');
    const alone = rankRootCauses(baseCase([slowWeb])).candidates[0].score;
    expect(web?.score).toBeGreaterThan(0.6 * alone);
    // db's latency is strong but a symptom of disk's: db explains web less than disk does, and disk comes first.
    const c = rankRootCauses(baseCase([slowWeb, series('db', 'latency', 50, 40, FAULT, 14), series('disk', 'latency', 10, 30, FAULT, 15)], { topology }));
    expect(c.candidates[0].service).toBe('disk');
    expect(c.candidates.find((x) => x.service === 'web')?.explained_by).toBe('disk');
  });

  it('finds a callee that writes no spans through the log lines that name it', () => {
    const evidence = [
      { type: 'log' as const, service: 'orders', template_id: 'T1', template: 'dial tcp <*> connection refused', level: 'error' as const, score: 40, onset: FAULT, new_template: true, reference_rate: 0, window_rate: 5, count: 50, example: 'dial tcp orders-db:27017: connection refused' },
      { type: 'log' as const, service: 'web', template_id: 'T2', template: 'upstream orders failed', level: 'error' as const, score: 30, onset: FAULT, new_template: true, reference_rate: 0, window_rate: 5, count: 50, example: 'upstream orders failed' },
      { type: 'log' as const, service: 'web', template_id: 'T3', template: 'noise', level: 'info' as const, score: 1, onset: null, new_template: false, reference_rate: 1, window_rate: 1, count: 5, example: 'sent mail via mailer' },
    ];
    expect(mentionEdges(evidence, ['web', 'orders', 'orders-db', 'mailer'])).toEqual([
      { source: 'orders', target: 'orders-db', type: 'log-mention' },
      { source: 'web', target: 'orders', type: 'log-mention' },
    ]);
  });

  it('treats a client span’s own time as the network to its callee, so a delay on the callee is not the caller’s', () => {
    const rnd = prng(9);
    const spans: SpanRecord[] = [];
    const ms = 1e6;
    for (let t = T0; t < T0 + 600; t++) {
      const net = (t >= FAULT ? 200 : 2) * (1 + 0.1 * rnd()); // delay injected on the orders pod's network
      const work = 20 * (1 + 0.1 * rnd());
      const s0 = t * 1e9;
      const client = s0 + 5 * ms;
      const id = String(t);
      spans.push(
        { trace_id: id, span_id: `${id}a`, service: 'web', operation: 'GET /checkout', start_unix_nano: s0, end_unix_nano: client + (net + work + 5) * ms, status_code: 'OK' },
        { trace_id: id, span_id: `${id}b`, parent_span_id: `${id}a`, service: 'web', operation: 'GET orders', start_unix_nano: client, end_unix_nano: client + (net + work) * ms, status_code: 'OK' },
        { trace_id: id, span_id: `${id}c`, parent_span_id: `${id}b`, service: 'orders', operation: 'GET /orders', start_unix_nano: client + (net / 2) * ms, end_unix_nano: client + (net / 2 + work) * ms, status_code: 'OK' },
      );
    }
    // What the orders pod's own sidecar sees: its responses take much longer to leave.
    const ordersLatency = series('orders', 'response_time_p90', 25, 200, FAULT, 10);
    const r = rankRootCauses(baseCase([ordersLatency, series('web', 'cpu', 30, 0, FAULT, 11)], { spans }));
    expect(r.candidates.map((x) => x.service)).toEqual(['orders', 'web']);
    // The client span's own time is the call's transport time: charged to the call web -> orders, whose callee is
    // at the centre of the slow calls; web's own time (its server span) did not change.
    const transport = r.candidates[0].evidence.find((e) => e.type === 'trace' && e.signal === 'transport');
    expect(transport).toMatchObject({ type: 'trace', signal: 'transport', operation: 'web -> orders', peer: 'web' });
    expect(transport?.score).toBeGreaterThan(50);
    expect(r.candidates[1].evidence.filter((e) => e.type === 'trace' && e.signal === 'latency' && e.score >= 3)).toEqual([]);
  });

  it('charges slow calls to the service they all have in common: the caller when all its calls slow down, the callee when all calls to it do', () => {
    const rnd = prng(12);
    const ms = 1e6;
    const build = (slow: (caller: string, callee: string) => boolean) => {
      const spans: SpanRecord[] = [];
      const calls: [string, string][] = [['web', 'orders'], ['web', 'cart'], ['web', 'users'], ['api', 'orders'], ['batch', 'orders']];
      for (let t = T0; t < T0 + 600; t++) {
        calls.forEach(([caller, callee], k) => {
          const net = (t >= FAULT && slow(caller, callee) ? 150 : 2) * (1 + 0.1 * rnd());
          const work = 10 * (1 + 0.1 * rnd());
          const s0 = t * 1e9 + k * 100 * ms;
          const id = `${t}-${k}`;
          spans.push(
            { trace_id: id, span_id: `${id}a`, service: caller, operation: `call ${callee}`, start_unix_nano: s0, end_unix_nano: s0 + (net + work) * ms, status_code: 'OK' },
            { trace_id: id, span_id: `${id}b`, parent_span_id: `${id}a`, service: callee, operation: 'handle', start_unix_nano: s0 + (net / 2) * ms, end_unix_nano: s0 + (net / 2 + work) * ms, status_code: 'OK' },
          );
        });
      }
      return rankRootCauses(baseCase([series('web', 'cpu', 30, 0, FAULT, 11)], { spans }));
    };
    // Every call web makes is slow: web's own network (or its CPU starving its client).
    expect(build((caller) => caller === 'web').candidates[0].service).toBe('web');
    // Every call to orders is slow, from all three callers: orders' network.
    const r = build((_, callee) => callee === 'orders');
    expect(r.candidates[0].service).toBe('orders');
    expect(r.candidates[0].evidence).toContainEqual(expect.objectContaining({ type: 'trace', signal: 'transport', operation: expect.stringMatching(/ -> orders$/) }));
  });

  it('counts several kinds of metric moving together above one family of percentiles moving alone', () => {
    // api: cpu, memory and latency all up, moderately; cache: its p90, p95 and p99 (one histogram) up a bit more.
    const api = [series('api', 'cpu', 30, 4, FAULT, 5), series('api', 'memory', 500, 60, FAULT, 6), series('api', 'latency', 80, 10, FAULT, 7)];
    const cache = [series('cache', 'latency_p90', 20, 3.5, FAULT, 8), series('cache', 'latency_p95', 25, 4.4, FAULT, 9), series('cache', 'latency_p99', 40, 7, FAULT, 10)];
    expect(metricFamily('latency_p99')).toBe(metricFamily('latency_p90'));
    expect(metricFamily('PodClientLatencyP95(s)')).toBe('PodClientLatencyP#(s)');
    const r = rankRootCauses(baseCase([...api, ...cache]));
    const strongestOf = (svc: string) => Math.max(...(r.candidates.find((x) => x.service === svc)?.evidence ?? []).map(strength));
    expect(strongestOf('cache')).toBeGreaterThan(strongestOf('api'));
    expect(r.candidates[0].service).toBe('api');
  });

  it('takes out of a metric what most services show at once', () => {
    const services = ['a', 'b', 'c', 'd', 'e'];
    // Every service's p99 jumps (the node, the load balancer); only c's much more.
    const metrics = services.map((s, i) => series(s, 'p99', 50, s === 'c' ? 40 : 10, FAULT, 20 + i));
    const c = baseCase(metrics);
    const ranked = rankRootCauses(c);
    expect(ranked.candidates[0].service).toBe('c');
    const evidence = ranked.candidates.flatMap((x) => x.evidence);
    const specific = specificStrengths(evidence);
    const of = (svc: string) => specific.get(evidence.find((e) => e.service === svc) as (typeof evidence)[number]) ?? -1;
    expect(of('a')).toBe(0);
    expect(of('c')).toBeGreaterThan(0);
    expect(of('c')).toBeLessThan(strength(evidence.find((e) => e.service === 'c') as (typeof evidence)[number]));
    // The others' jumps, common to most, are no one's evidence.
    expect(ranked.candidates[1].score).toBeLessThan(0.2 * ranked.candidates[0].score);
  });

  it('gives a confidence that grows with the lead over the others and stays low when nothing stands out', () => {
    const [a, b] = confidences([6, 2]);
    expect(a).toBeGreaterThan(0.95);
    expect(a + b).toBeLessThan(1);
    expect(confidences([3, 2.8, 2.7])[0]).toBeLessThan(0.5);
    // Nothing above the score of "none of them": no confident answer, however few the candidates.
    expect(confidences([NONE_SCORE * 0.5])[0]).toBeLessThan(0.5);
    expect(confidences([])).toEqual([]);
  });

  it('is deterministic', () => {
    const c = baseCase([web, db, other], { topology: [{ source: 'web', target: 'db', type: 'call' }] });
    expect(rankRootCauses(c)).toEqual(rankRootCauses(c));
  });
});
