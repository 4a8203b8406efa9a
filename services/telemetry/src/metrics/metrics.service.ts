import { Inject, Injectable } from '@nestjs/common';
import { gzipSync } from 'node:zlib';
import { MAX_METRIC_BUCKETS, MetricQueryDto, MetricQueryView, PromApiReplyView, PromApiRequestDto, RequestMeta } from '@opsplane/contracts';
import { asTenantId, TenantTx } from '@opsplane/db';
import { AppError } from '@opsplane/errors';
import { Matcher, parseMatchers, PromQLError, queryInstant, queryRange } from '@opsplane/promql';
import { RUNTIME, ServiceRuntime } from '@opsplane/runtime';
import { InjectStore } from '../storage/storage.module';
import { TelemetryStore } from '../storage/telemetry-store';
import { all, one, parsePromDuration, parsePromTime } from './prom-params';
import { badData, PROM_STATUS_OF } from './prom-errors';

/** Answers larger than this are sent gzip-compressed (the reply crosses NATS, whose messages are limited to 1 MiB). */
const GZIP_ABOVE_BYTES = 128 * 1024;
const MAX_REPLY_BYTES = 900 * 1024;
/** Series and label lookups without start/end cover this far back (the longest retention a plan may have). */
const ALL_TIME_MS = 3660 * 86_400_000;
const QUERY_TIMEOUT_MS = 60_000;

const quote = (v: string) => JSON.stringify(v);

/** Metrics: the first document's bucketed query and the Prometheus HTTP API, over the metric store. */
@Injectable()
export class MetricsService {
  constructor(
    @Inject(RUNTIME) private readonly rt: ServiceRuntime,
    @InjectStore() private readonly store: TelemetryStore,
  ) {}

  /** GET /api/metrics/query: one metric in aligned buckets per series, computed by the PromQL engine. */
  async query(meta: RequestMeta, q: MetricQueryDto): Promise<MetricQueryView> {
    const endMs = q.end ? Date.parse(q.end) : Date.now();
    const stepMs = q.step ? durationOf(q.step) : 60_000;
    if (stepMs < 1000) throw AppError.validation([{ field: 'step', message: 'step must be at least 1s' }]);
    const startMs = q.start ? Date.parse(q.start) : endMs - 3_600_000;
    if (startMs > endMs) throw AppError.validation([{ field: 'start', message: 'start must not be after end' }]);
    const first = Math.floor(startMs / stepMs) * stepMs;
    const last = Math.floor(endMs / stepMs) * stepMs;
    if ((last - first) / stepMs + 1 > MAX_METRIC_BUCKETS) throw AppError.validation([{ field: 'step', message: `at most ${MAX_METRIC_BUCKETS} buckets per series: raise step or narrow start..end` }]);
    const agg = q.agg ?? 'avg';
    const promql = metricPromQL(q.metric_name, labelPairs(q.labels), agg, stepMs);
    // Bucket t covers [t, t + step): the range functions are evaluated at its end (their windows are left-open).
    const result = await this.rt.tenantDb
      .read(asTenantId(meta.tenant_id), (tx) => queryRange(promql, first + stepMs, last + stepMs, stepMs, this.store.metrics.source(tx), { timeoutMs: QUERY_TIMEOUT_MS }))
      .catch((e: unknown) => {
        if (e instanceof PromQLError) throw AppError.validation([{ field: 'metric_name', message: e.message }]);
        throw e;
      });
    const series = result.result
      .map((s) => {
        const { __name__: _name, ...labels } = s.metric;
        return { labels, points: s.values.map(([t, v]) => ({ t: new Date(t * 1000 - stepMs).toISOString(), v: Number(v) })) };
      })
      .map((s) => ({ key: JSON.stringify(s.labels), s }))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      .map((x) => x.s);
    return {
      metric_name: q.metric_name,
      agg,
      start: new Date(first).toISOString(),
      end: new Date(last + stepMs).toISOString(),
      step_seconds: stepMs / 1000,
      promql,
      series: series.slice(0, q.limit),
      truncated: series.length > q.limit,
    };
  }

  /** One Prometheus HTTP API call, answered as Prometheus would (errors included, with their HTTP status). */
  async promApi(meta: RequestMeta, r: PromApiRequestDto): Promise<PromApiReplyView> {
    try {
      const data = await this.rt.tenantDb.read(asTenantId(meta.tenant_id), (tx) => this.promCall(tx, r));
      return reply(200, { status: 'success', data });
    } catch (e) {
      if (e instanceof PromQLError) return reply(PROM_STATUS_OF[e.type] ?? 422, { status: 'error', errorType: e.type, error: e.message });
      throw e;
    }
  }

