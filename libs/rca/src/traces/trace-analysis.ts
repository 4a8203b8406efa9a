/**
 * Trace evidence: which service's OWN time grew, and where errors START.
 *
 * A slow database makes every caller up the tree slow too, and an error in a leaf usually marks
 * every ancestor as failed. Scoring span durations or error flags as they are would blame all of
 * them equally. So each span is reduced to its self time (its duration minus the time covered by
 * its direct children) and errors are counted only where they originate (an error span none of
 * whose children failed). Both are then bucketed per (service, operation) and scored against the
 * reference like any metric (see `scoreSeries`).
 *
 * Everything works on parallel typed arrays indexed like the input, so that ~10^5 spans cost a
 * few Map look-ups each and no per-span objects.
 */
import { RcaCase, SpanRecord, TopologyEdge, TraceEvidence } from '../case';
import { countShiftScore, eventBucketSeconds, ONSET_THRESHOLD, referencePeriod, scoreSeries, SeriesScore, shortfallScore } from '../metrics/anomaly';

const ERROR_WORDS = /error|fail|fault/;
const INTEGER = /^\d+$/;

/**
 * Whether a span status is an error. Sources disagree on the spelling: OpenTelemetry's `ERROR` /
 * `STATUS_CODE_ERROR`, the OTLP enum value `2`, exporters' `Error`, or an HTTP status, where only
 * server errors (>= 500) are failures of the service (a 404 is the caller's problem). `0`, `1`,
 * `OK`, `UNSET` and empty are not errors; any text mentioning error/fail/fault is.
 */
export function isErrorStatus(status: string): boolean {
  const s = status == null ? '' : String(status).trim().toLowerCase();
  if (!s) return false;
  if (ERROR_WORDS.test(s)) return true;
  if (INTEGER.test(s)) {
    const n = Number(s);
    return n === 2 || n >= 500;
  }
  return false;
}

/** Per-span results of `selfTimes`, as arrays indexed like the input spans. */
export interface SpanTimes {
  /** Duration minus the union of the direct children's intervals (clipped to the span), in nanoseconds; never negative. */
  selfNanos: Float64Array;
  /** 1 when the span's status is an error (`isErrorStatus`). */
  error: Uint8Array;
  /** 1 when the span is an error and none of its direct children is: the error starts here. */
  originates: Uint8Array;
  /** Index of the parent span in the input, -1 for a root (no parent id, or a parent missing from the data). */
  parent: Int32Array;
}

interface Linked {
  parent: Int32Array;
  /** 1 for a repeat of a span already seen (same trace and span id; exports that overlap): it is left out everywhere. */
  duplicate: Uint8Array;
  start: Float64Array;
  end: Float64Array;
  error: Uint8Array;
}

/** Up to this many spans, a trace's parent links are found by scanning it (cheaper than a Map). */
const SCAN_TRACE = 32;

/**
 * One pass over the span objects (scattered in memory: touching each once matters more than
 * anything else at 10^5 spans), then parent links from flat arrays, trace by trace: a global Map
 * of 10^5 span ids costs a cache miss per look-up, a trace's few spans stay in cache. A span's
 * parent is the first span of the same trace with its parent id (-1 when there is none).
 */
function link(spans: readonly SpanRecord[]): Linked {
  const n = spans.length;
  const start = new Float64Array(n);
  const end = new Float64Array(n);
  const error = new Uint8Array(n);
  const spanIds = new Array<string>(n);
  const parentIds = new Array<string | undefined>(n);
  const traceOf = new Int32Array(n);
  const traceNumbers = new Map<string, number>();
  // Few distinct statuses: classify each once. Files often hold a trace's spans together: skip the look-up then.
  const statusCache = new Map<string, boolean>();
  let lastTrace: string | undefined;
  let lastNumber = -1;
  for (let i = 0; i < n; i++) {
    const s = spans[i];
    const trace = s.trace_id;
    if (trace !== lastTrace) {
      let k = traceNumbers.get(trace);
      if (k === undefined) traceNumbers.set(trace, (k = traceNumbers.size));
      lastTrace = trace;
      lastNumber = k;
    }
    traceOf[i] = lastNumber;
    spanIds[i] = s.span_id;
    parentIds[i] = s.parent_span_id;
    start[i] = s.start_unix_nano;
    end[i] = s.end_unix_nano;
    let e = statusCache.get(s.status_code);
    if (e === undefined) statusCache.set(s.status_code, (e = isErrorStatus(s.status_code)));
    if (e) error[i] = 1;
  }

  // Spans of trace t, in input order: members[firstMember[t] .. firstMember[t + 1]).
  const nTraces = traceNumbers.size;
  const firstMember = new Int32Array(nTraces + 1);
  for (let i = 0; i < n; i++) firstMember[traceOf[i] + 1]++;
  for (let t = 0; t < nTraces; t++) firstMember[t + 1] += firstMember[t];
  const members = new Int32Array(n);
  const fill = firstMember.slice(0, nTraces);
  for (let i = 0; i < n; i++) members[fill[traceOf[i]]++] = i;

  const parent = new Int32Array(n).fill(-1);
  const duplicate = new Uint8Array(n);
  for (let t = 0; t < nTraces; t++) {
    const a = firstMember[t];
    const b = firstMember[t + 1];
    let ids: Map<string, number> | undefined;
    if (b - a > SCAN_TRACE) {
      ids = new Map();
      for (let k = b - 1; k >= a; k--) ids.set(spanIds[members[k]], members[k]); // backwards: the first one wins
    }
    for (let k = a; k < b; k++) {
      const i = members[k];
      if (ids) {
        if (ids.get(spanIds[i]) !== i) duplicate[i] = 1;
      } else {
        for (let m = a; m < k; m++) {
          if (spanIds[members[m]] === spanIds[i]) {
            duplicate[i] = 1;
            break;
          }
        }
      }
      if (duplicate[i]) continue;
      const pid = parentIds[i];
      if (!pid) continue;
      let j = -1;
      if (ids) j = ids.get(pid) ?? -1;
      else {
        for (let m = a; m < b; m++) {
          if (spanIds[members[m]] === pid) {
            j = members[m];
            break;
          }
        }
      }
      if (j !== i) parent[i] = j;
    }
  }
  return { parent, duplicate, start, end, error };
}

