import { MetricEvidence, MetricPoint, MetricSeries, RcaCase, TimeRange } from '../case';
import { baseline, looksLikeCounter, quantilesInPlace } from './robust';

/** A series leaves its normal band when it is this many robust units away from the reference median. */
export const ONSET_THRESHOLD = 3;

/**
 * Faults saturate: CPU, memory, latency, errors and queue depths go up. A drop (a restarted
 * process with less memory, less traffic downstream of a failure) is weaker evidence of a cause,
 * so downward deviations count for this share of their size.
 */
export const DOWNWARD_WEIGHT = 0.2;

/** Groups long-form points into series (sorted by time); consecutive points of one series skip the map lookup. */
export function seriesFromPoints(points: Iterable<MetricPoint>): MetricSeries[] {
  const map = new Map<string, MetricSeries>();
  let cur: MetricSeries | undefined;
  for (const m of points) {
    if (!cur || cur.service !== m.service || cur.metric !== m.metric) {
      const key = `${m.service}\u0000${m.metric}`;
      cur = map.get(key);
      if (!cur) map.set(key, (cur = { service: m.service, metric: m.metric, timestamps: [], values: [] }));
    }
    cur.timestamps.push(m.timestamp);
    cur.values.push(m.value);
  }
  return [...map.values()];
}

export interface SeriesScore {
  /** Largest robust deviation at or after the fault time (downward ones weighted by DOWNWARD_WEIGHT). */
  score: number;
  /** The deviation held by a sustained part of the points after the fault time (see `sustainedRank`): a lone spike scores high here only if it is all there is. */
  sustained: number;
  /** The deviation beyond which the reference cannot vouch for a point (see `deviationBound`). */
  bound: number;
  onset: number | null;
  median: number;
  /** The value at the largest deviation. */
  peak: number;
}

export interface ScoreOptions {
  /** A floor for the robust scale (e.g. 1 for counts, so that one extra event is not an infinite deviation). */
  minScale?: number;
  /** A floor for the scale as a share of |reference median| (shifts of a few percent of a level are jitter). */
  relativeMinScale?: number;
  /** Weight of downward deviations; default DOWNWARD_WEIGHT. */
  downwardWeight?: number;
}

/** Indexes of the points with from <= t <= to, for time-sorted timestamps. */
function range(t: ArrayLike<number>, from: number, to: number): [number, number] {
  let lo = 0;
  let hi = t.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (t[mid] < from) lo = mid + 1;
    else hi = mid;
  }
  let end = lo;
  while (end < t.length && t[end] <= to) end++;
  return [lo, end];
}

/**
 * Where the reference sample of a series is (indexes [from, to)): the case's reference period;
 * failing that (fewer than three points), the window before the fault time; failing that, the
 * window's first fifth.
 */
export function referenceRange(t: ArrayLike<number>, c: Pick<RcaCase, 'fault_time' | 'window' | 'reference'>): [number, number] {
  const r = c.reference ? range(t, c.reference.start, c.reference.end) : ([0, 0] as [number, number]);
  if (r[1] - r[0] >= 3) return r;
  const before = range(t, c.window.start, c.fault_time - 1e-9);
  if (before[1] - before[0] >= 3) return before;
  const [a, b] = range(t, c.window.start, c.window.end);
  return [a, a + Math.min(b - a, Math.max(3, Math.floor((b - a) / 5)))];
}

/**
 * Scores one time-sorted series against its reference: the largest robust deviation at or after
 * the fault time (until the window's end), and when it first crossed ONSET_THRESHOLD. Null when
 * either side has too few points.
 */
export function scoreSeries(t: ArrayLike<number>, v: ArrayLike<number>, c: Pick<RcaCase, 'fault_time' | 'window' | 'reference'>, o: ScoreOptions = {}): SeriesScore | null {
  const [refFrom, refTo] = referenceRange(t, c);
  if (refTo - refFrom < 3) return null;
  const b = baseline(v, refFrom, refTo);
  const scale = Math.max(b.scale, o.minScale ?? 0, (o.relativeMinScale ?? 0) * Math.abs(b.median));
  const down = o.downwardWeight ?? DOWNWARD_WEIGHT;
  const [from, to] = range(t, c.fault_time, c.window.end);
  if (from >= to) return null;
  let score = 0;
  let peak = v[from];
  let onset: number | null = null;
  const zs = new Float64Array(to - from);
  for (let i = from; i < to; i++) {
    const d = (v[i] - b.median) / scale;
    const z = d >= 0 ? d : -d * down;
    zs[i - from] = z;
    if (z > score) {
      score = z;
      peak = v[i];
    }
    if (onset === null && z >= ONSET_THRESHOLD) onset = t[i];
  }
  const m = sustainedRank(zs.length);
  const sustained = m <= 1 ? score : quantilesInPlace(zs, [1 - (m - 1) / (zs.length - 1)])[0];
  return { score, sustained, bound: deviationBound(refTo - refFrom), onset, median: b.median, peak };
}

/** See `deviationBound`. */
export const BOUND_PER_POINT = 20;

/**
 * How far out (in robust units) a reference of n points can vouch for a deviation: BOUND_PER_POINT x (n + 1). A
 * spread measured on nine flat points makes a jump of 10^3 units no surer than one of 50 (a percentile moving one
 * histogram bucket, a quantised gauge); an hour of points vouches for much more.
 */
