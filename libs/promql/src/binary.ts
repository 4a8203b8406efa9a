/**
 * Binary operators with Prometheus's semantics (`VectorBinop`, `VectorscalarBinop`, `VectorAnd`,
 * `VectorOr`, `VectorUnless`): label matching by signature (all labels but `__name__`, or
 * `on(...)`/`ignoring(...)`), one-to-one and many-to-one/one-to-many (`group_left`/`group_right`)
 * matching, comparison filters and `bool`, set operators. Signatures are computed once per series;
 * each step only compares small integers.
 */
import type { BinaryOp, ComparisonOp, VectorMatching } from './ast';
import { changesMetricSchema, isComparisonOp } from './ast';
import { execError } from './errors';
import { type Labels, METRIC_NAME, signatureIgnoring, signatureOn } from './labels';
import { OutputSet, type SeriesBuilder, type StepSeries, mergeSameLabels } from './series';

/** Go's math.Mod: the result has the sign of x. */
function goMod(x: number, y: number): number {
  return x % y;
}

/** Go's math.Pow special cases differ from JavaScript's `**` only for pow(1, ±Inf/NaN) and pow(-1, ±Inf). */
function goPow(x: number, y: number): number {
  if (x === 1) return 1;
  if (y === 0) return 1;
  if ((y === Infinity || y === -Infinity) && x === -1) return 1;
  return Math.pow(x, y);
}

export function arithmetic(op: BinaryOp, l: number, r: number): number {
  switch (op) {
    case '+':
      return l + r;
    case '-':
      return l - r;
    case '*':
      return l * r;
    case '/':
      return l / r;
    case '%':
      return goMod(l, r);
    case '^':
      return goPow(l, r);
    case 'atan2':
      return Math.atan2(l, r);
    default:
      throw execError(`operator ${JSON.stringify(op)} not allowed for arithmetic`);
  }
}

export function compare(op: ComparisonOp, l: number, r: number): boolean {
  switch (op) {
    case '==':
      return l === r;
    case '!=':
      return l !== r;
    case '>':
      return l > r;
    case '<':
      return l < r;
    case '>=':
      return l >= r;
    case '<=':
      return l <= r;
  }
}

/** scalar op scalar (comparisons always with `bool`). */
export function scalarBinop(op: BinaryOp, l: Float64Array, r: Float64Array): Float64Array {
  const out = new Float64Array(l.length);
  if (isComparisonOp(op)) {
    for (let i = 0; i < out.length; i++) out[i] = compare(op, l[i], r[i]) ? 1 : 0;
  } else {
    for (let i = 0; i < out.length; i++) out[i] = arithmetic(op, l[i], r[i]);
  }
  return out;
}

/** vector op scalar, or scalar op vector when `swap`. */
export function vectorScalarBinop(op: BinaryOp, vec: readonly StepSeries[], scalar: Float64Array, swap: boolean, returnBool: boolean): StepSeries[] {
  const cmp = isComparisonOp(op);
  const dropName = changesMetricSchema(op) || returnBool;
  const out: StepSeries[] = [];
  for (const s of vec) {
    const values = new Float64Array(s.values.length);
    const present = new Uint8Array(s.values.length);
    let any = false;
    for (let j = 0; j < values.length; j++) {
      if (!s.present[j]) continue;
      const sv = s.values[j];
      const c = scalar[s.start + j];
      const l = swap ? c : sv;
      const r = swap ? sv : c;
      let value: number;
      let keep: boolean;
      if (cmp) {
        keep = compare(op as ComparisonOp, l, r);
        // The vector's value is kept even when the scalar is on the left.
        value = sv;
      } else {
        value = arithmetic(op, l, r);
        keep = true;
      }
      if (returnBool) {
        value = keep ? 1 : 0;
        keep = true;
      }
      if (!keep) continue;
      values[j] = value;
      present[j] = 1;
      any = true;
    }
    if (any) out.push({ labels: dropName ? s.labels.dropMetricName() : s.labels, start: s.start, values, present });
  }
  return dropName ? mergeSameLabels(out) : out;
}

