/**
 * The evaluator: walks the AST once and evaluates every node over all steps of the query at once
 * (like Prometheus's `rangeEval`, but series by series where possible). Selected data is fetched
 * before evaluation (one `select` per selector for the whole time range it needs), so evaluation is
 * synchronous and never goes back to the source.
 */
import {
  type AggregateExpr,
  type BinaryExpr,
  type Call,
  type Expr,
  type MatrixSelector,
  type SubqueryExpr,
  type VectorSelector,
  isSetOp,
  unwrapParens,
} from './ast';
import { evalAggregation } from './aggregations';
import { scalarBinop, setBinop, vectorBinop, vectorScalarBinop } from './binary';
import type { QueryContext } from './context';
import { execError } from './errors';
import {
  absent,
  clamp,
  dateFunction,
  histogramFraction,
  histogramQuantile,
  isMathFunction,
  labelJoin,
  labelReplace,
  mathFunction,
  round,
  scalarOf,
  sortByValue,
  timestampOfSteps,
  vectorOf,
} from './functions';
import { Labels, METRIC_NAME } from './labels';
import { RANGE_FUNCTIONS } from './function-defs';
import { absentOverTime, evalRangeFunction } from './range-functions';
import { evalVectorSelector, rangeSelectorAt } from './selectors';
import { type RawSeries, type StepSeries, mapValues, mergeSameLabels, totalPoints } from './series';

/** The steps an evaluation runs at: `startMs + i * stepMs` for i in [0, numSteps). */
export interface Env {
  startMs: number;
  stepMs: number;
  numSteps: number;
}

export type Value =
  | { type: 'vector'; series: StepSeries[] }
  | { type: 'scalar'; values: Float64Array }
  | { type: 'string'; value: string }
  /** Raw samples: only the result of an instant query of a range selector or subquery. */
  | { type: 'matrix'; series: RawSeries[] };

export function makeEnv(startMs: number, endMs: number, stepMs: number): Env {
  return { startMs, stepMs, numSteps: Math.floor((endMs - startMs) / stepMs) + 1 };
}

function lastStepTime(env: Env): number {
  return env.startMs + (env.numSteps - 1) * env.stepMs;
}

/**
 * The steps a subquery's expression is evaluated at (Prometheus's `subqueryTimeRange`): aligned to
 * multiples of the subquery step, from just after the earliest window start to the last window end.
 */
export function subqueryEnv(env: Env, sq: SubqueryExpr, ctx: QueryContext): Env {
  const step = sq.stepMs > 0 ? sq.stepMs : ctx.defaultSubqueryStepMs;
  const refStart = sq.at ? ctx.resolveAt(sq.at) : env.startMs;
  const refEnd = sq.at ? ctx.resolveAt(sq.at) : lastStepTime(env);
  const end = refEnd - sq.offsetMs;
  const bound = refStart - sq.offsetMs - sq.rangeMs;
  let start = step * Math.trunc(bound / step);
  if (start <= bound) start += step;
  const numSteps = end < start ? 0 : Math.floor((end - start) / step) + 1;
  return { startMs: start, stepMs: step, numSteps };
}

/** A selector's data request: the matchers and the inclusive time range its evaluation reads. */
export interface SelectRequest {
  node: VectorSelector;
  minT: number;
  maxT: number;
}

/** Lists the data every selector needs (Prometheus's `getTimeRangesForSelector`), subqueries included. */
export function planSelects(e: Expr, env: Env, ctx: QueryContext, out: SelectRequest[] = []): SelectRequest[] {
  const window = (vs: VectorSelector, lengthMs: number) => {
    const from = vs.at ? ctx.resolveAt(vs.at) : env.startMs;
    const to = vs.at ? ctx.resolveAt(vs.at) : lastStepTime(env);
    out.push({ node: vs, minT: from - vs.offsetMs - lengthMs + 1, maxT: to - vs.offsetMs });
  };
  switch (e.kind) {
    case 'VectorSelector':
      window(e, ctx.lookbackMs);
      break;
    case 'MatrixSelector':
      window(e.selector, e.rangeMs);
      break;
    case 'SubqueryExpr': {
      const child = subqueryEnv(env, e, ctx);
      if (child.numSteps > 0) planSelects(e.expr, child, ctx, out);
      break;
    }
    case 'ParenExpr':
    case 'UnaryExpr':
      planSelects(e.expr, env, ctx, out);
      break;
    case 'Call':
      for (const a of e.args) planSelects(a, env, ctx, out);
      break;
    case 'AggregateExpr':
      if (e.param) planSelects(e.param, env, ctx, out);
      planSelects(e.expr, env, ctx, out);
      break;
    case 'BinaryExpr':
      planSelects(e.lhs, env, ctx, out);
      planSelects(e.rhs, env, ctx, out);
      break;
    default:
      break;
  }
  return out;
}