/**
 * Self time and error origin of every span. Children are grouped per parent (counting sort),
 * ordered by start and swept once, so overlapping (parallel) children are not subtracted twice
 * and the whole is O(n log n). A child sticking out of its parent (async work, clock skew) only
 * counts for the part inside the parent.
 */
export function selfTimes(spans: readonly SpanRecord[]): SpanTimes {
  const { parent, start, end, error } = link(spans);
  const { selfNanos, originates } = selfTimesOf(parent, start, end, error);
  return { selfNanos, originates, error, parent };
}

/** Children of each span p, by start time: `kids[first[p] .. first[p + 1])`. */
interface ChildIndex {
  first: Int32Array;
  kids: Int32Array;
}

function selfTimesOf(parent: Int32Array, start: Float64Array, end: Float64Array, error: Uint8Array): { selfNanos: Float64Array; originates: Uint8Array } & ChildIndex {
  const n = parent.length;
  // Children of p: kids[first[p] .. first[p + 1]).
  const first = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) if (parent[i] >= 0) first[parent[i] + 1]++;
  for (let p = 0; p < n; p++) first[p + 1] += first[p];
  const kids = new Int32Array(first[n]);
  const fill = first.slice(0, n);
  for (let i = 0; i < n; i++) {
    const p = parent[i];
    if (p >= 0) kids[fill[p]++] = i;
  }

  const selfNanos = new Float64Array(n);
  const originates = new Uint8Array(n);
  const byStart = (x: number, y: number) => start[x] - start[y] || x - y;
  for (let p = 0; p < n; p++) {
    const d = end[p] - start[p];
    const duration = d > 0 ? d : 0; // also 0 for NaN
    const a = first[p];
    const b = first[p + 1];
    let childError = false;
    let sorted = true;
    for (let k = a; k < b; k++) {
      if (error[kids[k]]) childError = true;
      if (k > a && start[kids[k]] < start[kids[k - 1]]) sorted = false;
    }
    if (error[p] && !childError) originates[p] = 1;
    if (a === b) {
      selfNanos[p] = duration;
      continue;
    }
    if (!sorted) kids.subarray(a, b).sort(byStart);
    const ps = start[p];
    const pe = end[p];
    let covered = 0;
    let open = false;
    let cs = 0;
    let ce = 0;
    for (let k = a; k < b; k++) {
      const c = kids[k];
      const s = start[c] > ps ? start[c] : ps;
      const e = end[c] < pe ? end[c] : pe;
      if (!(e > s)) continue; // outside the parent, empty or non-finite
      if (!open || s > ce) {
        if (open) covered += ce - cs;
        open = true;
        cs = s;
        ce = e;
      } else if (e > ce) ce = e;
    }
    if (open) covered += ce - cs;
    const self = duration - covered;
    selfNanos[p] = self > 0 ? self : 0;
  }
  return { selfNanos, originates, first, kids };
}

const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The call graph seen in the traces: `parent service -> child service` for every span whose parent
 * belongs to another service (calls within a service are not edges). Deduplicated, sorted.
 */
export function learnTopology(spans: readonly SpanRecord[]): TopologyEdge[] {
  return edgesOf(spans, link(spans).parent);
}

function edgesOf(spans: readonly SpanRecord[], parent: Int32Array): TopologyEdge[] {
  const targets = new Map<string, Set<string>>();
  for (let i = 0; i < spans.length; i++) {
    const p = parent[i];
    if (p < 0) continue;
    const source = spans[p].service;
    const target = spans[i].service;
    if (source === target) continue;
    let set = targets.get(source);
    if (!set) targets.set(source, (set = new Set()));
    set.add(target);
  }
  const out: TopologyEdge[] = [];
  for (const source of [...targets.keys()].sort(byCodeUnits)) {
    for (const target of [...(targets.get(source) ?? [])].sort(byCodeUnits)) out.push({ source, target, type: 'call' });
  }
  return out;
}

