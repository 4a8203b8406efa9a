import { MetricEvidence, MetricPoint, RcaCase } from '../case';
import { baseline, looksLikeCounter, rates } from './robust';

/** A series leaves its normal band when it is this many robust units away from the reference median. */
export const ONSET_THRESHOLD = 3;

/**
 * Faults saturate: CPU, memory, latency, errors and queue depths go up. A drop (a restarted
 * process with less memory, less traffic downstream of a failure) is weaker evidence of a cause,
 * so downward deviations count for this share of their size.
 */
export const DOWNWARD_WEIGHT = 0.2;

interface Series {
  service: string;
  metric: string;
  t: number[];
  v: number[];
}

/** Groups points into series; consecutive points of one series (the usual layout) skip the map lookup. */
function groupSeries(metrics: MetricPoint[]): Series[] {
  const map = new Map<string, Series>();
  let cur: Series | undefined;
  for (const m of metrics) {
    if (!Number.isFinite(m.value) || !Number.isFinite(m.timestamp)) continue;
    if (!cur || cur.service !== m.service || cur.metric !== m.metric) {
      const key = `${m.service}\u0000${m.metric}`;
      cur = map.get(key);
      if (!cur) map.set(key, (cur = { service: m.service, metric: m.metric, t: [], v: [] }));
    }
    cur.t.push(m.timestamp);
    cur.v.push(m.value);
  }
  for (const s of map.values()) {
    let sorted = true;
    for (let i = 1; i < s.t.length && sorted; i++) sorted = s.t[i] >= s.t[i - 1];
    if (!sorted) {
      const order = s.t.map((_, i) => i).sort((a, b) => s.t[a] - s.t[b]);
      s.t = order.map((i) => s.t[i]);
      s.v = order.map((i) => s.v[i]);
    }
  }
  return [...map.values()].sort((a, b) => (a.service + a.metric).localeCompare(b.service + b.metric));
}

function asRates(s: Series): Series {
  const r = rates(s.t.map((t, i) => ({ t, v: s.v[i] })));
  return { ...s, t: r.map((p) => p.t), v: r.map((p) => p.v) };
}

/** Values with from <= t <= to. */
function valuesIn(s: Series, from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < s.t.length; i++) if (s.t[i] >= from && s.t[i] <= to) out.push(s.v[i]);
  return out;
}

/**
 * Scores every series of a case against its reference period (or, without one, the part of the
 * window before the fault time; failing that, the window's first fifth): the largest robust
 * deviation after the fault time, and when it first crossed ONSET_THRESHOLD. Counters are turned
 * into rates first. Series with too few points on either side are skipped.
 */
export function scoreMetrics(c: RcaCase): MetricEvidence[] {
  const out: MetricEvidence[] = [];
  for (const s0 of groupSeries(c.metrics)) {
    const s = looksLikeCounter(s0.v) ? asRates(s0) : s0;
    let ref = c.reference ? valuesIn(s, c.reference.start, c.reference.end) : [];
    if (ref.length < 3) ref = valuesIn(s, c.window.start, c.fault_time - 1e-9);
    if (ref.length < 3) {
      const inWindow = valuesIn(s, c.window.start, c.window.end);
      ref = inWindow.slice(0, Math.max(3, Math.floor(inWindow.length / 5)));
    }
    if (ref.length < 3) continue;
    const b = baseline(ref);
    let score = 0;
    let peak = NaN;
    let onset: number | null = null;
    let seen = 0;
    for (let i = 0; i < s.t.length; i++) {
      const t = s.t[i];
      if (t < c.fault_time || t > c.window.end) continue;
      seen++;
      const d = (s.v[i] - b.median) / b.scale;
      const z = d >= 0 ? d : -d * DOWNWARD_WEIGHT;
      if (z > score || Number.isNaN(peak)) {
        score = Math.max(score, z);
        peak = s.v[i];
      }
      if (onset === null && z >= ONSET_THRESHOLD) onset = t;
    }
    if (!seen) continue;
    out.push({ type: 'metric', service: s.service, metric: s.metric, score, onset, reference_median: b.median, peak_value: peak });
  }
  return out;
}
