/**
 * The engine's API: `queryRange` and `queryInstant` answer exactly the `data` of Prometheus's
 * `/api/v1/query_range` and `/api/v1/query` (timestamps in seconds, values as strings).
 */
import { type Expr, type VectorSelector, documentedType, exprType, walkExpr } from './ast';
import { QueryContext, type QueryOptions, DEFAULTS } from './context';
import { PromQLError, badData } from './errors';
import { type Env, Evaluator, type SelectRequest, makeEnv, planSelects } from './evaluator';
import { FUNCTIONS } from './function-defs';
import { Labels } from './labels';
import { type Matcher, compileMatcher, matchesAll } from './matchers';
import { parsePromQL } from './parser';
import type { RawSeries } from './series';
import { formatTimestamp, formatValue } from './values';

export type { QueryOptions } from './context';

/** One series as a source returns it: `t` in ms ascending, `v` the values; `__name__` among the labels. */
export interface Series {
  labels: Record<string, string>;
  t: Float64Array | number[];
  v: Float64Array | number[];
}

/**
 * Where the data comes from. `select` returns the series matching all matchers (Prometheus's
 * semantics: see `matchesAll`) with their samples in [startMs, endMs]; the engine re-checks the
 * matchers and ignores samples outside the windows it evaluates, so a superset is harmless.
 */
export interface SeriesSource {
  select(matchers: Matcher[], startMs: number, endMs: number): Promise<Series[]>;
}

export type SamplePair = [number, string];
export interface MatrixResult {
  resultType: 'matrix';
  result: { metric: Record<string, string>; values: SamplePair[] }[];
}
export interface VectorResult {
  resultType: 'vector';
  result: { metric: Record<string, string>; value: SamplePair }[];
}
export interface ScalarResult {
  resultType: 'scalar';
  result: SamplePair;
}
export interface StringResult {
  resultType: 'string';
  result: [number, string];
}
export type InstantQueryResult = VectorResult | ScalarResult | MatrixResult | StringResult;

function functionReturnType(name: string) {
  const fn = FUNCTIONS.get(name);
  if (!fn) throw badData(`unknown function with name ${JSON.stringify(name)}`);
  return fn.returnType;
}

function checkTime(name: string, ms: number): void {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) throw badData(`invalid parameter ${JSON.stringify(name)}: cannot parse ${String(ms)} to a valid timestamp`);
}

/** Evaluates `q` over [startMs, endMs] every `stepMs` (Prometheus's range query). */
export async function queryRange(q: string, startMs: number, endMs: number, stepMs: number, source: SeriesSource, opts: QueryOptions = {}): Promise<MatrixResult> {
  checkTime('start', startMs);
  checkTime('end', endMs);
  if (endMs < startMs) throw badData('invalid parameter "end": end timestamp must not be before start time');
  if (typeof stepMs !== 'number' || !Number.isFinite(stepMs) || stepMs <= 0) {
    throw badData('invalid parameter "step": zero or negative query resolution step widths are not accepted. Try a positive integer');
  }
  const maxPoints = opts.maxPoints && opts.maxPoints > 0 ? opts.maxPoints : DEFAULTS.maxPoints;
  if (Math.floor((endMs - startMs) / stepMs) > maxPoints) {
    throw badData(`exceeded maximum resolution of ${maxPoints.toLocaleString('en-US')} points per timeseries. Try decreasing the query resolution (?step=XX)`);
  }
  const expr = parsePromQL(q);
  const type = exprType(expr, functionReturnType);
  if (type !== 'scalar' && type !== 'vector') {
    throw badData(`invalid parameter "query": invalid expression type ${JSON.stringify(documentedType(type))} for range query, must be Scalar or instant Vector`);
  }
  const ctx = new QueryContext(startMs, endMs, opts);
  const env = makeEnv(startMs, endMs, stepMs);
  await fetchAll(expr, env, ctx, source);
  const value = new Evaluator(ctx, env).eval(expr);
  const stepTime = (i: number) => formatTimestamp(startMs + i * stepMs);

  if (value.type === 'scalar') {
    const values: SamplePair[] = [];
    for (let i = 0; i < env.numSteps; i++) values.push([stepTime(i), formatValue(value.values[i])]);
    return { resultType: 'matrix', result: [{ metric: {}, values }] };
  }
  if (value.type !== 'vector') throw badData(`invalid expression type for range query`);
  const series = [...value.series].sort((a, b) => a.labels.compare(b.labels));
  return {
    resultType: 'matrix',
    result: series.map((s) => {
      const values: SamplePair[] = [];
      for (let j = 0; j < s.present.length; j++) if (s.present[j]) values.push([stepTime(s.start + j), formatValue(s.values[j])]);
      return { metric: s.labels.toRecord(), values };
    }),
  };
}

