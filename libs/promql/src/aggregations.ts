/**
 * Aggregation operators (`sum by (job) (...)`). Each input series is mapped to its group once (by
 * a key string computed once per series, not per step); the accumulating operators then walk the
 * input series by series into per-group typed arrays, which visits each group's points in the same
 * order as Prometheus's step-by-step loop, so Kahan sums and means come out bit-identical.
 */
import type { AggregateExpr } from './ast';
import { execError } from './errors';
import { Labels, METRIC_NAME, compareStrings, keyForLabels, keyWithoutLabels } from './labels';
import { quantile } from './quantile';
import { OutputSet, SeriesBuilder, type StepSeries } from './series';
import { formatGoFixed } from './values';

export interface AggregationHooks {
  checkTimeout(): void;
}

interface Grouping {
  /** Group index of every input series. */
  groupOf: Int32Array;
  /** Output labels of every group. */
  labels: Labels[];
}

function groupSeries(input: readonly StepSeries[], grouping: string[], without: boolean, withLabels: boolean): Grouping {
  const sorted = [...grouping].sort(compareStrings);
  const excluded = new Set(sorted);
  const byKey = new Map<string, number>();
  const groupOf = new Int32Array(input.length);
  const labels: Labels[] = [];
  for (let i = 0; i < input.length; i++) {
    const ls = input[i].labels;
    const key = without ? keyWithoutLabels(ls, excluded) : sorted.length === 0 ? '' : keyForLabels(ls, sorted);
    let g = byKey.get(key);
    if (g === undefined) {
      g = labels.length;
      byKey.set(key, g);
      if (withLabels) labels.push(without ? ls.without([...sorted, METRIC_NAME]) : sorted.length === 0 ? Labels.EMPTY : ls.keep(sorted));
      else labels.push(Labels.EMPTY);
    }
    groupOf[i] = g;
  }
  return { groupOf, labels };
}

export function evalAggregation(e: AggregateExpr, input: readonly StepSeries[], param: Float64Array | string | undefined, numSteps: number, hooks: AggregationHooks): StepSeries[] {
  switch (e.op) {
    case 'topk':
    case 'bottomk':
      return topK(e, input, param as Float64Array, numSteps, hooks);
    case 'count_values':
      return countValues(e, input, param as string, numSteps);
    case 'quantile':
      return quantileAggregation(e, input, param as Float64Array, numSteps, hooks);
    default:
      return accumulate(e, input, numSteps, hooks);
  }
}