/** Matching signatures: equal label sets on the matched labels get the same ordinal. */
function signatures(lhs: readonly StepSeries[], rhs: readonly StepSeries[], m: VectorMatching): { l: Int32Array; r: Int32Array; count: number } {
  let sig: (ls: Labels) => string;
  if (m.on) {
    const names = new Set(m.labels);
    sig = (ls) => signatureOn(ls, names);
  } else {
    const names = new Set([METRIC_NAME, ...m.labels]);
    sig = (ls) => signatureIgnoring(ls, names);
  }
  const ordinals = new Map<string, number>();
  const ord = (ls: Labels): number => {
    const k = sig(ls);
    let o = ordinals.get(k);
    if (o === undefined) {
      o = ordinals.size;
      ordinals.set(k, o);
    }
    return o;
  };
  const l = new Int32Array(lhs.length);
  const r = new Int32Array(rhs.length);
  lhs.forEach((s, i) => (l[i] = ord(s.labels)));
  rhs.forEach((s, i) => (r[i] = ord(s.labels)));
  return { l, r, count: ordinals.size };
}

/** The indices of the series with a point at `step`. */
function presentAt(list: readonly StepSeries[], step: number, out: number[]): number[] {
  out.length = 0;
  for (let i = 0; i < list.length; i++) {
    const s = list[i];
    const j = step - s.start;
    if (j >= 0 && j < s.present.length && s.present[j] === 1) out.push(i);
  }
  return out;
}

function valueAt(s: StepSeries, step: number): number {
  return s.values[step - s.start];
}

/** The labels of Prometheus's `resultMetric`. */
function resultLabels(lhs: Labels, rhs: Labels, op: BinaryOp, m: VectorMatching, returnBool: boolean): Labels {
  let ls = lhs;
  if (returnBool || changesMetricSchema(op)) ls = ls.dropMetricName();
  if (m.card === 'one-to-one') ls = m.on ? ls.keep(m.labels) : ls.without(m.labels);
  for (const name of m.include) ls = ls.with(name, rhs.get(name));
  return ls;
}