/** Evaluates `q` at `timeMs` (Prometheus's instant query). */
export async function queryInstant(q: string, timeMs: number, source: SeriesSource, opts: QueryOptions = {}): Promise<InstantQueryResult> {
  checkTime('time', timeMs);
  const expr = parsePromQL(q);
  const ctx = new QueryContext(timeMs, timeMs, opts);
  const env: Env = { startMs: timeMs, stepMs: 1, numSteps: 1 };
  await fetchAll(expr, env, ctx, source);
  const value = new Evaluator(ctx, env).eval(expr);
  const ts = formatTimestamp(timeMs);
  switch (value.type) {
    case 'scalar':
      return { resultType: 'scalar', result: [ts, formatValue(value.values[0])] };
    case 'string':
      return { resultType: 'string', result: [ts, value.value] };
    case 'vector':
      return {
        resultType: 'vector',
        result: value.series.filter((s) => s.start === 0 && s.present[0]).map((s) => ({ metric: s.labels.toRecord(), value: [ts, formatValue(s.values[0])] as SamplePair })),
      };
    case 'matrix':
      return {
        resultType: 'matrix',
        result: [...value.series]
          .sort((a, b) => a.labels.compare(b.labels))
          .map((s) => {
            const values: SamplePair[] = [];
            for (let i = 0; i < s.t.length; i++) values.push([formatTimestamp(s.t[i]), formatValue(s.v[i])]);
            return { metric: s.labels.toRecord(), values };
          }),
      };
  }
}

/** Fetches every selector's data: one `select` per distinct (matchers, time range), in parallel. */
async function fetchAll(expr: Expr, env: Env, ctx: QueryContext, source: SeriesSource): Promise<void> {
  const requests = planSelects(expr, env, ctx);
  const byKey = new Map<string, { req: SelectRequest; nodes: VectorSelector[] }>();
  for (const r of requests) {
    const key = `${JSON.stringify(r.node.matchers)}|${r.minT}|${r.maxT}`;
    const entry = byKey.get(key);
    if (entry) entry.nodes.push(r.node);
    else byKey.set(key, { req: r, nodes: [r.node] });
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new PromQLError('timeout', 'query timed out in query execution')), Math.max(0, ctx.deadline - Date.now()));
  });
  try {
    await Promise.race([
      Promise.all(
        [...byKey.values()].map(async ({ req, nodes }) => {
          const series = await selectSeries(source, req);
          for (const n of nodes) ctx.data.set(n, series);
        }),
      ),
      timeout,
    ]);
  } finally {
    if (timer) clearTimeout(timer);
  }
}

async function selectSeries(source: SeriesSource, req: SelectRequest): Promise<RawSeries[]> {
  const matchers = req.node.matchers.map((m) => compileMatcher(m));
  let fetched: Series[];
  try {
    fetched = await source.select(
      req.node.matchers.map((m) => ({ ...m })),
      req.minT,
      req.maxT,
    );
  } catch (e) {
    if (e instanceof PromQLError) throw e;
    const err = new PromQLError('execution', `expanding series: ${(e as Error)?.message ?? String(e)}`);
    (err as Error & { cause?: unknown }).cause = e;
    throw err;
  }
  const byKey = new Map<string, RawSeries>();
  for (const s of fetched) {
    if (s.t.length !== s.v.length) throw new PromQLError('execution', 'expanding series: a series has a different number of timestamps and values');
    const labels = Labels.fromRecord(s.labels);
    if (!matchesAll(labels, matchers)) continue;
    // Typed arrays keep every sample loop monomorphic; plain arrays are copied once.
    let series: RawSeries = { labels, t: s.t instanceof Float64Array ? s.t : Float64Array.from(s.t), v: s.v instanceof Float64Array ? s.v : Float64Array.from(s.v) };
    const key = labels.key();
    const seen = byKey.get(key);
    // A source may return one series in pieces (or unsorted): merge and sort like Prometheus's storage.
    if (seen) series = sortSamples({ labels, t: concat(seen.t, series.t), v: concat(seen.v, series.v) });
    else if (!isAscending(series.t)) series = sortSamples(series);
    byKey.set(key, series);
  }
  const out = [...byKey.values()];
  // Storage returns series sorted by labels; results that keep the input order depend on it.
  out.sort((a, b) => a.labels.compare(b.labels));
  return out;
}

function isAscending(t: Float64Array): boolean {
  for (let i = 1; i < t.length; i++) if (!(t[i] > t[i - 1])) return false;
  return true;
}

function concat(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** Sorts samples by time; of several samples with one timestamp the last one returned wins. */
function sortSamples(s: RawSeries): RawSeries {
  const order = Array.from(s.t, (_, i) => i).sort((x, y) => s.t[x] - s.t[y] || x - y);
  const t: number[] = [];
  const v: number[] = [];
  for (const i of order) {
    if (t.length > 0 && t[t.length - 1] === s.t[i]) {
      v[v.length - 1] = s.v[i];
      continue;
    }
    t.push(s.t[i]);
    v.push(s.v[i]);
  }
  return { labels: s.labels, t: Float64Array.from(t), v: Float64Array.from(v) };
}

/** The matchers of every vector selector in the query (for `/series` and the label APIs' `match[]`). */
export function selectorsOf(expr: Expr | string): Matcher[][] {
  const e = typeof expr === 'string' ? parsePromQL(expr) : expr;
  const out: Matcher[][] = [];
  walkExpr(e, (n) => {
    if (n.kind === 'VectorSelector') out.push(n.matchers.map((m) => ({ ...m })));
  });
  return out;
}

/** The matchers of a series selector such as `up{job="x"}` or `{__name__=~"a.*"}` (a `match[]` value). */
export function parseMatchers(selector: string): Matcher[] {
  const e = parsePromQL(selector);
  if (e.kind !== 'VectorSelector' || e.offsetMs !== 0 || e.at) {
    throw badData(`invalid parameter "match[]": ${JSON.stringify(selector)} is not a series selector`);
  }
  return e.matchers.map((m) => ({ ...m }));
}