/** sum, avg, min, max, count, group, stddev, stdvar. */
function accumulate(e: AggregateExpr, input: readonly StepSeries[], numSteps: number, hooks: AggregationHooks): StepSeries[] {
  const { groupOf, labels } = groupSeries(input, e.grouping, e.without, true);
  const numGroups = labels.length;
  // The steps each group spans: the union of its members' windows.
  const gStart = new Int32Array(numGroups).fill(numSteps);
  const gEnd = new Int32Array(numGroups).fill(-1);
  for (let i = 0; i < input.length; i++) {
    const s = input[i];
    const g = groupOf[i];
    if (s.start < gStart[g]) gStart[g] = s.start;
    const end = s.start + s.values.length - 1;
    if (end > gEnd[g]) gEnd[g] = end;
  }
  const op = e.op;
  const value: Float64Array[] = [];
  const comp: Float64Array[] = [];
  const count: Float64Array[] = [];
  const mean: Float64Array[] = [];
  const incremental: Uint8Array[] = [];
  const seen: Uint8Array[] = [];
  for (let g = 0; g < numGroups; g++) {
    const span = Math.max(0, gEnd[g] - gStart[g] + 1);
    value.push(new Float64Array(span));
    seen.push(new Uint8Array(span));
    if (op === 'sum' || op === 'avg') comp.push(new Float64Array(span));
    if (op === 'avg' || op === 'count' || op === 'stddev' || op === 'stdvar') count.push(new Float64Array(span));
    if (op === 'avg' || op === 'stddev' || op === 'stdvar') mean.push(new Float64Array(span));
    if (op === 'avg') incremental.push(new Uint8Array(span));
  }

  for (let si = 0; si < input.length; si++) {
    if ((si & 255) === 0) hooks.checkTimeout();
    const s = input[si];
    const g = groupOf[si];
    const off = s.start - gStart[g];
    const vals = s.values;
    const pres = s.present;
    const val = value[g];
    const sn = seen[g];
    const len = vals.length;
    switch (op) {
      case 'sum': {
        const c = comp[g];
        for (let j = 0; j < len; j++) {
          if (pres[j] === 0) continue;
          const f = vals[j];
          const k = off + j;
          if (sn[k] === 0) {
            sn[k] = 1;
            val[k] = f;
            c[k] = 0;
            continue;
          }
          // kahansum.Inc
          const sum = val[k];
          const t = sum + f;
          if (t > Number.MAX_VALUE || t < -Number.MAX_VALUE) c[k] = 0;
          else if (Math.abs(sum) >= Math.abs(f)) c[k] += sum - t + f;
          else c[k] += f - t + sum;
          val[k] = t;
        }
        break;
      }
      case 'avg': {
        const c = comp[g];
        const cnt = count[g];
        const mn = mean[g];
        const inc = incremental[g];
        for (let j = 0; j < len; j++) {
          if (pres[j] === 0) continue;
          const f = vals[j];
          const k = off + j;
          if (sn[k] === 0) {
            sn[k] = 1;
            val[k] = f;
            mn[k] = f;
            cnt[k] = 1;
            c[k] = 0;
            continue;
          }
          const n = ++cnt[k];
          if (inc[k] === 0) {
            const sum = val[k];
            const t = sum + f;
            let nc = c[k];
            if (t > Number.MAX_VALUE || t < -Number.MAX_VALUE) nc = 0;
            else if (Math.abs(sum) >= Math.abs(f)) nc += sum - t + f;
            else nc += f - t + sum;
            if (t !== Infinity && t !== -Infinity) {
              val[k] = t;
              c[k] = nc;
              continue;
            }
            // The sum would overflow: switch to the incremental mean.
            inc[k] = 1;
            mn[k] = val[k] / (n - 1);
            c[k] /= n - 1;
          }
          const q = (n - 1) / n;
          const sum = q * mn[k];
          const addend = f / n;
          const t = sum + addend;
          let nc = q * c[k];
          if (t > Number.MAX_VALUE || t < -Number.MAX_VALUE) nc = 0;
          else if (Math.abs(sum) >= Math.abs(addend)) nc += sum - t + addend;
          else nc += addend - t + sum;
          mn[k] = t;
          c[k] = nc;
        }
        break;
      }
      case 'min':
      case 'max': {
        const isMax = op === 'max';
        for (let j = 0; j < len; j++) {
          if (pres[j] === 0) continue;
          const f = vals[j];
          const k = off + j;
          if (sn[k] === 0) {
            sn[k] = 1;
            val[k] = f;
            continue;
          }
          const cur = val[k];
          if (isMax ? cur < f || cur !== cur : cur > f || cur !== cur) val[k] = f;
        }
        break;
      }
      case 'count':
      case 'group': {
        const cnt = op === 'count' ? count[g] : undefined;
        for (let j = 0; j < len; j++) {
          if (pres[j] === 0) continue;
          const k = off + j;
          sn[k] = 1;
          if (cnt) cnt[k]++;
        }
        break;
      }
      case 'stddev':
      case 'stdvar': {
        const cnt = count[g];
        const mn = mean[g];
        for (let j = 0; j < len; j++) {
          if (pres[j] === 0) continue;
          const f = vals[j];
          const k = off + j;
          if (sn[k] === 0) {
            sn[k] = 1;
            val[k] = f !== f || f === Infinity || f === -Infinity ? NaN : 0;
            mn[k] = f;
            cnt[k] = 1;
            continue;
          }
          const n = ++cnt[k];
          const delta = f - mn[k];
          mn[k] += delta / n;
          val[k] += delta * (f - mn[k]);
        }
        break;
      }
      default:
        throw execError(`unsupported aggregation ${op}`);
    }
  }

  const out: StepSeries[] = [];
  for (let g = 0; g < numGroups; g++) {
    const sn = seen[g];
    if (sn.length === 0) continue;
    const val = value[g];
    let any = false;
    for (let k = 0; k < sn.length; k++) {
      if (sn[k] === 0) continue;
      any = true;
      switch (op) {
        case 'sum':
          val[k] += comp[g][k];
          break;
        case 'avg':
          val[k] = incremental[g][k] ? mean[g][k] + comp[g][k] : val[k] / count[g][k] + comp[g][k] / count[g][k];
          break;
        case 'count':
          val[k] = count[g][k];
          break;
        case 'group':
          val[k] = 1;
          break;
        case 'stdvar':
          val[k] = val[k] / count[g][k];
          break;
        case 'stddev':
          val[k] = Math.sqrt(val[k] / count[g][k]);
          break;
        default:
          break;
      }
    }
    if (any) out.push({ labels: labels[g], start: gStart[g], values: val, present: sn });
  }
  return out;
}