/** The labels `absent()` answers with: the selector's equality matchers, except repeated names. */
function absentLabels(arg: Expr): Labels {
  const e = unwrapParens(arg);
  const vs = e.kind === 'VectorSelector' ? e : e.kind === 'MatrixSelector' ? e.selector : undefined;
  if (!vs) return Labels.EMPTY;
  let ls = Labels.EMPTY;
  const has = new Set<string>();
  for (const m of vs.matchers) {
    if (m.name === METRIC_NAME) continue;
    if (m.type === '=' && !has.has(m.name)) {
      ls = ls.with(m.name, m.value);
      has.add(m.name);
    } else {
      ls = ls.with(m.name, '');
    }
  }
  return ls;
}

export class Evaluator {
  constructor(
    private readonly ctx: QueryContext,
    readonly env: Env,
  ) {}

  private stepTime = (step: number): number => this.env.startMs + step * this.env.stepMs;

  eval(e: Expr): Value {
    this.ctx.checkTimeout();
    switch (e.kind) {
      case 'NumberLiteral':
        return { type: 'scalar', values: new Float64Array(this.env.numSteps).fill(e.value) };
      case 'StringLiteral':
        return { type: 'string', value: e.value };
      case 'ParenExpr':
        return this.eval(e.expr);
      case 'UnaryExpr': {
        const v = this.eval(e.expr);
        if (e.op === '+') return v;
        if (v.type === 'scalar') return { type: 'scalar', values: v.values.map((x) => -x) };
        if (v.type === 'vector') return { type: 'vector', series: mergeSameLabels(v.series.map((s) => mapValues(s, s.labels.dropMetricName(), (x) => -x))) };
        throw execError('unary minus is only allowed on scalars and instant vectors');
      }
      case 'VectorSelector':
        return { type: 'vector', series: this.vectorSelector(e, 'value') };
      case 'MatrixSelector':
        return { type: 'matrix', series: this.matrixAtInstant(e) };
      case 'SubqueryExpr':
        return { type: 'matrix', series: this.subqueryRaw(e) };
      case 'Call':
        return this.call(e);
      case 'AggregateExpr':
        return { type: 'vector', series: this.aggregate(e) };
      case 'BinaryExpr':
        return this.binary(e);
    }
  }

  vector(e: Expr): StepSeries[] {
    const v = this.eval(e);
    if (v.type !== 'vector') throw execError(`expected instant vector, got ${v.type}`);
    return v.series;
  }

  scalar(e: Expr): Float64Array {
    const v = this.eval(e);
    if (v.type !== 'scalar') throw execError(`expected scalar, got ${v.type}`);
    return v.values;
  }

  private string(e: Expr): string {
    const v = this.eval(e);
    if (v.type !== 'string') throw execError(`expected string, got ${v.type}`);
    return v.value;
  }

  private data(vs: VectorSelector): RawSeries[] {
    const d = this.ctx.data.get(vs);
    if (!d) throw execError('internal error: selector data was not fetched');
    return d;
  }

  private vectorSelector(vs: VectorSelector, mode: 'value' | 'timestamp'): StepSeries[] {
    const { startMs, stepMs, numSteps } = this.env;
    return evalVectorSelector(
      this.data(vs),
      { numSteps, startMs, stepMs, offsetMs: vs.offsetMs, lookbackMs: this.ctx.lookbackMs, atMs: vs.at ? this.ctx.resolveAt(vs.at) : undefined },
      mode,
      this.ctx,
    );
  }

