import { ChangeRecord, LogRecord, MetricSeries, RcaCase, SpanRecord, TopologyEdge } from './case';

/** A small seeded PRNG (mulberry32): the same seed, the same case. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type FaultKind = 'cpu' | 'mem' | 'latency' | 'error' | 'delay' | 'loss' | 'code';
/** The kinds a case draws from when none is asked for (`code` faults only on request: they need logs or spans to show). */
export const FAULT_KINDS: readonly FaultKind[] = ['cpu', 'mem', 'latency', 'error', 'delay', 'loss'];
/** Every kind the generator makes. */
export const ALL_FAULT_KINDS: readonly FaultKind[] = [...FAULT_KINDS, 'code'];

export interface SyntheticOptions {
  seed: number;
  services?: number;
  kind?: FaultKind;
  /** Seconds of reference and of incident window (1 s steps). */
  referenceSeconds?: number;
  windowSeconds?: number;
  /** Metrics per service (at least the four modelled ones: cpu, memory, latency_p90, errors_total; the rest are unrelated gauges and counters). */
  metricsPerService?: number;
  /** Also produce traces: one request every `requestEvery` seconds walks the call tree (each call taken with probability 0.8). */
  spans?: boolean;
  /** Also produce logs: per-request lines, heartbeats, and the fault's own lines in the faulty service and its callers. */
  logs?: boolean;
  requestEvery?: number;
  /** Also produce changes: a deploy of the faulty service minutes before the fault, and decoy changes elsewhere. */
  changes?: boolean;
  /** Give the call graph as the case's topology. */
  topology?: boolean;
  /**
   * A benign event elsewhere at the same time, to mislead: another service starts a cache rebuild
   * at the fault time (more cpu, a new burst of info lines and a few warnings) after a deploy 40
   * minutes earlier (when changes are on).
   */
  decoy?: boolean;
  /** The faulty service writes no spans (an uninstrumented database, say): its time hides in its callers' spans. */
  uninstrumented?: boolean;
  /**
   * Every call between services is a client span in the caller around the callee's server span (as
   * OpenTelemetry instruments HTTP and gRPC), so the network between them is the client span's own time.
   */
  clientSpans?: boolean;
  /** Spans carry no status (the instrumentation records none): errors show only in the log lines of their traces. */
  noStatus?: boolean;
  /**
   * Also a `latency_p99` per service computed from a latency histogram (bucket bounds 5, 10, 25, 50, 100, 250, 500,
   * 1000 ms, interpolated within the bucket as Prometheus' histogram_quantile does): stuck on a bucket in the
   * reference, and in two services that are not at fault a few slightly slower requests from the fault time on make it
   * jump into the next bucket (an artefact: nothing else of theirs changes, but it is hundreds of reference spreads).
   */
  percentiles?: boolean;
}

export interface SyntheticCase {
  rcaCase: RcaCase;
  label: { service: string; kind: FaultKind };
  /** caller → callees */
  calls: Record<string, string[]>;
}

const OPERATIONS = ['GET /items', 'POST /orders', 'GET /cart', 'PUT /profile', 'GET /status', 'POST /pay'];

/**
 * A labelled case of our own: services on a call tree under a front end. A fault of the chosen
 * kind starts in one service at the fault time and propagates to its callers the way real faults
 * do: cpu (own latency up), mem (memory climbs), latency (its own work slows), error (its calls
 * fail, and its callers' calls to it fail too), delay (its network is slow, both ways: its work is not, but
 * its callers wait, its own calls out wait, and its sidecar sees slower responses), loss (packets to it are
 * dropped: some calls to it time out in its callers, and it retransmits) and code (a code-level fault: it
 * returns early, without an error, so the calls it makes and the line it writes for every request stop while
 * it goes on serving). Metrics always; optionally spans (self time and
 * error origin are in the faulty service, durations and propagated errors all the way up), logs
 * (the faulty service's own lines, and warnings or errors in its callers about it), changes and
 * the topology.
 */