/** Spans that spend at least this share of their time in the one span of another service they parent are client spans. */
export const CLIENT_SPAN_SHARE = 0.8;

/** An operation is a client's when at least this share of its spans wrap exactly one span, of another service. */
export const CLIENT_OPERATION_SHARE = 0.95;

/** Latency shifts smaller than this (ms) are jitter, whatever the reference's spread. */
const MIN_LATENCY_SCALE_MS = 1;
/** ...and so are shifts smaller than this share of the reference median (a few % on a slow span). */
const RELATIVE_LATENCY_SCALE = 0.05;
const EXAMPLES = 3;

/** Whether span x ranks above span y as an example: higher `rank`, then smaller trace id, then smaller index. */
function ranksAbove(x: number, y: number, rank: ArrayLike<number>, spans: readonly SpanRecord[]): boolean {
  if (rank[x] !== rank[y]) return rank[x] > rank[y];
  const tx = spans[x].trace_id;
  const ty = spans[y].trace_id;
  return tx !== ty ? tx < ty : x < y;
}

/**
 * Keeps, in `slots[base .. base + EXAMPLES)`, the best-ranked spans of up to EXAMPLES distinct
 * traces (see `ranksAbove`: the choice does not depend on the input order).
 */
function offerExample(slots: number[], base: number, i: number, rank: ArrayLike<number>, spans: readonly SpanRecord[]): void {
  const trace = spans[i].trace_id;
  const stop = base + EXAMPLES;
  for (let k = base; k < stop; k++) {
    const j = slots[k];
    if (j >= 0 && spans[j].trace_id === trace) {
      if (ranksAbove(i, j, rank, spans)) slots[k] = i;
      return;
    }
  }
  let worst = base;
  for (let k = base; k < stop; k++) {
    if (slots[k] < 0) {
      slots[k] = i;
      return;
    }
    if (ranksAbove(slots[worst], slots[k], rank, spans)) worst = k;
  }
  if (ranksAbove(i, slots[worst], rank, spans)) slots[worst] = i;
}

function exampleTraces(slots: number[], base: number, spans: readonly SpanRecord[]): string[] {
  const ids: string[] = [];
  for (let k = base; k < base + EXAMPLES; k++) if (slots[k] >= 0) ids.push(spans[slots[k]].trace_id);
  return ids.sort(byCodeUnits);
}

/**
 * An operation name without its variable parts: a query string is dropped, a path segment with a
 * digit (an id, a UUID, a hash; not a version like `v2`) becomes `{id}`, and another number becomes `{n}`, so that
 * `GET /orders/8812?x=1` and `GET /orders/77` are one operation with enough spans to score.
 */
export function normalizeOperation(operation: string): string {
  return String(operation)
    .replace(/\?\S*/, '')
    .replace(/\/(?![vV]\d+(?=[/\s]|$))[^/\s]*\d[^/\s]*/g, '/{id}')
    .replace(/\b\d+(?:\.\d+)?\b/g, '{n}')
    .trim();
}

/**
 * Scores each (service, operation) of the spans on two bucketed series, built by span START time
 * in buckets of `eventBucketSeconds(window)` seconds aligned to multiples of the step, over the
 * reference period (if any) and the window:
 * - `latency`: mean self time (ms) of the bucket's spans, buckets without spans left out. The
 *   scale has a floor of max(1 ms, 5% of the reference median) so that sub-ms jitter on fast spans
 *   is not a large deviation; a drop counts with the default DOWNWARD_WEIGHT.
 * - `errors`: originating errors per bucket, over every bucket in which any span was recorded (a
 *   bucket with traffic but no error of this operation is a real zero, so a new burst after a
 *   clean reference shows; a bucket with no span at all is missing data, not zero). `minScale: 1`
 *   (one extra error per bucket is one unit) and only increases count.
 * Reported values are ms (latency) and errors per minute (errors). Evidence scoring 0, or that
 * cannot be scored (too few points), is left out. Sorted by service, operation, signal.
 */
export function scoreTraces(c: Pick<RcaCase, 'fault_time' | 'window' | 'reference' | 'spans'>): TraceEvidence[] {
  return analyzeTraces(c).evidence;
}