  /** An instant query's range selector: its raw samples in the window at the evaluation time. */
  private matrixAtInstant(ms: MatrixSelector): RawSeries[] {
    if (this.env.numSteps !== 1) throw execError('cannot do range evaluation of matrix selector');
    const vs = ms.selector;
    const ref = (vs.at ? this.ctx.resolveAt(vs.at) : this.env.startMs) - vs.offsetMs;
    return rangeSelectorAt(this.data(vs), ref, ms.rangeMs);
  }

  /** A subquery's result as raw series (timestamps of the subquery's steps). */
  private subqueryRaw(sq: SubqueryExpr): RawSeries[] {
    const env = subqueryEnv(this.env, sq, this.ctx);
    if (env.numSteps <= 0) return [];
    const child = new Evaluator(this.ctx, env);
    const series = child.vector(sq.expr);
    return series.map((s) => {
      const t: number[] = [];
      const v: number[] = [];
      for (let j = 0; j < s.present.length; j++) {
        if (!s.present[j]) continue;
        t.push(env.startMs + (s.start + j) * env.stepMs);
        v.push(s.values[j]);
      }
      return { labels: s.labels, t: Float64Array.from(t), v: Float64Array.from(v) };
    });
  }

  private call(e: Call): Value {
    const args = e.args.map(unwrapParens);
    const { numSteps } = this.env;
    if (RANGE_FUNCTIONS.has(e.func)) return { type: 'vector', series: this.rangeFunction(e.func, args) };
    if (isMathFunction(e.func)) return { type: 'vector', series: mathFunction(e.func, this.vector(args[0])) };
    switch (e.func) {
      case 'time':
        return { type: 'scalar', values: Float64Array.from({ length: numSteps }, (_, i) => this.stepTime(i) / 1000) };
      case 'pi':
        return { type: 'scalar', values: new Float64Array(numSteps).fill(Math.PI) };
      case 'vector':
        return { type: 'vector', series: vectorOf(this.scalar(args[0])) };
      case 'scalar':
        return { type: 'scalar', values: scalarOf(this.vector(args[0]), numSteps) };
      case 'clamp':
        return { type: 'vector', series: clamp(this.vector(args[0]), this.scalar(args[1]), this.scalar(args[2])) };
      case 'clamp_min':
        return { type: 'vector', series: clamp(this.vector(args[0]), this.scalar(args[1]), undefined) };
      case 'clamp_max':
        return { type: 'vector', series: clamp(this.vector(args[0]), undefined, this.scalar(args[1])) };
      case 'round':
        return { type: 'vector', series: round(this.vector(args[0]), args[1] ? this.scalar(args[1]) : undefined) };
      case 'timestamp': {
        // Of a selector: the timestamps of the samples; of anything else: the evaluation times.
        const vs = args[0];
        if (vs.kind === 'VectorSelector') {
          return { type: 'vector', series: mergeSameLabels(this.vectorSelector(vs, 'timestamp').map((s) => ({ ...s, labels: s.labels.dropMetricName() }))) };
        }
        return { type: 'vector', series: timestampOfSteps(this.vector(vs), this.stepTime) };
      }
      case 'absent':
        return { type: 'vector', series: absent(this.vector(args[0]), absentLabels(args[0]), numSteps) };
      case 'sort':
      case 'sort_desc':
        return { type: 'vector', series: sortByValue(this.vector(args[0]), e.func === 'sort_desc') };
      case 'label_replace':
        return {
          type: 'vector',
          series: labelReplace(this.vector(args[0]), this.string(args[1]), this.string(args[2]), this.string(args[3]), this.string(args[4])),
        };
      case 'label_join':
        return {
          type: 'vector',
          series: labelJoin(
            this.vector(args[0]),
            this.string(args[1]),
            this.string(args[2]),
            args.slice(3).map((a) => this.string(a)),
          ),
        };
      case 'histogram_quantile':
        return { type: 'vector', series: histogramQuantile(this.scalar(args[0]), this.vector(args[1]), numSteps) };
      case 'histogram_fraction':
        return { type: 'vector', series: histogramFraction(this.scalar(args[0]), this.scalar(args[1]), this.vector(args[2]), numSteps) };
      case 'histogram_avg':
      case 'histogram_count':
      case 'histogram_sum':
      case 'histogram_stddev':
      case 'histogram_stdvar':
        // These read native histograms only; float series (all a SeriesSource holds) yield nothing.
        this.vector(args[0]);
        return { type: 'vector', series: [] };
      case 'minute':
      case 'hour':
      case 'day_of_month':
      case 'day_of_week':
      case 'day_of_year':
      case 'days_in_month':
      case 'month':
      case 'year':
        return { type: 'vector', series: dateFunction(e.func, args[0] ? this.vector(args[0]) : undefined, numSteps, this.stepTime) };
      default:
        throw execError(`function ${JSON.stringify(e.func)} is not supported`);
    }
  }

