/** Helpers shared by the specs (no I/O): run a query against an in-memory source, read results. */
import { InMemorySeriesSource } from './memory-source';
import { type InstantQueryResult, queryInstant } from './query';

export const SEC = 1000;
export const MIN = 60 * SEC;

/** `{a="b"}`-style key of a metric, for comparing results without depending on order. */
export function metricKey(metric: Record<string, string>): string {
  return `{${Object.keys(metric)
    .sort()
    .map((k) => `${k}="${metric[k]}"`)
    .join(',')}}`;
}

/** A value string of the HTTP API as a number ("+Inf", "-Inf", "NaN" included). */
export function parseValue(v: string): number {
  return v === '+Inf' ? Infinity : v === '-Inf' ? -Infinity : Number(v);
}

/** The instant-vector result of `q` at `t` as `metricKey → value`. */
export async function instantVector(q: string, t: number, source: InMemorySeriesSource): Promise<Record<string, number>> {
  const res: InstantQueryResult = await queryInstant(q, t, source);
  if (res.resultType !== 'vector') throw new Error(`expected a vector, got ${res.resultType}`);
  const out: Record<string, number> = {};
  for (const s of res.result) out[metricKey(s.metric)] = parseValue(s.value[1]);
  return out;
}

/** The only value of an instant-vector result (fails unless there is exactly one series). */
export async function instantValue(q: string, t: number, source: InMemorySeriesSource): Promise<number> {
  const v = await instantVector(q, t, source);
  const values = Object.values(v);
  if (values.length !== 1) throw new Error(`expected one series, got ${JSON.stringify(v)}`);
  return values[0];
}

/** A source with `samples` at `[seconds, value]` for each labelled series. */
export function sourceOf(series: [Record<string, string>, [number, number][]][]): InMemorySeriesSource {
  const src = new InMemorySeriesSource();
  for (const [labels, samples] of series) src.add(labels, samples.map(([s, v]) => [s * SEC, v]));
  return src;
}