/** Steps where series `s` has a point, visited in order: calls `f(step, value)`. */
function forEachPointAt(input: readonly StepSeries[], step: number, f: (si: number, v: number) => void): void {
  for (let si = 0; si < input.length; si++) {
    const s = input[si];
    const j = step - s.start;
    if (j < 0 || j >= s.present.length || s.present[j] === 0) continue;
    f(si, s.values[j]);
  }
}

function quantileAggregation(e: AggregateExpr, input: readonly StepSeries[], q: Float64Array, numSteps: number, hooks: AggregationHooks): StepSeries[] {
  const { groupOf, labels } = groupSeries(input, e.grouping, e.without, true);
  const builders = labels.map((l) => new SeriesBuilder(l, numSteps));
  const buffers: number[][] = labels.map(() => []);
  for (let step = 0; step < numSteps; step++) {
    if ((step & 63) === 0) hooks.checkTimeout();
    for (const b of buffers) b.length = 0;
    forEachPointAt(input, step, (si, v) => buffers[groupOf[si]].push(v));
    for (let g = 0; g < buffers.length; g++) {
      if (buffers[g].length === 0) continue;
      builders[g].push(step, quantile(q[step], Float64Array.from(buffers[g])));
    }
  }
  const out: StepSeries[] = [];
  for (const b of builders) {
    const s = b.build();
    if (s) out.push(s);
  }
  return out;
}

/** float64(math.MaxInt64), as Go compares it. */
const MAX_INT64 = 2 ** 63;

/**
 * topk / bottomk: per step and group, a binary heap of at most k series exactly like Go's
 * `container/heap` with Prometheus's comparators, so ties select the same series as Prometheus.
 */