  private async promCall(tx: TenantTx, r: PromApiRequestDto): Promise<unknown> {
    const p = r.params;
    const now = Date.now();
    const metrics = this.store.metrics;
    const selectors = (required: boolean): Matcher[][] => {
      const list = all(p, 'match[]');
      if (required && !list.length) throw badData('no match[] parameter provided');
      return list.map((s) => parseMatchers(s));
    };
    const query = () => {
      const q = one(p, 'query');
      if (q === undefined || q === '') throw badData('invalid parameter "query": the query is empty');
      return q;
    };
    const timeout = () => {
      const t = one(p, 'timeout');
      return t ? Math.min(parsePromDuration('timeout', t), QUERY_TIMEOUT_MS) : QUERY_TIMEOUT_MS;
    };
    switch (r.endpoint) {
      case 'query':
        return queryInstant(query(), parsePromTime('time', one(p, 'time'), now), metrics.source(tx), { timeoutMs: timeout() });
      case 'query_range': {
        const q = query();
        const start = parsePromTime('start', one(p, 'start'), NaN);
        const end = parsePromTime('end', one(p, 'end'), NaN);
        if (Number.isNaN(start)) throw badData('invalid parameter "start": missing');
        if (Number.isNaN(end)) throw badData('invalid parameter "end": missing');
        const step = parsePromDuration('step', one(p, 'step'));
        return queryRange(q, start, end, step, metrics.source(tx), { timeoutMs: timeout() });
      }
      case 'series': {
        const start = parsePromTime('start', one(p, 'start'), now - ALL_TIME_MS);
        const end = parsePromTime('end', one(p, 'end'), now);
        const seen = new Map<string, Record<string, string>>();
        for (const m of selectors(true)) for (const s of await metrics.findSeries(tx, m, start, end)) seen.set(s.id, s.labels);
        return [...seen.values()];
      }
      case 'labels':
        return metrics.labelNames(tx, selectors(false), parsePromTime('start', one(p, 'start'), now - ALL_TIME_MS), parsePromTime('end', one(p, 'end'), now));
      case 'label_values': {
        const name = r.label ?? '';
        if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name)) throw badData(`invalid label name: ${quote(name)}`);
        return metrics.labelValues(tx, name, selectors(false), parsePromTime('start', one(p, 'start'), now - ALL_TIME_MS), parsePromTime('end', one(p, 'end'), now));
      }
    }
  }
}

/** The reply: JSON as is when small, gzip'd above GZIP_ABOVE_BYTES; a result too large even so is refused. */
function reply(status: number, body: unknown): PromApiReplyView {
  const json = JSON.stringify(body);
  if (json.length <= GZIP_ABOVE_BYTES) return { status_code: status, json_text: json };
  const gz = gzipSync(json, { level: 1 }).toString('base64');
  if (gz.length > MAX_REPLY_BYTES) {
    return {
      status_code: 422,
      json_text: JSON.stringify({ status: 'error', errorType: 'execution', error: `the result is too large to send (${Math.round(json.length / 1024 / 1024)} MiB of JSON): select fewer series or raise the step` }),
    };
  }
  return { status_code: status, gzip_base64: gz };
}

/** The metric query's step (the DTO checked its form; a value beyond any time range is a 422, not a PromQL error). */
function durationOf(step: string): number {
  try {
    return parsePromDuration('step', step);
  } catch {
    throw AppError.validation([{ field: 'step', message: 'step is larger than any time range' }]);
  }
}

function labelPairs(labels: string | undefined): [string, string][] {
  if (!labels) return [];
  return labels.split(',').map((pair) => {
    const i = pair.indexOf('=');
    return [pair.slice(0, i), pair.slice(i + 1)];
  });
}

/** The PromQL of a bucketed metric query (a bucket of `stepMs` ends at each evaluation time). */
export function metricPromQL(name: string, labels: [string, string][], agg: string, stepMs: number): string {
  const selector = (metric: string) => `${metric}{${labels.map(([k, v]) => `${k}=${quote(v)}`).join(',')}}`;
  const step = `${Math.round(stepMs / 1000)}s`;
  // A counter's rate needs two samples in its window: at least two minutes (a 60 s scrape), the bucket if wider.
  const rateWindow = `${Math.max(Math.round(stepMs / 1000), 120)}s`;
  switch (agg) {
    case 'avg':
    case 'sum':
    case 'min':
    case 'max':
    case 'count':
    case 'last':
      return `${agg}_over_time(${selector(name)}[${step}])`;
    case 'rate':
      return `rate(${selector(name)}[${rateWindow}])`;
    case 'increase':
      return `rate(${selector(name)}[${rateWindow}]) * ${Math.round(stepMs / 1000)}`;
    default: {
      const base = name.endsWith('_bucket') ? name : `${name}_bucket`;
      return `histogram_quantile(${Number(agg.slice(1)) / 100}, rate(${selector(base)}[${rateWindow}]))`;
    }
  }
}