/** `scoreTraces` and `learnTopology` in one pass over the spans (they are linked to their parents once). */
export function analyzeTraces(c: Pick<RcaCase, 'fault_time' | 'window' | 'reference' | 'spans'>): { evidence: TraceEvidence[]; edges: TopologyEdge[] } {
  const spans = c.spans ?? [];
  if (!spans.length) return { evidence: [], edges: [] };
  const { parent, duplicate, start, end, error } = link(spans);
  const serviceIds = new Map<string, number>();
  const serviceOf = new Int32Array(spans.length);
  for (let i = 0; i < spans.length; i++) {
    const name = spans[i].service;
    let id = serviceIds.get(name);
    if (id === undefined) serviceIds.set(name, (id = serviceIds.size));
    serviceOf[i] = id;
  }
  const serviceNames = [...serviceIds.keys()];
  const { selfNanos, originates, first, kids } = selfTimesOf(parent, start, end, error);
  const step = eventBucketSeconds(c.window);
  const children = (p: number) => first[p + 1] - first[p];
  // Client spans, in effect: exactly one child, in another service (the server span of the call it wraps).
  const crossChild = new Uint8Array(spans.length);
  for (let i = 0; i < spans.length; i++) if (parent[i] >= 0 && serviceOf[parent[i]] !== serviceOf[i]) crossChild[parent[i]] = 1;
  // Transport time of each call (by the caller's client span), to rank examples.
  const callTransport = new Float64Array(spans.length);

  // Covered buckets (bucket number = floor(seconds / step)): one or two runs.
  const runs: [number, number][] = [[Math.floor(c.window.start / step), Math.floor(c.window.end / step)]];
  if (c.reference) runs.push([Math.floor(c.reference.start / step), Math.floor(c.reference.end / step)]);
  const [r0, r1] = runs;
  const inRuns = (b: number) => (b >= r0[0] && b <= r0[1]) || (r1 !== undefined && b >= r1[0] && b <= r1[1]);
  const bMin = Math.min(...runs.map((r) => r[0]));
  const width = Math.max(...runs.map((r) => r[1])) - bMin + 1;
  if (!(width > 0) || !Number.isFinite(width)) return { evidence: [], edges: edgesOf(spans, parent) };

  // Keys: service -> operation -> key id; consecutive spans of one key skip the look-ups.
  const keyIds = new Map<string, Map<string, number>>();
  const keyByName = new Map<string, number>();
  const keyService: string[] = [];
  const keyOperation: string[] = [];
  const afterFault: number[] = [];
  const latencySlots: number[] = [];
  const errorSlots: number[] = [];
  const errorsAfterFault: number[] = [];
  const refDuration: number[] = [];
  const refWaiting: number[] = [];
  let lastService: string | undefined;
  let lastOperation: string | undefined;
  let lastKey = -1;

  // Cells (key, bucket) -> slot; per slot: key, bucket, sum of self ns, spans, originating errors.
  const cells = new Map<number, number>();
  const cellKey: number[] = [];
  const cellBucket: number[] = [];
  const cellSelf: number[] = [];
  const cellWaitSelf: number[] = [];
  // Own time of spans without children: for a client operation, calls that never reached their callee.
  const cellLoneSelf: number[] = [];
  // Per key: the services the spans it wraps belong to, and how often (a client operation's usual callee).
  const wrapped = new Map<number, Map<number, number>>();
  const cellSpans: number[] = [];
  const keyOf = new Int32Array(spans.length).fill(-1);
  // Per key: spans before the fault, those wrapping one call to another service; the same from the fault on.
  const callShape: number[] = [];
  const cellErrors: number[] = [];

  // Calls between two services (edge id = caller * services + callee) per bucket: summed transport time, calls.
  const nServices = serviceNames.length;
  const edgeCells = new Map<number, number>();
  const edgeCellEdge: number[] = [];
  const edgeCellBucket: number[] = [];
  const edgeCellGap: number[] = [];
  const edgeCellCalls: number[] = [];
  const edgeAfterFault = new Map<number, number>();
  const edgeSlots = new Map<number, number[]>();

  // Example ranks: self time for latency, earliest start (closest to the onset) for errors.
  const earliness = new Float64Array(spans.length);
  const faultNanos = c.fault_time * 1e9;
  const lastBucket = r0[1];
  const stepNanos = step * 1e9;

  for (let i = 0; i < spans.length; i++) {
    const t = start[i];
    const b = Math.floor(t / stepNanos);
    if (!inRuns(b) || duplicate[i]) continue; // also drops non-finite starts
    const s = spans[i];
    let key: number;
    if (s.service === lastService && s.operation === lastOperation) key = lastKey;
    else {
      let ops = keyIds.get(s.service);
      if (!ops) keyIds.set(s.service, (ops = new Map()));
      let k = ops.get(s.operation);
      if (k === undefined) {
        // Operations that differ only by ids (`GET /orders/123`) are one operation.
        const name = normalizeOperation(s.operation);
        const named = `${s.service}\u0000${name}`;
        k = keyByName.get(named);
        if (k === undefined) {
          keyByName.set(named, (k = keyService.length));
          keyService.push(s.service);
          keyOperation.push(name);
          afterFault.push(0);
          errorsAfterFault.push(0);
          refDuration.push(0);
          refWaiting.push(0);
          callShape.push(0, 0, 0, 0);
          for (let e = 0; e < EXAMPLES; e++) {
            latencySlots.push(-1);
            errorSlots.push(-1);
          }
        }
        ops.set(s.operation, k);
      }
      key = lastKey = k;
      lastService = s.service;
      lastOperation = s.operation;
    }
    const cellId = key * width + (b - bMin);
    let cell = cells.get(cellId);
    if (cell === undefined) {
      cells.set(cellId, (cell = cellKey.length));
      cellKey.push(key);
      cellBucket.push(b);
      cellSelf.push(0);
      cellWaitSelf.push(0);
      cellLoneSelf.push(0);
      cellSpans.push(0);
      cellErrors.push(0);
    }
    keyOf[i] = key;
    cellSelf[cell] += selfNanos[i];
    // The own time of a span whose one child is in another service: transport, if the operation is a client's (below).
    const wraps = children(i) === 1 && crossChild[i] === 1;
    if (wraps) {
      cellWaitSelf[cell] += selfNanos[i];
      let callees = wrapped.get(key);
      if (!callees) wrapped.set(key, (callees = new Map()));
      const callee = serviceOf[kids[first[i]]];
      callees.set(callee, (callees.get(callee) ?? 0) + 1);
    }
    if (children(i) === 0) cellLoneSelf[cell] += selfNanos[i];
    const before = t < faultNanos ? 0 : 2;
    callShape[key * 4 + before]++;
    if (wraps) callShape[key * 4 + before + 1]++;
    cellSpans[cell]++;
    if (originates[i]) cellErrors[cell]++;
    if (t < faultNanos) {
      // Before the fault: how much of these spans' time is spent waiting on other services.
      const d = end[i] - start[i];
      if (d > 0) {
        refDuration[key] += d;
        if (wraps) refWaiting[key] += d - selfNanos[i];
      }
    }
    // After the fault: what the window's series hold from the fault time on.
    if (t >= faultNanos && b <= lastBucket) {
      afterFault[key]++;
      offerExample(latencySlots, key * EXAMPLES, i, selfNanos, spans);
      if (originates[i]) {
        errorsAfterFault[key]++;
        earliness[i] = -t;
        offerExample(errorSlots, key * EXAMPLES, i, earliness, spans);
      }
    }
  }

  // Client operations: (nearly) every span of theirs wraps exactly one span, of another service (OpenTelemetry's client
  // span around the callee's server span), counted before the fault (else over the window). A server span that
  // sometimes calls one other service and sometimes not is the service's own work, not a call.
  const isClient = (key: number) => {
    const k = callShape[key * 4] > 0 ? key * 4 : key * 4 + 2;
    return callShape[k] > 0 && callShape[k + 1] >= CLIENT_OPERATION_SHARE * callShape[k];
  };
  // A client operation's usual callee: the service most of its spans wrap.
  const usualCallee = new Map<number, number>();
  for (const [key, callees] of wrapped) {
    let best = -1;
    let most = 0;
    // Ties go to the first name (service ids follow the input's order).
    for (const [callee, count] of callees) if (count > most || (count === most && byCodeUnits(serviceNames[callee], serviceNames[best]) < 0)) [best, most] = [callee, count];
    usualCallee.set(key, best);
  }
  // Each call of a client operation: its own time is the call's transport time (request and response on the wire,
  // queues at either end), on the edge to the service it wraps; a client span without a child (a call that never
  // reached its callee: lost, refused, timed out) counts whole, on the edge to the operation's usual callee.
  for (let p = 0; p < spans.length; p++) {
    const key = keyOf[p];
    if (key < 0 || !isClient(key)) continue;
    const n = children(p);
    const callee = n === 1 && crossChild[p] ? serviceOf[kids[first[p]]] : n === 0 ? usualCallee.get(key) : undefined;
    if (callee === undefined) continue;
    const g = selfNanos[p];
    const t = start[p];
    const b = Math.floor(t / stepNanos);
    const edge = serviceOf[p] * nServices + callee;
    const edgeCellId = edge * width + (b - bMin);
    let ec = edgeCells.get(edgeCellId);
    if (ec === undefined) {
      edgeCells.set(edgeCellId, (ec = edgeCellEdge.length));
      edgeCellEdge.push(edge);
      edgeCellBucket.push(b);
      edgeCellGap.push(0);
      edgeCellCalls.push(0);
    }
    edgeCellGap[ec] += g;
    edgeCellCalls[ec]++;
    if (t >= faultNanos && b <= lastBucket) {
      edgeAfterFault.set(edge, (edgeAfterFault.get(edge) ?? 0) + 1);
      let slots = edgeSlots.get(edge);
      if (!slots) edgeSlots.set(edge, (slots = new Array<number>(EXAMPLES).fill(-1)));
      callTransport[p] = g;
      offerExample(slots, 0, p, callTransport, spans);
    }
  }

  // Cells of each key in bucket order: counting sort by key, then by bucket within the key.
  const nKeys = keyService.length;
  const firstCell = new Int32Array(nKeys + 1);
  for (let k = 0; k < cellKey.length; k++) firstCell[cellKey[k] + 1]++;
  for (let k = 0; k < nKeys; k++) firstCell[k + 1] += firstCell[k];
  const ordered = new Int32Array(cellKey.length);
  const fill = firstCell.slice(0, nKeys);
  for (let k = 0; k < cellKey.length; k++) ordered[fill[cellKey[k]]++] = k;
  // Buckets in which any span started (see above: the others are missing data).
  const buckets = Float64Array.from(new Set(cellBucket)).sort();
  const refPeriod = referencePeriod(c);
  let afterBuckets = 0;
  for (const b of buckets) if (b * step > c.fault_time - step && b * step <= c.window.end) afterBuckets++;

  const out: TraceEvidence[] = [];
  for (let key = 0; key < nKeys; key++) {
    const mine = ordered.subarray(firstCell[key], firstCell[key + 1]).sort((x, y) => cellBucket[x] - cellBucket[y]);
    const calleeShare = refDuration[key] > 0 ? Math.round((refWaiting[key] / refDuration[key]) * 1000) / 1000 : 0;
    const base = { type: 'trace' as const, service: keyService[key], operation: keyOperation[key], spans: afterFault[key], callee_share: calleeShare };

    const client = isClient(key);
    const lt = new Float64Array(mine.length);
    const lv = new Float64Array(mine.length);
    for (let j = 0; j < mine.length; j++) {
      const cell = mine[j];
      lt[j] = cellBucket[cell] * step;
      // A client operation's own time is transport, charged to its calls (see `transportEvidence`).
      lv[j] = (client ? cellSelf[cell] - cellWaitSelf[cell] - cellLoneSelf[cell] : cellSelf[cell]) / cellSpans[cell] / 1e6;
    }
    const lat = scoreSeries(lt, lv, c, { minScale: MIN_LATENCY_SCALE_MS, relativeMinScale: RELATIVE_LATENCY_SCALE });
    if (lat && lat.score > 0) {
      out.push({ ...base, signal: 'latency', score: lat.score, sustained: lat.sustained, bound: lat.bound, onset: lat.onset, reference_value: lat.median, peak_value: lat.peak, example_trace_ids: exampleTraces(latencySlots, key * EXAMPLES, spans) });
    }

    // Only increases count, so an operation without an error after the fault cannot score.
    if (errorsAfterFault[key] === 0) continue;
    const et = new Float64Array(buckets.length);
    const ev = new Float64Array(buckets.length);
    for (let j = 0, m = 0; j < buckets.length; j++) {
      et[j] = buckets[j] * step;
      if (m < mine.length && cellBucket[mine[m]] === buckets[j]) ev[j] = cellErrors[mine[m++]];
    }
    const r = scoreSeries(et, ev, c, { minScale: 1, downwardWeight: 0 });
    // Sparse errors never fill a bucket: their total after the fault against the reference rate counts too.
    // Rates over the buckets that saw traffic (a period without spans is missing data, not a clean one).
    let refErrors = 0;
    let refBuckets = 0;
    let firstAfter: number | null = null;
    for (let j = 0; j < buckets.length; j++) {
      if (et[j] >= refPeriod.start && et[j] < refPeriod.end) {
        refErrors += ev[j];
        refBuckets++;
      }
      if (firstAfter === null && et[j] >= c.fault_time && ev[j] > 0) firstAfter = et[j];
    }
    const shift = countShiftScore(refErrors, refBuckets * step, errorsAfterFault[key], afterBuckets * step);
    if (Math.max(r?.score ?? 0, shift) > 0) {
      const onset = r?.onset ?? (shift >= ONSET_THRESHOLD ? firstAfter : null);
      out.push({ ...base, signal: 'errors', score: Math.max(r?.score ?? 0, shift), sustained: Math.max(r?.sustained ?? 0, shift), onset, reference_value: refBuckets > 0 ? (refErrors / (refBuckets * step)) * 60 : 0, peak_value: afterBuckets > 0 ? (errorsAfterFault[key] / (afterBuckets * step)) * 60 : 0, example_trace_ids: exampleTraces(errorSlots, key * EXAMPLES, spans) });
    }
  }
  out.push(...transportEvidence(c, step, serviceNames, edgeCellEdge, edgeCellBucket, edgeCellGap, edgeCellCalls, edgeAfterFault, edgeSlots, spans));
  out.push(...stoppedCalls({ spans, parent, start, end, first, kids, keyOf, keyService, keyOperation, isClient, faultNanos, endNanos: (lastBucket + 1) * stepNanos }));
  out.sort((a, b) => byCodeUnits(a.service, b.service) || byCodeUnits(a.operation, b.operation) || byCodeUnits(a.signal, b.signal));
  return { evidence: out, edges: edgesOf(spans, parent) };
}