export function generateCase(o: SyntheticOptions): SyntheticCase {
  const rnd = prng(o.seed);
  const n = Math.max(3, o.services ?? 8);
  const kind = o.kind ?? FAULT_KINDS[Math.floor(rnd() * FAULT_KINDS.length)];
  const names = ['front-end', ...Array.from({ length: n - 1 }, (_, i) => `svc-${String.fromCharCode(97 + (i % 26))}${i >= 26 ? i : ''}`)];
  const calls: Record<string, string[]> = Object.fromEntries(names.map((s) => [s, []]));
  const parent: Record<string, string | null> = { 'front-end': null };
  for (let i = 1; i < names.length; i++) {
    const p = names[Math.floor(rnd() * i)];
    parent[names[i]] = p;
    calls[p].push(names[i]);
  }
  const root = names[1 + Math.floor(rnd() * (names.length - 1))];
  const ancestors = new Set<string>();
  for (let p = parent[root]; p; p = parent[p]) ancestors.add(p);
  const decoyChoices = names.filter((s) => s !== root && !ancestors.has(s));
  const decoy = o.decoy && decoyChoices.length ? decoyChoices[Math.floor(rnd() * decoyChoices.length)] : undefined;
  const refLen = o.referenceSeconds ?? 300;
  const winLen = o.windowSeconds ?? 300;
  const t0 = 1_700_000_000;
  const windowStart = t0 + refLen + 3600;
  const faultTime = windowStart + Math.floor(winLen / 3);
  const base = Object.fromEntries(
    names.map((s) => [s, { cpu: 10 + rnd() * 30, mem: 200 + rnd() * 800, lat: 20 + rnd() * 80, err: rnd() * 0.2, op: OPERATIONS[Math.floor(rnd() * OPERATIONS.length)] }]),
  );
  const gauss = () => (rnd() + rnd() + rnd() + rnd() - 2) / 2; // ~N(0, 0.4)
  const faulty = (s: string, t: number) => s === root && t >= faultTime;
  /** The faulty service's own extra work (ms): in its own spans. */
  const ownExtra = (s: string, t: number) => (!faulty(s, t) ? 0 : kind === 'latency' ? 3 * base[s].lat : kind === 'cpu' ? 1.5 * base[s].lat : 0);
  /** Extra network time (ms, round trip) of calls to a service. */
  const netExtra = (s: string, t: number) => (faulty(s, t) && kind === 'delay' ? 3 * base[s].lat : 0);
  /** Extra latency seen in a service's metric: its own plus an attenuated share of its callees'. */
  const extraLatency = (s: string, t: number): number => ownExtra(s, t) + netExtra(s, t) + calls[s].reduce((a, c) => a + 0.35 * extraLatency(c, t), 0);
  /** Share of calls to a service lost on its network (they time out in the caller). */
  const lossRate = (s: string, t: number) => (faulty(s, t) && kind === 'loss' ? 0.3 : 0);
  /** Errors per second of a service: its own, plus half of its callees' (a failed call fails its caller's request). */
  const errorRate = (s: string, t: number): number =>
    base[s].err + (faulty(s, t) && kind === 'error' ? 5 : 0) + calls[s].reduce((a, c) => a + 0.5 * (errorRate(c, t) - base[c].err) + 3 * lossRate(c, t), 0);

  const times: number[] = [];
  for (let t = t0; t < t0 + refLen; t++) times.push(t);
  for (let t = windowStart; t < windowStart + winLen; t++) times.push(t);

  // Histogram percentiles: two services not at fault (nor callers of it) get slow requests from the fault time on.
  const bystanders = names.filter((s) => s !== root && !ancestors.has(s) && s !== decoy);
  const artefacts = new Set(o.percentiles ? bystanders.slice(0, 2) : []);
  const metricsPer = Math.max(5, o.metricsPerService ?? 5);
  const metrics: MetricSeries[] = [];
  for (const s of names) {
    const b = base[s];
    const cpu: number[] = [];
    const mem: number[] = [];
    const lat: number[] = [];
    const errs: number[] = [];
    const retrans: number[] = [];
    let errTotal = 0;
    let retransTotal = 0;
    for (const t of times) {
      cpu.push(b.cpu * (1 + 0.05 * gauss()) + (faulty(s, t) && kind === 'cpu' ? 60 : 0) + (s === decoy && t >= faultTime ? 0.4 * b.cpu : 0));
      mem.push(b.mem * (1 + 0.01 * gauss()) + (faulty(s, t) && kind === 'mem' ? 4 * (t - faultTime) : 0));
      lat.push(b.lat * (1 + 0.05 * gauss()) + extraLatency(s, t));
      errTotal += Math.max(0, errorRate(s, t) * (1 + gauss()));
      errs.push(Math.floor(errTotal));
      retransTotal += Math.max(0, (0.5 + 40 * lossRate(s, t)) * (1 + gauss()));
      retrans.push(Math.floor(retransTotal));
    }
    metrics.push(
      { service: s, metric: 'cpu', timestamps: times, values: cpu },
      { service: s, metric: 'memory', timestamps: times, values: mem },
      { service: s, metric: 'latency_p90', timestamps: times, values: lat },
      { service: s, metric: 'errors_total', timestamps: times, values: errs },
      { service: s, metric: 'tcp_retransmits_total', timestamps: times, values: retrans },
    );
    if (o.percentiles) {
      // 50 requests a second around the latency; from the fault time, 3% of the artefact services' take 1.3 times longer:
      // enough to cross into the next bucket, which moves the p99 by up to the bucket's width.
      const p99 = times.map((t, k) => {
        const sample: number[] = [];
        for (let r = 0; r < 50; r++) sample.push(lat[k] * (1 + 0.1 * gauss()) * (artefacts.has(s) && t >= faultTime && rnd() < 0.03 ? 1.3 : 1));
        return histogramQuantile(0.99, sample);
      });
      metrics.push({ service: s, metric: 'latency_p99', timestamps: times, values: p99 });
    }
    for (let m = 5; m < metricsPer; m++) {
      const level = 1 + rnd() * 100;
      const counter = m % 5 === 0;
      let acc = 0;
      const values = times.map(() => (counter ? (acc += level * (1 + 0.1 * gauss())) : level * (1 + 0.05 * gauss())));
      metrics.push({ service: s, metric: counter ? `extra_${m}_total` : `extra_${m}`, timestamps: times, values });
    }
  }

  const spans: SpanRecord[] = [];
  const logs: LogRecord[] = [];
  if (o.spans || o.logs) {
    const every = Math.max(1, o.requestEvery ?? 1);
    let ids = 0;
    const hex = (k: number) => k.toString(16).padStart(16, '0');
    /** One call to a service: its span, its callees' spans; returns [duration ms, failed]. */
    const call = (s: string, t: number, startMs: number, traceId: string, parentId: string | undefined): [number, boolean] => {
      const spanId = hex(++ids);
      const b = base[s];
      const self = b.lat * 0.5 * (1 + 0.1 * gauss()) + ownExtra(s, t);
      let cursor = startMs + self / 2;
      let failed = faulty(s, t) && kind === 'error' && rnd() < 0.8;
      // A code-level fault: the service returns early, before its calls, without an error.
      const cut = faulty(s, t) && kind === 'code';
      for (const c of cut ? [] : calls[s]) {
        if (rnd() >= 0.8) continue;
        // The network: a round trip (1 ms when client spans show it), longer under a delay fault at either end; a lost call times out.
        const net = (o.clientSpans ? 1 : 0) + netExtra(c, t) + netExtra(s, t);
        const loss = lossRate(c, t);
        const lost = loss > 0 && rnd() < loss;
        const clientId = o.clientSpans ? hex(++ids) : undefined;
        let d = 2 * base[c].lat + 100;
        let childFailed = true;
        if (!lost) {
          const [served, serverFailed] = call(c, t, cursor + net / 2, traceId, clientId ?? spanId);
          d = served + net;
          childFailed = serverFailed;
        }
        if (clientId && o.spans) {
          spans.push({
            trace_id: traceId,
            span_id: clientId,
            parent_span_id: spanId,
            service: s,
            operation: `call ${c}`,
            start_unix_nano: Math.round(cursor * 1e6),
            end_unix_nano: Math.round((cursor + d) * 1e6),
            status_code: o.noStatus ? '' : childFailed ? 'ERROR' : 'OK',
          });
        }
        cursor += d;
        if (childFailed && rnd() < 0.9) {
          failed = true;
          if (o.logs) {
            const message = lost ? `call to ${c} failed: connection timed out after ${Math.round(d)} ms` : `upstream ${c} returned an error: status 500`;
            logs.push({ timestamp: t, service: s, level: 'ERROR', message, trace_id: traceId });
          }
        } else if (o.logs && d > 4 * b.lat + 200 && rnd() < 0.5) {
          logs.push({ timestamp: t, service: s, level: 'WARN', message: `call to ${c} took ${Math.round(d)} ms, above the ${Math.round(2 * b.lat + 100)} ms budget`, trace_id: traceId });
        }
      }
      const end = cursor + self / 2;
      if (o.spans && !(o.uninstrumented && s === root)) {
        spans.push({
          trace_id: traceId,
          span_id: spanId,
          parent_span_id: parentId,
          service: s,
          operation: b.op,
          start_unix_nano: Math.round(startMs * 1e6),
          end_unix_nano: Math.round(end * 1e6),
          status_code: o.noStatus ? '' : failed ? 'ERROR' : 'OK',
        });
      }
      if (o.logs) {
        // Most requests write a line on their way through (a code-level fault returns before it).
        if (!cut && rnd() < 0.6) logs.push({ timestamp: t, service: s, level: 'INFO', message: `handled ${b.op} request ${spanId} in ${Math.round(end - startMs)} ms`, trace_id: traceId });
        const line = faulty(s, t) && rnd() < 0.5 ? faultLine(kind, rnd) : null;
        if (line) logs.push({ timestamp: t, service: s, ...line, trace_id: traceId });
      }
      return [end - startMs, failed];
    };
    for (const t of times) {
      if ((t - t0) % every === 0) call('front-end', t, t * 1000 + Math.floor(rnd() * 1000), hex(++ids) + hex(o.seed), undefined);
      if (o.logs && decoy && t >= faultTime && (t - t0) % 2 === 0) {
        logs.push({ timestamp: t, service: decoy, level: 'INFO', message: `rebuilding cache for shard ${Math.floor(rnd() * 64)}` });
        if (rnd() < 0.1) logs.push({ timestamp: t, service: decoy, level: 'WARN', message: `cache miss ratio high: ${Math.floor(20 + rnd() * 30)}%` });
      }
      if (o.logs && (t - t0) % 30 === 0) for (const s of names) logs.push({ timestamp: t, service: s, level: 'INFO', message: `health check ok, ${Math.floor(5 + rnd() * 20)} active connections` });
    }
  }

  const changes: ChangeRecord[] = [];
  if (o.changes) {
    const others = names.filter((s) => s !== root);
    changes.push(
      { timestamp: faultTime - 60 * (2 + Math.floor(rnd() * 15)), service: root, description: `deploy ${root} v1.${Math.floor(rnd() * 40)}` },
      { timestamp: faultTime - 3600 * (3 + Math.floor(rnd() * 3)), service: others[Math.floor(rnd() * others.length)], description: 'deploy v2.1' },
      { timestamp: faultTime - 60 * (100 + Math.floor(rnd() * 15)), service: others[Math.floor(rnd() * others.length)], description: 'raise connection pool size to 50' },
    );
    if (decoy) changes.push({ timestamp: faultTime - 40 * 60, service: decoy, description: `deploy ${decoy} v3.0 (cache sharding)` });
  }
  const topology: TopologyEdge[] = Object.entries(calls).flatMap(([source, targets]) => targets.map((target) => ({ source, target, type: 'call' })));

  return {
    rcaCase: {
      id: `synthetic-${o.seed}-${kind}`,
      fault_time: faultTime,
      window: { start: windowStart, end: windowStart + winLen - 1 },
      reference: { start: t0, end: t0 + refLen - 1 },
      metrics,
      ...(o.logs ? { logs } : {}),
      ...(o.spans ? { spans } : {}),
      ...(o.changes ? { changes } : {}),
      ...(o.topology ? { topology } : {}),
    },
    label: { service: root, kind },
    calls,
  };
}