function topK(e: AggregateExpr, input: readonly StepSeries[], kParam: Float64Array, numSteps: number, hooks: AggregationHooks): StepSeries[] {
  let max = -Infinity;
  let min = Infinity;
  for (let i = 0; i < numSteps; i++) {
    const k = kParam[i];
    if (k !== k) throw execError('Parameter value is NaN');
    if (k > max) max = k;
    if (k < min) min = k;
  }
  if (max < 1) return [];
  if (min <= -MAX_INT64) throw execError(`Scalar value ${formatGoFixed(min)} underflows int64`);
  if (max >= MAX_INT64) throw execError(`Scalar value ${formatGoFixed(max)} overflows int64`);

  const isTop = e.op === 'topk';
  // Prometheus's heap "Less": NaN is always less; otherwise < for topk (min-heap) and > for bottomk.
  const less = isTop ? (a: number, b: number) => a !== a || a < b : (a: number, b: number) => a !== a || a > b;
  const { groupOf, labels } = groupSeries(input, e.grouping, e.without, false);
  const heaps: { idx: number[]; val: number[] }[] = labels.map(() => ({ idx: [], val: [] }));
  const builders = new Map<number, SeriesBuilder>();
  const order: SeriesBuilder[] = [];

  for (let step = 0; step < numSteps; step++) {
    if ((step & 63) === 0) hooks.checkTimeout();
    const k = Math.min(Math.trunc(kParam[step]), input.length);
    if (k < 1) continue;
    for (const h of heaps) {
      h.idx.length = 0;
      h.val.length = 0;
    }
    forEachPointAt(input, step, (si, f) => {
      const h = heaps[groupOf[si]];
      const n = h.idx.length;
      if (n < k) {
        h.idx.push(si);
        h.val.push(f);
        heapUp(h, n, less);
      } else if (isTop ? h.val[0] < f || (h.val[0] !== h.val[0] && f === f) : h.val[0] > f || (h.val[0] !== h.val[0] && f === f)) {
        h.idx[0] = si;
        h.val[0] = f;
        if (k > 1 && !heapDown(h, 0, n, less)) heapUp(h, 0, less);
      }
    });
    for (const h of heaps) {
      if (h.idx.length === 0) continue;
      // Output order of an instant query: best first, NaN last.
      const items = h.idx.map((si, i) => ({ si, v: h.val[i] }));
      items.sort((a, b) => (a.v !== a.v ? (b.v !== b.v ? 0 : 1) : b.v !== b.v ? -1 : isTop ? b.v - a.v : a.v - b.v));
      for (const { si, v } of items) {
        let b = builders.get(si);
        if (!b) {
          b = new SeriesBuilder(input[si].labels, numSteps);
          builders.set(si, b);
          order.push(b);
        }
        b.push(step, v);
      }
    }
  }
  const out: StepSeries[] = [];
  for (const b of order) {
    const s = b.build();
    if (s) out.push(s);
  }
  return out;
}

function heapUp(h: { idx: number[]; val: number[] }, j: number, less: (a: number, b: number) => boolean): void {
  for (;;) {
    const i = ((j - 1) / 2) | 0;
    if (i === j || !less(h.val[j], h.val[i])) break;
    swap(h, i, j);
    j = i;
  }
}

function heapDown(h: { idx: number[]; val: number[] }, i0: number, n: number, less: (a: number, b: number) => boolean): boolean {
  let i = i0;
  for (;;) {
    const j1 = 2 * i + 1;
    if (j1 >= n || j1 < 0) break;
    let j = j1;
    const j2 = j1 + 1;
    if (j2 < n && less(h.val[j2], h.val[j1])) j = j2;
    if (!less(h.val[j], h.val[i])) break;
    swap(h, i, j);
    i = j;
  }
  return i > i0;
}

function swap(h: { idx: number[]; val: number[] }, i: number, j: number): void {
  const ti = h.idx[i];
  h.idx[i] = h.idx[j];
  h.idx[j] = ti;
  const tv = h.val[i];
  h.val[i] = h.val[j];
  h.val[j] = tv;
}

function countValues(e: AggregateExpr, input: readonly StepSeries[], valueLabel: string, numSteps: number): StepSeries[] {
  if (valueLabel === '') throw execError(`invalid label name ${JSON.stringify(valueLabel)}`);
  const grouping = e.without ? [...e.grouping] : [...e.grouping, valueLabel];
  grouping.sort(compareStrings);
  const excluded = new Set(grouping);
  const outputs = new OutputSet(numSteps);
  const counts = new Map<string, { labels: Labels; count: number }>();
  for (let step = 0; step < numSteps; step++) {
    counts.clear();
    forEachPointAt(input, step, (si, f) => {
      const ls = input[si].labels.with(valueLabel, formatGoFixed(f));
      const key = e.without ? keyWithoutLabels(ls, excluded) : keyForLabels(ls, grouping);
      const c = counts.get(key);
      if (c) c.count++;
      else counts.set(key, { labels: e.without ? ls.without([...grouping, METRIC_NAME]) : ls.keep(grouping), count: 1 });
    });
    for (const { labels, count } of counts.values()) outputs.get(labels).push(step, count);
  }
  return outputs.build();
}