/**
 * `transport` evidence: per call edge (caller -> callee), the mean transport time of its calls per bucket (ms; a
 * client span's own time), scored like span latency. A rise on an edge points at one of its two ends or the link
 * between them: a service whose network is slow (delay, loss) slows every call into and out of it, while each
 * of its peers sees only the edge to it. So each service is charged its strongest slow edge, times the share of
 * its edges (into and out of it, with enough calls to score) that are slow and the share of all slow edges it is
 * on: the callee of one slow call among a caller's many is charged in full, the caller a fraction; a caller all
 * of whose calls slowed down is the one at the centre.
 */
function transportEvidence(
  c: Pick<RcaCase, 'fault_time' | 'window' | 'reference'>,
  step: number,
  services: string[],
  cellEdge: number[],
  cellBucket: number[],
  cellGap: number[],
  cellCalls: number[],
  afterFault: Map<number, number>,
  slots: Map<number, number[]>,
  spans: readonly SpanRecord[],
): TraceEvidence[] {
  const n = services.length;
  const byEdge = new Map<number, number[]>();
  for (let k = 0; k < cellEdge.length; k++) {
    let list = byEdge.get(cellEdge[k]);
    if (!list) byEdge.set(cellEdge[k], (list = []));
    list.push(k);
  }
  type Scored = SeriesScore & { edge: number };
  const incident = new Map<number, Scored[]>();
  for (const [edge, list] of byEdge) {
    list.sort((x, y) => cellBucket[x] - cellBucket[y]);
    const t = new Float64Array(list.length);
    const v = new Float64Array(list.length);
    for (let j = 0; j < list.length; j++) {
      t[j] = cellBucket[list[j]] * step;
      v[j] = cellGap[list[j]] / cellCalls[list[j]] / 1e6;
    }
    const r = scoreSeries(t, v, c, { minScale: MIN_LATENCY_SCALE_MS, relativeMinScale: RELATIVE_LATENCY_SCALE });
    if (!r) continue;
    const scored: Scored = { ...r, edge };
    for (const end of [Math.floor(edge / n), edge % n]) {
      let list2 = incident.get(end);
      if (!list2) incident.set(end, (list2 = []));
      list2.push(scored);
    }
  }
  const anomalousEdges = new Set<number>();
  // Slow for a sustained part of the window (a lone slow bucket is noise on a call edge).
  const slow = (e: Scored) => e.sustained >= ONSET_THRESHOLD;
  for (const edges of incident.values()) for (const e of edges) if (slow(e)) anomalousEdges.add(e.edge);
  const out: TraceEvidence[] = [];
  for (const [svc, edges] of incident) {
    let best: Scored | undefined;
    let anomalous = 0;
    for (const e of edges) {
      if (!slow(e)) continue;
      anomalous++;
      if (!best || e.score > best.score || (e.score === best.score && e.edge < best.edge)) best = e;
    }
    if (!best) continue;
    const caller = services[Math.floor(best.edge / n)];
    const callee = services[best.edge % n];
    // The share of its own edges that are slow, and the share of all slow edges it is on: the service at the centre of the slow calls.
    const share = (anomalous / edges.length) * (anomalous / anomalousEdges.size);
    out.push({
      type: 'trace',
      service: services[svc],
      operation: `${caller} -> ${callee}`,
      signal: 'transport',
      score: best.score * share,
      sustained: best.sustained * share,
      bound: best.bound * share,
      onset: best.onset,
      reference_value: best.median,
      peak_value: best.peak,
      spans: afterFault.get(best.edge) ?? 0,
      callee_share: 0,
      peer: services[svc] === caller ? callee : caller,
      example_trace_ids: exampleTraces(slots.get(best.edge) ?? [-1, -1, -1], 0, spans),
    });
  }
  return out;
}