export function deviationBound(n: number): number {
  return BOUND_PER_POINT * (n + 1);
}

/**
 * Which largest deviation after the fault time stands for a sustained shift: the m-th largest of n points,
 * m = max(2, n / SUSTAINED_SHARE) (at most n). Faults hold for minutes; a lone spike (a scrape artefact, a
 * percentile jumping one histogram bucket) does not.
 */
export function sustainedRank(n: number): number {
  return Math.min(n, Math.max(2, Math.ceil(n / SUSTAINED_SHARE)));
}
/** See `sustainedRank`: a quarter of the points after the fault time. */
export const SUSTAINED_SHARE = 4;

function sortedByTime(s: MetricSeries): { t: number[]; v: number[] } {
  const { timestamps: t, values: v } = s;
  let sorted = true;
  let finite = true;
  for (let i = 0; i < t.length && sorted && finite; i++) {
    finite = Number.isFinite(v[i]) && Number.isFinite(t[i]);
    if (i > 0) sorted = t[i] >= t[i - 1];
  }
  if (sorted && finite) return { t, v };
  const order = t.map((_, i) => i).filter((i) => Number.isFinite(v[i]) && Number.isFinite(t[i]));
  order.sort((a, b) => t[a] - t[b]);
  return { t: order.map((i) => t[i]), v: order.map((i) => v[i]) };
}

function rates(t: number[], v: number[]): { t: number[]; v: number[] } {
  const rt: number[] = [];
  const rv: number[] = [];
  for (let i = 1; i < t.length; i++) {
    const dt = t[i] - t[i - 1];
    if (dt > 0) {
      rt.push(t[i]);
      rv.push((v[i] - v[i - 1]) / dt);
    }
  }
  return { t: rt, v: rv };
}

/**
 * Scores every metric series of a case against its reference period (see `scoreSeries`).
 * Non-finite points are dropped, unsorted series sorted, counters turned into rates first.
 */
export function scoreMetrics(c: Pick<RcaCase, 'fault_time' | 'window' | 'reference' | 'metrics'>): MetricEvidence[] {
  const out: MetricEvidence[] = [];
  for (const s0 of c.metrics) {
    let s = sortedByTime(s0);
    if (looksLikeCounter(s.v)) s = rates(s.t, s.v);
    const r = scoreSeries(s.t, s.v, c, { relativeMinScale: METRIC_RELATIVE_SCALE });
    if (!r) continue;
    out.push({ type: 'metric', service: s0.service, metric: s0.metric, score: r.score, sustained: r.sustained, bound: r.bound, onset: r.onset, reference_median: r.median, peak_value: r.peak });
  }
  return out.sort((a, b) => a.service.localeCompare(b.service) || a.metric.localeCompare(b.metric));
}

/** Metric shifts smaller than this share of the reference median are jitter, however steady the reference (a percentile on a histogram bound). */
export const METRIC_RELATIVE_SCALE = 0.02;

/** The step of the count and latency series built from logs and spans: a window's length / 120, between 1 s and 60 s. */
export function eventBucketSeconds(window: TimeRange): number {
  return Math.min(60, Math.max(1, Math.round((window.end - window.start) / 120)));
}

/** Event rates vary more than a Poisson process: the unit of a count's shift is widened by this share of the expected count. */
export const RATE_OVERDISPERSION = 0.1;

/**
 * How far an event count after the fault time is above what the reference rate predicts, in
 * units of sqrt(expected + 1) + RATE_OVERDISPERSION·expected; 0 below ONSET_THRESHOLD. Sparse events (a few errors a
 * minute) never fill a bucket enough to stand out bucket by bucket; their total does.
 */
export function countShiftScore(refCount: number, refSeconds: number, count: number, seconds: number): number {
  if (!(refSeconds > 0) || !(seconds > 0)) return 0;
  const expected = (refCount / refSeconds) * seconds;
  const z = (count - expected) / (Math.sqrt(expected + 1) + RATE_OVERDISPERSION * expected);
  // A total within the noise is no evidence (unlike a bucket, a total is not a max over many draws).
  return z >= ONSET_THRESHOLD ? z : 0;
}

/**
 * How far a count fell short of what was expected, in standard units of the Poisson likelihood ratio (signed root
 * deviance, sqrt(2 (expected - seen + seen ln(seen / expected)))): for expected 17 and one seen, 5.1, where
 * (expected - seen) / sqrt(expected) says 3.9 of an event whose probability is 3e-6. 0 when nothing fell short.
 */
export function shortfallScore(expected: number, seen: number): number {
  if (!(expected > seen) || !(expected > 0)) return 0;
  const deviance = 2 * (expected - seen + (seen > 0 ? seen * Math.log(seen / expected) : 0));
  return Math.sqrt(Math.max(0, deviance));
}

/** The period a case's event counts compare with: the reference period, else the window before the fault time. */
export function referencePeriod(c: Pick<RcaCase, 'fault_time' | 'window' | 'reference'>): TimeRange {
  return c.reference && c.reference.end > c.reference.start ? c.reference : { start: c.window.start, end: c.fault_time };
}
