import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { LOG_LEVELS, LogLevel, LogPageView, LogQueryDto, LogRecordView, SPAN_KINDS, SPAN_STATUSES, SpanView, TracePageView, TraceQueryDto, TraceSummaryView, TraceView } from '@opsplane/contracts';
import { TenantTx } from '@opsplane/db';
import type { LogRow, SpanRow } from '@opsplane/otlp';
import { PgMetricStore } from '../metrics/pg-metric-store';
import { TelemetryStore } from './telemetry-store';
import { decodeCursor, encodeCursor } from './cursor';
import { copyHex, copyInto, copyText, jsonText } from './copy-rows';

/** A timestamptz column as RFC 3339 with microseconds, in UTC. */
const iso = (col: string) => `to_char((${col}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
const epochUs = (col: string) => `(extract(epoch from (${col})) * 1000000)::bigint`;
const TENANT = `current_setting('app.tenant_id')::uuid`;

/** The second last formatted by isoOfMicros, and its text up to the seconds (a batch's records share seconds). */
let isoSecond = NaN;
let isoPrefix = '';

/** RFC 3339 with microseconds of a time in microseconds since the epoch. */
export function isoOfMicros(us: number): string {
  const second = Math.floor(us / 1_000_000);
  if (second !== isoSecond) {
    isoPrefix = new Date(second * 1000).toISOString().slice(0, 19);
    isoSecond = second;
  }
  return `${isoPrefix}.${String(Math.floor(us - second * 1_000_000)).padStart(6, '0')}Z`;
}

/** A resource's fingerprint: 64 bits of the SHA-1 of its attributes with sorted keys. */
export function resourceFingerprint(attributes: Record<string, unknown>): string {
  const canonical = JSON.stringify(Object.keys(attributes).sort().map((k) => [k, attributes[k]]));
  return createHash('sha1').update(canonical).digest().readBigInt64BE(0).toString();
}

const levelCode = (l: string) => Math.max(0, (LOG_LEVELS as readonly string[]).indexOf(l));

/** The columns a log record is copied with (tenant and retention are added by the INSERT that moves them). */
const LOG_COLUMNS = [
  { name: 'time', type: 'timestamptz' },
  { name: 'observed_time', type: 'timestamptz' },
  { name: 'service', type: 'text' },
  { name: 'level', type: 'smallint' },
  { name: 'severity_number', type: 'smallint' },
  { name: 'severity_text', type: 'text' },
  { name: 'body', type: 'text' },
  { name: 'trace_id', type: 'bytea' },
  { name: 'span_id', type: 'bytea' },
  { name: 'scope', type: 'text' },
  { name: 'attributes', type: 'jsonb' },
  { name: 'resource_fp', type: 'bigint' },
];

/** PostgreSQL storage: see the migration for the layout (retention classes of day partitions, resources apart). */
export class PgTelemetryStore implements TelemetryStore {
  /** Resources known to be stored (tenant/fingerprint), so a batch inserts only new ones; bounded. */
  private readonly knownResources = new Set<string>();
  /** Partitions known to exist (retention/day). */
  private readonly prepared = new Set<string>();

  readonly metrics = new PgMetricStore();

  constructor(private readonly dataSource: DataSource) {}

  async prepare(tx: TenantTx, retentionDays: number, fromDay: Date, days: number): Promise<void> {
    const day0 = new Date(Date.UTC(fromDay.getUTCFullYear(), fromDay.getUTCMonth(), fromDay.getUTCDate()));
    const keys = Array.from({ length: days }, (_, i) => `${retentionDays}/${new Date(day0.getTime() + i * 86_400_000).toISOString().slice(0, 10)}`);
    if (keys.every((k) => this.prepared.has(k))) return;
    await tx.query(`SELECT ensure_partitions($1::smallint, $2::date, $3::integer)`, [retentionDays, day0.toISOString().slice(0, 10), days]);
    for (const k of keys) this.prepared.add(k);
  }

  async expire(today: Date): Promise<number> {
    const [{ n }] = (await this.dataSource.query(`SELECT drop_expired_partitions($1::date) AS n`, [today.toISOString().slice(0, 10)])) as { n: number }[];
    if (n > 0) this.prepared.clear();
    return n;
  }

  private async writeResources(tx: TenantTx, rows: { service: string; resource: Record<string, unknown> }[]): Promise<string[]> {
    const fps: string[] = [];
    const fresh = new Map<string, { service: string; attributes: Record<string, unknown> }>();
    const byObject = new Map<Record<string, unknown>, string>();
    for (const r of rows) {
      let fp = byObject.get(r.resource);
      if (fp === undefined) {
        fp = resourceFingerprint(r.resource);
        byObject.set(r.resource, fp);
        if (!this.knownResources.has(`${tx.tenant}/${fp}`)) fresh.set(fp, { service: r.service, attributes: r.resource });
      }
      fps.push(fp);
    }
    if (fresh.size) {
      const list = [...fresh];
      await tx.query(
        `INSERT INTO resources (tenant_id, fp, service, attributes)
         SELECT ${TENANT}, u.fp, u.service, u.attributes FROM unnest($1::bigint[], $2::text[], $3::jsonb[]) AS u(fp, service, attributes)
         ON CONFLICT (tenant_id, fp) DO NOTHING`,
        [list.map(([fp]) => fp), list.map(([, r]) => r.service), list.map(([, r]) => JSON.stringify(r.attributes))],
      );
      if (this.knownResources.size > 100_000) this.knownResources.clear();
      for (const [fp] of list) this.knownResources.add(`${tx.tenant}/${fp}`);
    }
    return fps;
  }

  async writeLogs(tx: TenantTx, retentionDays: number, rows: LogRow[]): Promise<void> {
    if (!rows.length) return;
    const fps = await this.writeResources(tx, rows);
    const t = copyText;
    function* lines() {
      for (let i = 0; i < rows.length; i++) {
        const r = rows[i];
        yield `${isoOfMicros(r.time_us)}\t${isoOfMicros(r.observed_time_us)}\t${t(r.service)}\t${levelCode(r.level)}\t${r.severity_number}\t${t(r.severity_text)}\t${t(r.body)}\t${copyHex(r.trace_id)}\t${copyHex(r.span_id)}\t${t(r.scope)}\t${t(jsonText(r.attributes))}\t${fps[i]}\n`;
      }
    }
    await copyInto(tx, 'log_records', LOG_COLUMNS, lines(), [
      { column: 'tenant_id', value: TENANT },
      { column: 'retention_days', value: String(Math.trunc(retentionDays)) },
    ]);
  }

  async writeSpans(tx: TenantTx, retentionDays: number, rows: SpanRow[]): Promise<void> {
    if (!rows.length) return;
    const fps = await this.writeResources(tx, rows);
    await tx.query(
      `INSERT INTO spans (tenant_id, retention_days, start_time, trace_id, span_id, parent_span_id, service, name, kind, duration_us, status, status_message, scope, attributes, events, links, resource_fp)
       SELECT ${TENANT}, $1, u.start, decode(u.trace_id, 'hex'), decode(u.span_id, 'hex'), decode(u.parent, 'hex'), u.service, u.name, u.kind, u.duration, u.status, u.message, u.scope, u.attributes, u.events, u.links, u.fp
         FROM unnest($2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int2[], $9::bigint[], $10::int2[], $11::text[], $12::text[], $13::jsonb[], $14::jsonb[], $15::jsonb[], $16::bigint[])
           AS u(start, trace_id, span_id, parent, service, name, kind, duration, status, message, scope, attributes, events, links, fp)`,
      [
        retentionDays,
        rows.map((r) => isoOfMicros(r.start_us)),
        rows.map((r) => r.trace_id),
        rows.map((r) => r.span_id),
        rows.map((r) => r.parent_span_id),
        rows.map((r) => r.service),
        rows.map((r) => r.name),
        rows.map((r) => Math.max(0, (SPAN_KINDS as readonly string[]).indexOf(r.kind))),
        rows.map((r) => Math.max(0, Math.round(r.duration_us))),
        rows.map((r) => Math.max(0, (SPAN_STATUSES as readonly string[]).indexOf(r.status_code))),
        rows.map((r) => r.status_message),
        rows.map((r) => r.scope),
        rows.map((r) => JSON.stringify(r.attributes)),
        rows.map((r) => JSON.stringify(r.events.map((e) => ({ time: isoOfMicros(e.time_us), name: e.name, attributes: e.attributes })))),
        rows.map((r) => JSON.stringify(r.links)),
        fps,
      ],
    );
  }

  /** Conditions on resource attributes: the fingerprints of the tenant's resources that match them all. */
  private resourceCondition(params: unknown[], resource: Record<string, string> | undefined, column = 'resource_fp'): string[] {
    if (!resource || !Object.keys(resource).length) return [];
    const conds = Object.entries(resource).map(([k, v]) => `r.attributes ->> $${params.push(k)} = $${params.push(v)}`);
    return [`${column} IN (SELECT r.fp FROM resources r WHERE r.tenant_id = ${TENANT} AND ${conds.join(' AND ')})`];
  }

  private async resourcesOf(tx: TenantTx, fps: string[]): Promise<Map<string, Record<string, unknown>>> {
    const unique = [...new Set(fps)];
    if (!unique.length) return new Map();
    const rows = (await tx.query(`SELECT fp::text AS fp, attributes FROM resources WHERE tenant_id = ${TENANT} AND fp = ANY($1::bigint[])`, [unique])) as {
      fp: string;
      attributes: Record<string, unknown>;
    }[];
    return new Map(rows.map((r) => [r.fp, r.attributes]));
  }

  async queryLogs(tx: TenantTx, q: LogQueryDto, window: { fromUs: number; toUs: number }): Promise<LogPageView> {
    const params: unknown[] = [isoOfMicros(window.fromUs), isoOfMicros(window.toUs)];
    const where = [`tenant_id = ${TENANT}`, `time >= $1`, `time < $2`];
    const cursor = q.cursor ? decodeCursor(q.cursor, 'logs') : undefined;
    if (cursor) where.push(`(time, seq) < ($${params.push(isoOfMicros(Number(cursor[0])))}::timestamptz, $${params.push(cursor[1])}::bigint)`);
    if (q.service?.length) where.push(`service = ANY($${params.push(q.service)}::text[])`);
    if (q.level?.length) where.push(`level = ANY($${params.push(q.level.map(levelCode))}::int2[])`);
    if (q.q) where.push(`to_tsvector('simple', body) @@ websearch_to_tsquery('simple', $${params.push(q.q)})`);
    if (q.trace_id) where.push(`trace_id = decode($${params.push(q.trace_id.toLowerCase())}, 'hex')`);
    if (q.span_id) where.push(`span_id = decode($${params.push(q.span_id.toLowerCase())}, 'hex')`);
    for (const [k, v] of Object.entries(q.attr ?? {})) where.push(`attributes ->> $${params.push(k)} = $${params.push(v)}`);
    where.push(...this.resourceCondition(params, q.resource));
    const rows = (await tx.query(
      `SELECT ${iso('time')} AS time, ${epochUs('time')}::text AS time_us, seq::text AS seq, ${iso('observed_time')} AS observed_time, service, level, severity_number,
              severity_text, body, encode(trace_id, 'hex') AS trace_id, encode(span_id, 'hex') AS span_id, scope, attributes, resource_fp::text AS fp
         FROM log_records WHERE ${where.join(' AND ')}
        ORDER BY time DESC, seq DESC LIMIT $${params.push(q.limit + 1)}`,
      params,
    )) as (Omit<LogRecordView, 'level' | 'resource'> & { level: number; time_us: string; seq: string; fp: string })[];
    const page = rows.slice(0, q.limit);
    const resources = await this.resourcesOf(
      tx,
      page.map((r) => r.fp),
    );
    const last = page[page.length - 1];
    return {
      items: page.map((r) => ({
        time: r.time,
        observed_time: r.observed_time,
        service: r.service,
        level: (LOG_LEVELS[r.level] ?? 'unspecified') as LogLevel,
        severity_number: r.severity_number,
        severity_text: r.severity_text,
        body: r.body,
        trace_id: r.trace_id,
        span_id: r.span_id,
        scope: r.scope,
        attributes: r.attributes,
        resource: resources.get(r.fp) ?? {},
      })),
      limit: q.limit,
      next_cursor: rows.length > q.limit ? encodeCursor('logs', [last.time_us, last.seq]) : null,
    };
  }

  async queryTraces(tx: TenantTx, q: TraceQueryDto, window: { fromUs: number; toUs: number }): Promise<TracePageView> {
    const params: unknown[] = [isoOfMicros(window.fromUs), isoOfMicros(window.toUs)];
    const where = [`r.tenant_id = ${TENANT}`, `r.parent_span_id IS NULL`, `r.start_time >= $1`, `r.start_time < $2`];
    const cursor = q.cursor ? decodeCursor(q.cursor, 'traces') : undefined;
    if (cursor) where.push(`(r.start_time, r.trace_id) < ($${params.push(isoOfMicros(Number(cursor[0])))}::timestamptz, decode($${params.push(cursor[1])}, 'hex'))`);
    if (q.min_duration !== undefined) where.push(`r.duration_us >= $${params.push(Math.round(q.min_duration * 1000))}`);
    if (q.max_duration !== undefined) where.push(`r.duration_us <= $${params.push(Math.round(q.max_duration * 1000))}`);
    if (q.service || q.operation) {
      const conds = [`s.tenant_id = ${TENANT}`, `s.trace_id = r.trace_id`];
      if (q.service) conds.push(`s.service = $${params.push(q.service)}`);
      if (q.operation) conds.push(`s.name = $${params.push(q.operation)}`);
      where.push(`EXISTS (SELECT 1 FROM spans s WHERE ${conds.join(' AND ')})`);
    }
    if (q.status) where.push(`${q.status === 'ok' ? 'NOT ' : ''}EXISTS (SELECT 1 FROM spans s WHERE s.tenant_id = ${TENANT} AND s.trace_id = r.trace_id AND s.status = 2)`);
    where.push(...this.resourceCondition(params, q.resource, 'r.resource_fp'));
    const roots = (await tx.query(
      `SELECT encode(r.trace_id, 'hex') AS trace_id, ${epochUs('r.start_time')}::text AS start_us, r.service, r.name
         FROM spans r WHERE ${where.join(' AND ')}
        ORDER BY r.start_time DESC, r.trace_id DESC LIMIT $${params.push(q.limit + 1)}`,
      params,
    )) as { trace_id: string; start_us: string; service: string; name: string }[];
    const page = roots.slice(0, q.limit);
    const stats = new Map(
      (
        (await tx.query(
          `SELECT encode(trace_id, 'hex') AS trace_id, ${iso('min(start_time)')} AS start,
                  (${epochUs('max(start_time + duration_us * interval \'1 microsecond\')')} - ${epochUs('min(start_time)')})::float8 / 1000 AS duration_ms,
                  count(*)::int AS span_count, (count(*) FILTER (WHERE status = 2))::int AS error_count, array_agg(DISTINCT service ORDER BY service) AS services
             FROM spans WHERE tenant_id = ${TENANT} AND trace_id = ANY(SELECT decode(x, 'hex') FROM unnest($1::text[]) AS x)
            GROUP BY trace_id`,
          [page.map((r) => r.trace_id)],
        )) as { trace_id: string; start: string; duration_ms: number; span_count: number; error_count: number; services: string[] }[]
      ).map((s) => [s.trace_id, s]),
    );
    const last = page[page.length - 1];
    return {
      items: page.map((r): TraceSummaryView => {
        const s = stats.get(r.trace_id)!;
        return {
          trace_id: r.trace_id,
          root_service: r.service,
          root_operation: r.name,
          start: s.start,
          duration_ms: s.duration_ms,
          span_count: s.span_count,
          error_count: s.error_count,
          error: s.error_count > 0,
          services: s.services,
        };
      }),
      limit: q.limit,
      next_cursor: roots.length > q.limit ? encodeCursor('traces', [last.start_us, last.trace_id]) : null,
    };
  }

  async trace(tx: TenantTx, traceId: string): Promise<TraceView | null> {
    const rows = (await tx.query(
      `SELECT encode(span_id, 'hex') AS span_id, encode(parent_span_id, 'hex') AS parent_span_id, name, kind, service,
              ${iso('start_time')} AS start, ${iso("start_time + duration_us * interval '1 microsecond'")} AS "end",
              ${epochUs('start_time')}::text AS start_us, duration_us::float8 / 1000 AS duration_ms, status, status_message, scope,
              attributes, events, links, resource_fp::text AS fp
         FROM spans WHERE tenant_id = ${TENANT} AND trace_id = decode($1, 'hex')
        ORDER BY start_time, span_id`,
      [traceId.toLowerCase()],
    )) as (Omit<SpanView, 'kind' | 'status' | 'depth' | 'resource'> & { kind: number; status: number; start_us: string; fp: string })[];
    if (!rows.length) return null;
    const resources = await this.resourcesOf(
      tx,
      rows.map((r) => r.fp),
    );
    // Depth-first, a parent before its children, siblings by start; a span whose parent was not received is a root.
    const ids = new Set(rows.map((r) => r.span_id));
    const children = new Map<string | null, typeof rows>();
    for (const r of rows) {
      const parent = r.parent_span_id && ids.has(r.parent_span_id) ? r.parent_span_id : null;
      const siblings = children.get(parent);
      if (siblings) siblings.push(r);
      else children.set(parent, [r]);
    }
    const spans: SpanView[] = [];
    const visit = (parent: string | null, depth: number) => {
      for (const r of children.get(parent) ?? []) {
        spans.push({
          span_id: r.span_id,
          parent_span_id: r.parent_span_id,
          depth,
          name: r.name,
          kind: SPAN_KINDS[r.kind] ?? 'unspecified',
          service: r.service,
          start: r.start,
          end: r.end,
          duration_ms: r.duration_ms,
          status: SPAN_STATUSES[r.status] ?? 'unset',
          status_message: r.status_message,
          scope: r.scope,
          attributes: r.attributes,
          resource: resources.get(r.fp) ?? {},
          events: r.events,
          links: r.links,
        });
        if (depth < 1000) visit(r.span_id, depth + 1);
      }
    };
    visit(null, 0);
    // A loop, not Math.min(...rows): a trace of many spans would overflow the call stack.
    let startUs = Infinity;
    let endUs = -Infinity;
    for (const r of rows) {
      startUs = Math.min(startUs, Number(r.start_us));
      endUs = Math.max(endUs, Number(r.start_us) + r.duration_ms * 1000);
    }
    return {
      trace_id: traceId.toLowerCase(),
      start: isoOfMicros(startUs),
      duration_ms: (endUs - startUs) / 1000,
      span_count: rows.length,
      services: [...new Set(rows.map((r) => r.service))].sort(),
      spans,
    };
  }
}
