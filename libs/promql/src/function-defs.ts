/** The signatures of PromQL functions (Prometheus's `parser/functions.go`). */
import type { ValueType } from './ast';

export interface FunctionDef {
  name: string;
  argTypes: ValueType[];
  /** 0: exactly argTypes; n > 0: up to n more of the last type (or the last one optional); -1: unlimited. */
  variadic: number;
  returnType: ValueType;
  /** Experimental in Prometheus: rejected, as Prometheus does without its feature flag. */
  experimental?: boolean;
}

const V: ValueType = 'vector';
const M: ValueType = 'matrix';
const S: ValueType = 'scalar';
const STR: ValueType = 'string';

function def(name: string, argTypes: ValueType[], returnType: ValueType, variadic = 0, experimental = false): FunctionDef {
  return { name, argTypes, returnType, variadic, experimental };
}

const DEFS: FunctionDef[] = [
  // Instant-vector math (drop the metric name).
  ...['abs', 'ceil', 'floor', 'exp', 'ln', 'log2', 'log10', 'sqrt', 'sgn', 'sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'sinh', 'cosh', 'tanh', 'asinh', 'acosh', 'atanh', 'deg', 'rad'].map((n) => def(n, [V], V)),
  def('clamp', [V, S, S], V),
  def('clamp_max', [V, S], V),
  def('clamp_min', [V, S], V),
  def('round', [V, S], V, 1),
  def('timestamp', [V], V),
  def('absent', [V], V),
  def('sort', [V], V),
  def('sort_desc', [V], V),
  def('vector', [S], V),
  def('scalar', [V], S),
  def('time', [], S),
  def('pi', [], S),
  def('label_replace', [V, STR, STR, STR, STR], V),
  def('label_join', [V, STR, STR, STR], V, -1),
  def('histogram_quantile', [S, V], V),
  def('histogram_fraction', [S, S, V], V),
  ...['histogram_avg', 'histogram_count', 'histogram_sum', 'histogram_stddev', 'histogram_stdvar'].map((n) => def(n, [V], V)),
  ...['minute', 'hour', 'day_of_month', 'day_of_week', 'day_of_year', 'days_in_month', 'month', 'year'].map((n) => def(n, [V], V, 1)),
  // Range-vector functions.
  ...['rate', 'irate', 'increase', 'delta', 'idelta', 'deriv', 'resets', 'changes', 'avg_over_time', 'sum_over_time', 'min_over_time', 'max_over_time', 'count_over_time', 'last_over_time', 'first_over_time', 'stddev_over_time', 'stdvar_over_time', 'present_over_time', 'absent_over_time'].map((n) => def(n, [M], V)),
  def('quantile_over_time', [S, M], V),
  def('predict_linear', [M, S], V),
  // Experimental in Prometheus (disabled by default there, not implemented here).
  ...['mad_over_time', 'ts_of_first_over_time', 'ts_of_max_over_time', 'ts_of_min_over_time', 'ts_of_last_over_time'].map((n) => def(n, [M], V, 0, true)),
  def('double_exponential_smoothing', [M, S, S], V, 0, true),
  def('sort_by_label', [V, STR], V, -1, true),
  def('sort_by_label_desc', [V, STR], V, -1, true),
  def('histogram_quantiles', [V, STR, S, S], V, 9, true),
  def('info', [V, V], V, 1, true),
  def('start_timestamp', [V], V, 0, true),
  def('max_of', [S, S], S, 0, true),
  def('min_of', [S, S], S, 0, true),
  ...['start', 'end', 'range', 'step'].map((n) => def(n, [], S, 0, true)),
];

export const FUNCTIONS: ReadonlyMap<string, FunctionDef> = new Map(DEFS.map((d) => [d.name, d]));

/** Functions whose argument is a range vector (evaluated over sliding windows). */
export const RANGE_FUNCTIONS: ReadonlySet<string> = new Set(DEFS.filter((d) => d.argTypes.includes('matrix')).map((d) => d.name));