/** Bucket bounds (ms) of the synthetic latency histograms. */
const HISTOGRAM_BOUNDS = [5, 10, 25, 50, 100, 250, 500, 1000, Infinity];

/** The q-quantile of a sample as Prometheus' histogram_quantile gives it: the bucket's bounds, linearly interpolated by rank. */
export function histogramQuantile(q: number, sample: number[]): number {
  const counts = HISTOGRAM_BOUNDS.map(() => 0);
  for (const v of sample) counts[HISTOGRAM_BOUNDS.findIndex((b) => v <= b)]++;
  const rank = q * sample.length;
  let below = 0;
  for (let i = 0; i < counts.length; i++) {
    if (below + counts[i] >= rank && counts[i] > 0) {
      const lower = i === 0 ? 0 : HISTOGRAM_BOUNDS[i - 1];
      const upper = Number.isFinite(HISTOGRAM_BOUNDS[i]) ? HISTOGRAM_BOUNDS[i] : lower;
      return lower + (upper - lower) * ((rank - below) / counts[i]);
    }
    below += counts[i];
  }
  return HISTOGRAM_BOUNDS[HISTOGRAM_BOUNDS.length - 2];
}

/** What a faulty service writes about its own trouble (a slow network leaves it unaware). */
function faultLine(kind: FaultKind, rnd: () => number): { level: string; message: string } | null {
  switch (kind) {
    case 'cpu':
      return { level: 'WARN', message: `request queue backlog ${Math.floor(50 + rnd() * 200)}, worker pool saturated` };
    case 'mem':
      return { level: 'WARN', message: `heap usage ${Math.floor(800 + rnd() * 900)} MB above soft limit, running full GC` };
    case 'latency':
      return { level: 'WARN', message: `slow query on table orders took ${Math.floor(200 + rnd() * 500)} ms` };
    case 'error':
      return { level: 'ERROR', message: `failed to write to store: connection reset by peer (attempt ${1 + Math.floor(rnd() * 3)})` };
    case 'delay':
      return null;
    case 'loss':
      return rnd() < 0.2 ? { level: 'WARN', message: `client connection reset while writing response (${Math.floor(rnd() * 4000)} bytes)` } : null;
    case 'code':
      return null;
  }
}