/** A child operation accompanies its parent's spans when it came at least this often per parent span before the fault. */
export const ACCOMPANY_RATE = 0.5;
/** Parent spans needed before and after the fault to judge that calls stopped. */
const MIN_PARENTS = 5;

interface StoppedCallsInput extends ChildIndex {
  spans: readonly SpanRecord[];
  parent: Int32Array;
  start: Float64Array;
  end: Float64Array;
  /** Key (service, operation) of each span scored, -1 for the others. */
  keyOf: Int32Array;
  keyService: string[];
  keyOperation: string[];
  isClient: (key: number) => boolean;
  faultNanos: number;
  endNanos: number;
}

/**
 * `calls` evidence: child operations that accompanied an operation's spans before the fault (at least
 * ACCOMPANY_RATE per span) and stopped coming while the operation went on: a code-level fault (an exception, a
 * wrong return value) cuts a flow short without an error status or a slower span. Scored as a count shortfall
 * (`shortfallScore`), expected = the rate before times the spans after.
 *
 * Who is charged: a cut flow stops right after the call that went wrong. Per parent operation, the spans cut
 * short vote for where their last child went (a call to another service: that service; own work or no child:
 * the parent's own service). A callee most of them called last is charged (it returned something its callers
 * could not go on with); otherwise the service whose flow was cut is.
 */