/** vector op vector for arithmetic and comparison operators. */
export function vectorBinop(op: BinaryOp, lhsIn: readonly StepSeries[], rhsIn: readonly StepSeries[], m: VectorMatching, returnBool: boolean, numSteps: number): StepSeries[] {
  const sigs = signatures(lhsIn, rhsIn, m);
  // For one-to-many, the right side is the "many" side: swap the roles, not the operands.
  const swapped = m.card === 'one-to-many';
  const lhs = swapped ? rhsIn : lhsIn;
  const rhs = swapped ? lhsIn : rhsIn;
  const lsig = swapped ? sigs.r : sigs.l;
  const rsig = swapped ? sigs.l : sigs.r;
  const cmp = isComparisonOp(op);

  const rightIdx = new Int32Array(sigs.count);
  const rightStamp = new Int32Array(sigs.count).fill(-1);
  const matchedStamp = new Int32Array(sigs.count).fill(-1);
  const pairOut = new Map<number, SeriesBuilder>();
  const outputs = new OutputSet(numSteps);
  const insertedPerSig = m.card === 'one-to-one' ? undefined : new Map<number, Set<string>>();
  const lPresent: number[] = [];
  const rPresent: number[] = [];

  for (let step = 0; step < numSteps; step++) {
    presentAt(lhs, step, lPresent);
    if (lPresent.length === 0) continue;
    presentAt(rhs, step, rPresent);
    if (rPresent.length === 0) continue;
    for (const ri of rPresent) {
      const sg = rsig[ri];
      if (rightStamp[sg] === step) {
        const oneSide = swapped ? 'left' : 'right';
        const a = rhs[ri].labels.toString();
        const b = rhs[rightIdx[sg]].labels.toString();
        const [d1, d2] = a > b ? [b, a] : [a, b];
        const matched = m.on ? rhs[ri].labels.keep(m.labels) : rhs[ri].labels.without(m.labels);
        throw execError(
          `found duplicate series for the match group ${matched.toString()} on the ${oneSide} hand-side of the operation: [${d1}, ${d2}];many-to-many matching not allowed: matching labels must be unique on one side`,
        );
      }
      rightStamp[sg] = step;
      rightIdx[sg] = ri;
    }
    insertedPerSig?.clear();
    for (const li of lPresent) {
      const sg = lsig[li];
      if (rightStamp[sg] !== step) continue;
      const ri = rightIdx[sg];
      const lv = valueAt(lhs[li], step);
      const rv = valueAt(rhs[ri], step);
      // Account for the swapped sides.
      const fl = swapped ? rv : lv;
      const fr = swapped ? lv : rv;
      let value: number;
      let keep: boolean;
      if (cmp) {
        keep = compare(op as ComparisonOp, fl, fr);
        value = fl;
      } else {
        value = arithmetic(op, fl, fr);
        keep = true;
      }
      if (returnBool) {
        value = keep ? 1 : 0;
      }
      const pairKey = li * rhs.length + ri;
      let builder = pairOut.get(pairKey);
      if (!builder) {
        builder = outputs.get(resultLabels(lhs[li].labels, rhs[ri].labels, op, m, returnBool));
        pairOut.set(pairKey, builder);
      }
      if (m.card === 'one-to-one') {
        if (matchedStamp[sg] === step) throw execError('multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)');
        matchedStamp[sg] = step;
      } else {
        const inserted = insertedPerSig as Map<number, Set<string>>;
        let set = inserted.get(sg);
        if (!set) {
          set = new Set();
          inserted.set(sg, set);
        }
        const key = builder.labels.key();
        if (set.has(key)) throw execError('multiple matches for labels: grouping labels must ensure unique matches');
        set.add(key);
      }
      if (!keep && !returnBool) continue;
      builder.push(step, value);
    }
  }
  return outputs.build();
}

/** and / or / unless (many-to-many). */
export function setBinop(op: 'and' | 'or' | 'unless', lhs: readonly StepSeries[], rhs: readonly StepSeries[], m: VectorMatching, numSteps: number): StepSeries[] {
  const sigs = signatures(lhs, rhs, m);
  const stamp = new Int32Array(sigs.count).fill(-1);
  const lPresent: number[] = [];
  const rPresent: number[] = [];
  const keepL = lhs.map((s) => new Uint8Array(s.present.length));
  const keepR = op === 'or' ? rhs.map((s) => new Uint8Array(s.present.length)) : [];
  for (let step = 0; step < numSteps; step++) {
    presentAt(lhs, step, lPresent);
    if (op === 'or') {
      for (const li of lPresent) {
        stamp[sigs.l[li]] = step;
        keepL[li][step - lhs[li].start] = 1;
      }
      presentAt(rhs, step, rPresent);
      for (const ri of rPresent) if (stamp[sigs.r[ri]] !== step) keepR[ri][step - rhs[ri].start] = 1;
      continue;
    }
    if (lPresent.length === 0) continue;
    presentAt(rhs, step, rPresent);
    for (const ri of rPresent) stamp[sigs.r[ri]] = step;
    for (const li of lPresent) {
      const matched = stamp[sigs.l[li]] === step;
      if (matched === (op === 'and')) keepL[li][step - lhs[li].start] = 1;
    }
  }
  const out: StepSeries[] = [];
  const emit = (s: StepSeries, keep: Uint8Array) => {
    let any = false;
    for (let j = 0; j < keep.length; j++) {
      if (keep[j]) {
        any = true;
        break;
      }
    }
    if (any) out.push({ labels: s.labels, start: s.start, values: s.values, present: keep });
  };
  lhs.forEach((s, i) => emit(s, keepL[i]));
  if (op === 'or') rhs.forEach((s, i) => emit(s, keepR[i]));
  return op === 'or' ? mergeSameLabels(out) : out;
}