  private rangeFunction(fn: string, args: Expr[]): StepSeries[] {
    const matrixIndex = args.findIndex((a) => a.kind === 'MatrixSelector' || a.kind === 'SubqueryExpr');
    if (matrixIndex < 0) throw execError(`expected a range vector argument in call to ${fn}`);
    const arg = args[matrixIndex];
    const scalarArg = args.find((_, i) => i !== matrixIndex);
    const param = scalarArg ? this.scalar(scalarArg) : undefined;
    const { startMs, stepMs, numSteps } = this.env;
    let raw: RawSeries[];
    let rangeMs: number;
    let offsetMs: number;
    let atMs: number | undefined;
    if (arg.kind === 'MatrixSelector') {
      raw = this.data(arg.selector);
      rangeMs = arg.rangeMs;
      offsetMs = arg.selector.offsetMs;
      atMs = arg.selector.at ? this.ctx.resolveAt(arg.selector.at) : undefined;
    } else if (arg.kind === 'SubqueryExpr') {
      raw = this.subqueryRaw(arg);
      rangeMs = arg.rangeMs;
      offsetMs = arg.offsetMs;
      atMs = arg.at ? this.ctx.resolveAt(arg.at) : undefined;
    } else {
      throw execError(`expected a range vector argument in call to ${fn}`);
    }
    const series = evalRangeFunction(fn, raw, { numSteps, startMs, stepMs, rangeMs, offsetMs, atMs }, param, this.ctx);
    if (fn === 'absent_over_time') return absentOverTime(series, numSteps, absentLabels(arg));
    return series;
  }

  private aggregate(e: AggregateExpr): StepSeries[] {
    let param: Float64Array | string | undefined;
    if (e.param) param = e.op === 'count_values' ? this.string(unwrapParens(e.param)) : this.scalar(e.param);
    const input = this.vector(e.expr);
    const before = totalPoints(input);
    const out = evalAggregation(e, input, param, this.env.numSteps, this.ctx);
    this.ctx.releaseSamples(before);
    this.ctx.addSamples(totalPoints(out));
    return out;
  }

  private binary(e: BinaryExpr): Value {
    const l = this.eval(e.lhs);
    const r = this.eval(e.rhs);
    const { numSteps } = this.env;
    if (l.type === 'scalar' && r.type === 'scalar') return { type: 'scalar', values: scalarBinop(e.op, l.values, r.values) };
    if (l.type === 'vector' && r.type === 'scalar') return { type: 'vector', series: vectorScalarBinop(e.op, l.series, r.values, false, e.returnBool) };
    if (l.type === 'scalar' && r.type === 'vector') return { type: 'vector', series: vectorScalarBinop(e.op, r.series, l.values, true, e.returnBool) };
    if (l.type === 'vector' && r.type === 'vector') {
      const matching = e.matching ?? { card: isSetOp(e.op) ? 'many-to-many' : 'one-to-one', on: false, labels: [], include: [] };
      if (e.op === 'and' || e.op === 'or' || e.op === 'unless') return { type: 'vector', series: setBinop(e.op, l.series, r.series, matching, numSteps) };
      return { type: 'vector', series: vectorBinop(e.op, l.series, r.series, matching, e.returnBool, numSteps) };
    }
    throw execError('binary expression must contain only scalar and instant vector types');
  }
}