function stoppedCalls(x: StoppedCallsInput): TraceEvidence[] {
  const { spans, parent, start, end, first, kids, keyOf, faultNanos, endNanos } = x;
  const n = spans.length;
  const nKeys = x.keyService.length;
  const parentsBefore = new Float64Array(nKeys);
  const parentsAfter = new Float64Array(nKeys);
  const pairs = new Map<number, [number, number]>();
  const after = (i: number) => start[i] >= faultNanos && start[i] < endNanos;
  for (let i = 0; i < n; i++) {
    const k = keyOf[i];
    if (k < 0) continue;
    if (start[i] < faultNanos) parentsBefore[k]++;
    else if (after(i)) parentsAfter[k]++;
    const p = parent[i];
    if (p < 0 || keyOf[p] < 0) continue;
    const pair = keyOf[p] * nKeys + k;
    let counts = pairs.get(pair);
    if (!counts) pairs.set(pair, (counts = [0, 0]));
    if (start[p] < faultNanos) counts[0]++;
    else if (after(p)) counts[1]++;
  }
  // Dropping pairs: per parent key, its strongest drop and the child keys that dropped (with their rate before).
  interface Drop {
    score: number;
    rate: number;
    seen: number;
    child: number;
    children: Map<number, number>;
  }
  const drops = new Map<number, Drop>();
  for (const [pair, [before, afterCount]] of pairs) {
    const kp = Math.floor(pair / nKeys);
    const kc = pair % nKeys;
    const nb = parentsBefore[kp];
    const na = parentsAfter[kp];
    if (nb < MIN_PARENTS || na < MIN_PARENTS) continue;
    const rate = before / nb;
    if (rate < ACCOMPANY_RATE) continue;
    const expected = rate * na;
    if (afterCount >= expected / 2) continue;
    const score = shortfallScore(expected, afterCount);
    if (score < ONSET_THRESHOLD) continue;
    let d = drops.get(kp);
    if (!d) drops.set(kp, (d = { score: 0, rate: 0, seen: 0, child: kc, children: new Map() }));
    d.children.set(kc, rate);
    if (score > d.score) Object.assign(d, { score, rate, seen: afterCount / na, child: kc });
  }
  if (!drops.size) return [];

  /** Where a span's last child went: the service of a call to another service (through a client span), else its own. */
  const lastCallee = (p: number): string => {
    let last = -1;
    for (let k = first[p]; k < first[p + 1]; k++) if (last < 0 || end[kids[k]] > end[last]) last = kids[k];
    if (last < 0) return spans[p].service;
    if (spans[last].service !== spans[p].service) return spans[last].service;
    if (keyOf[last] >= 0 && x.isClient(keyOf[last]) && first[last + 1] - first[last] === 1) return spans[kids[first[last]]].service;
    return spans[p].service;
  };

  // One pass over the spans after the fault: those of a dropping operation cut short vote for their last callee.
  interface Votes {
    tally: Map<string, number>;
    onset: number;
    examples: number[];
  }
  const votes = new Map<number, Votes>();
  const earliness = new Float64Array(n);
  for (let p = 0; p < n; p++) {
    const d = keyOf[p] < 0 ? undefined : drops.get(keyOf[p]);
    if (!d || !after(p)) continue;
    let cut = false;
    for (const [kc, rate] of d.children) {
      let count = 0;
      for (let k = first[p]; k < first[p + 1]; k++) if (keyOf[kids[k]] === kc) count++;
      if (count < rate / 2) cut = true;
    }
    if (!cut) continue;
    let v = votes.get(keyOf[p]);
    if (!v) votes.set(keyOf[p], (v = { tally: new Map(), onset: Infinity, examples: new Array<number>(EXAMPLES).fill(-1) }));
    const callee = lastCallee(p);
    v.tally.set(callee, (v.tally.get(callee) ?? 0) + 1);
    v.onset = Math.min(v.onset, start[p]);
    earliness[p] = -start[p];
    offerExample(v.examples, 0, p, earliness, spans);
  }
  const out: TraceEvidence[] = [];
  for (const [kp, v] of votes) {
    const d = drops.get(kp) as Drop;
    const callerService = x.keyService[kp];
    // The callee most of the cut spans called last, else the operation's own service.
    let cutSpans = 0;
    for (const count of v.tally.values()) cutSpans += count;
    let service = callerService;
    for (const [callee, count] of v.tally) if (count > cutSpans / 2) service = callee;
    const calleeCharged = service !== callerService;
    out.push({
      type: 'trace',
      service,
      operation: `${x.keyOperation[kp]} -> ${x.keyOperation[d.child]}`,
      signal: 'calls',
      score: d.score,
      sustained: d.score,
      onset: Math.floor(v.onset / 1e9),
      reference_value: d.rate,
      peak_value: d.seen,
      spans: parentsAfter[kp],
      callee_share: 0,
      peer: calleeCharged ? callerService : x.keyService[d.child],
      example_trace_ids: exampleTraces(v.examples, 0, spans),
    });
  }
  return out;
}
