import { createHash } from 'node:crypto';
import { queryPrepared, TenantTx } from '@opsplane/db';
import type { PromSeriesSamples } from '@opsplane/otlp';
import { Matcher, PromQLError, Series, SeriesSource, seriesMatches, STALE_NAN } from '@opsplane/promql';
import { copyInto, copyText, jsonText } from '../storage/copy-rows';
import type { MetricStore } from '../storage/telemetry-store';
import { decodeChunk, decodeChunks, encodeChunk, mergeSamples, SampleArrays, sliceSamples } from './sample-chunk';

const HOUR_MS = 3_600_000;
const TENANT = `current_setting('app.tenant_id')::uuid`;
/** The most series one selector may read (beyond it the query is refused rather than the service's memory spent). */
export const MAX_SERIES_PER_SELECT = 200_000;

const CHUNK_COLUMNS = [
  { name: 'series_id', type: 'bigint' },
  { name: 'start_time', type: 'timestamptz' },
  { name: 'end_time', type: 'timestamptz' },
  { name: 'n', type: 'integer' },
  { name: 'data', type: 'bytea' },
];

/** A series' identity: 64 bits of the SHA-1 of its labels (names sorted), as PostgreSQL's bigint text. */
export function seriesFingerprint(labels: Record<string, string>): string {
  const canonical = JSON.stringify(
    Object.keys(labels)
      .sort()
      .map((k) => [k, labels[k]]),
  );
  return createHash('sha1').update(canonical).digest().readBigInt64BE(0).toString();
}

/** One series' samples of a write, sorted by time with one sample per timestamp (the last one sent wins). */
function sortedSamples(parts: PromSeriesSamples[]): SampleArrays {
  const n = parts.reduce((a, p) => a + p.samples.length, 0);
  let t = new Float64Array(n);
  let v = new Float64Array(n);
  let i = 0;
  let sorted = true;
  for (const p of parts)
    for (const s of p.samples) {
      t[i] = s.t_ms;
      v[i] = s.stale ? STALE_NAN : s.v;
      if (i > 0 && t[i] <= t[i - 1]) sorted = false;
      i++;
    }
  if (!sorted) {
    const order = Array.from({ length: n }, (_, k) => k).sort((a, b) => t[a] - t[b] || a - b);
    const t2 = new Float64Array(n);
    const v2 = new Float64Array(n);
    let m = 0;
    for (const k of order) {
      if (m > 0 && t2[m - 1] === t[k]) m--;
      t2[m] = t[k];
      v2[m] = v[k];
      m++;
    }
    t = t2.subarray(0, m);
    v = v2.subarray(0, m);
  }
  return { t, v };
}

/** The ISO text of a time in ms (COPY's timestamptz). */
const isoMs = (ms: number) => new Date(ms).toISOString();

/**
 * The selection of metric_series rows by `matchers` written to in [startMs, endMs] (by day): the metric name and
 * label equalities by index (name, GIN on labels), the other matchers as filters on the rows when PostgreSQL can
 * evaluate them as Prometheus does (see sqlMatcher). `complete` says whether every matcher is in the SQL (otherwise
 * the rows are a superset, to be checked with seriesMatches).
 */
function seriesWhere(matchers: Matcher[], startMs: number, endMs: number): { where: string; params: unknown[]; complete: boolean } {
  const params: unknown[] = [isoMs(startMs).slice(0, 10), isoMs(endMs)];
  let where = `tenant_id = ${TENANT} AND last_day >= $1::date AND first_seen <= $2::timestamptz + interval '1 day'`;
  // PostgreSQL's text refuses a NUL character (a PromQL string may hold one, `\x00`): such a matcher is checked here
  // (stored labels hold none: an equality to one matches nothing).
  const inSql = matchers.filter((m) => !m.value.includes('\u0000'));
  const name = inSql.find((m) => m.name === '__name__' && m.type === '=' && m.value !== '');
  const equal = inSql.filter((m) => m.type === '=' && m.value !== '' && m.name !== '__name__');
  if (name) {
    params.push(name.value);
    where += ` AND name = $${params.length}`;
  }
  if (equal.length) {
    params.push(JSON.stringify(Object.fromEntries(equal.map((m) => [m.name, m.value]))));
    where += ` AND labels @> $${params.length}::jsonb`;
  }
  let complete = inSql.length === matchers.length;
  for (const m of inSql) {
    if (m === name || equal.includes(m)) continue;
    const sql = sqlMatcher(m, params);
    if (sql) where += ` AND ${sql}`;
    else complete = false;
  }
  return { where, params, complete };
}

/**
 * A regular expression PostgreSQL's (ARE) and Prometheus' (RE2, fully anchored) engines match alike: literal
 * characters, `.`, `*`, `+`, `?`, `|`, groups, anchors and bracket expressions without escapes, a backslash only
 * before punctuation. Left out: flags and other `(?` groups, `{n,m}` (PostgreSQL counts to 255 only), escapes such as
 * `\b` or `\d` whose meanings differ, and bracket escapes; where PostgreSQL's `.` also matches a newline the row is
 * only a candidate more, checked again by the engine.
 */
export function portableRegex(re: string): boolean {
  if (re.length > 1000 || re.includes('(?') || re.includes('{') || re.includes('}') || re.includes('[:')) return false;
  let inBracket = false;
  for (let i = 0; i < re.length; i++) {
    const c = re[i];
    if (c === '\\') {
      if (inBracket || i + 1 >= re.length || /[A-Za-z0-9]/.test(re[i + 1])) return false;
      i++;
    } else if (c === '[') inBracket = true;
    else if (c === ']') inBracket = false;
  }
  return !inBracket;
}

/** A matcher as a condition on a metric_series row (a missing label is the empty string), or null when not portable. */
function sqlMatcher(m: Matcher, params: unknown[]): string | null {
  const regex = m.type === '=~' || m.type === '!~';
  if (regex && !portableRegex(m.value)) return null;
  let column: string;
  if (m.name === '__name__') column = 'name';
  else {
    params.push(m.name);
    column = `coalesce(labels->>$${params.length}, '')`;
  }
  params.push(regex ? `^(?:${m.value})$` : m.value);
  const op = { '=': '=', '!=': '<>', '=~': '~', '!~': '!~' }[m.type];
  return `${column} ${op} $${params.length}::text`;
}

const tooManySeries = () => new PromQLError('too_many_samples', `the selector matches more than ${MAX_SERIES_PER_SELECT} series: narrow it with more label matchers`);

/**
 * A series' chunks that may reach into a window (a chunk lies within one hour, so one starting up to an hour before
 * the window may): their count of samples and their bytes end to end in time order (bytea, which node-pg reads from
 * hex natively; half the server's work of base64 text).
 */
const CHUNKS_OF_SERIES = `sum(n)::int AS n, string_agg(data, ''::bytea ORDER BY start_time) AS data`;

interface ChunksRow {
  id: string;
  n: number | null;
  data: Buffer | null;
}

/** Adds the series with its samples in [startMs, endMs] to `out` when it has any there. */
function pushSeries(out: Series[], labels: Record<string, string>, r: ChunksRow, startMs: number, endMs: number): void {
  if (!r.data || !r.n) return;
  const { t, v } = sliceSamples(decodeChunks(r.data, r.n), startMs, endMs);
  if (t.length) out.push({ labels, t, v });
}

/**
 * Metric samples in PostgreSQL (layout: migration 1796800000003). Writes add one chunk per series and hour of a
 * batch; reads merge the chunks of the series a selector matches; the compactor turns an hour's chunks of a series
 * into one. Reads and writes run in the tenant's transaction (row-level security).
 */
export class PgMetricStore implements MetricStore {
  /** Series known to be stored with today's `last_day` (tenant/fingerprint → day); bounded. */
  private readonly knownSeries = new Map<string, string>();

  /**
   * Writes series samples of one tenant. Samples outside [minMs, maxMs) are dropped (their partitions do not exist);
   * answers how many were dropped, and the UTC days written (whose partitions the caller prepared).
   */
  async write(tx: TenantTx, retentionDays: number, input: PromSeriesSamples[], minMs: number, maxMs: number): Promise<{ written: number; dropped: number }> {
    const bySeries = new Map<string, { labels: Record<string, string>; parts: PromSeriesSamples[] }>();
    for (const s of input) {
      const fp = seriesFingerprint(s.labels);
      const e = bySeries.get(fp);
      if (e) e.parts.push(s);
      else bySeries.set(fp, { labels: s.labels, parts: [s] });
    }
    const today = new Date().toISOString().slice(0, 10);
    const fresh: [string, Record<string, string>][] = [];
    const lines: string[] = [];
    const hours = new Set<number>();
    let written = 0;
    let dropped = 0;
    for (const [fp, { labels, parts }] of bySeries) {
      const all = sortedSamples(parts);
      const { t, v } = sliceSamples(all, minMs, maxMs - 1);
      dropped += all.t.length - t.length;
      if (!t.length) continue;
      if (this.knownSeries.get(`${tx.tenant}/${fp}`) !== today) fresh.push([fp, labels]);
      // One chunk per hour the samples cover.
      for (let lo = 0; lo < t.length; ) {
        const hour = Math.floor(t[lo] / HOUR_MS) * HOUR_MS;
        let hi = lo + 1;
        while (hi < t.length && t[hi] < hour + HOUR_MS) hi++;
        hours.add(hour);
        const data = encodeChunk(t.subarray(lo, hi), v.subarray(lo, hi));
        lines.push(`${fp}\t${isoMs(t[lo])}\t${isoMs(t[hi - 1])}\t${hi - lo}\t\\\\x${data.toString('hex')}\n`);
        written += hi - lo;
        lo = hi;
      }
    }
    if (fresh.length) {
      await tx.query(
        `INSERT INTO metric_series (tenant_id, id, name, labels, retention_days, last_day)
         SELECT ${TENANT}, u.id, u.name, u.labels, $1, $2::date FROM unnest($3::bigint[], $4::text[], $5::jsonb[]) AS u(id, name, labels)
         ON CONFLICT (tenant_id, id) DO UPDATE SET last_day = EXCLUDED.last_day, retention_days = EXCLUDED.retention_days
           WHERE metric_series.last_day < EXCLUDED.last_day OR metric_series.retention_days <> EXCLUDED.retention_days`,
        [retentionDays, today, fresh.map(([fp]) => fp), fresh.map(([, l]) => l.__name__ ?? ''), fresh.map(([, l]) => jsonText(l))],
      );
      if (this.knownSeries.size > 500_000) this.knownSeries.clear();
      for (const [fp] of fresh) this.knownSeries.set(`${tx.tenant}/${fp}`, today);
    }
    if (lines.length) {
      await copyInto(tx, 'metric_chunks', CHUNK_COLUMNS, lines, [
        { column: 'tenant_id', value: TENANT },
        { column: 'retention_days', value: String(Math.trunc(retentionDays)) },
      ]);
      await tx.query(
        `INSERT INTO metric_dirty (tenant_id, retention_days, hour) SELECT ${TENANT}, $1, unnest($2::timestamptz[])
         ON CONFLICT (tenant_id, retention_days, hour) DO UPDATE SET marked_at = clock_timestamp()`,
        [retentionDays, [...hours].map(isoMs)],
      );
    }
    return { written, dropped };
  }

  /** The series (id and labels) matching all `matchers` that were written to in [startMs, endMs] (by day). */
  async findSeries(tx: TenantTx, matchers: Matcher[], startMs: number, endMs: number): Promise<{ id: string; labels: Record<string, string> }[]> {
    const { where, params } = seriesWhere(matchers, startMs, endMs);
    params.push(MAX_SERIES_PER_SELECT + 1);
    const rows = await queryPrepared<{ id: string; labels: Record<string, string> }>(tx, `SELECT id::text AS id, labels FROM metric_series WHERE ${where} LIMIT $${params.length}`, params);
    if (rows.length > MAX_SERIES_PER_SELECT) throw tooManySeries();
    return rows.filter((r) => seriesMatches(r.labels, matchers));
  }

  /** The samples of the given series in [startMs, endMs], merged from their chunks. */
  async samples(tx: TenantTx, series: { id: string; labels: Record<string, string> }[], startMs: number, endMs: number): Promise<Series[]> {
    if (!series.length) return [];
    const rows = await queryPrepared<ChunksRow>(
      tx,
      `SELECT series_id::text AS id, ${CHUNKS_OF_SERIES} FROM metric_chunks
        WHERE tenant_id = ${TENANT} AND series_id = ANY($1::bigint[]) AND start_time > $2::timestamptz AND start_time <= $3::timestamptz
        GROUP BY series_id`,
      [series.map((s) => s.id), isoMs(startMs - HOUR_MS), isoMs(endMs)],
    );
    const byId = new Map<string, ChunksRow>();
    for (const r of rows) byId.set(r.id, r);
    const out: Series[] = [];
    for (const s of series) {
      const r = byId.get(s.id);
      if (r) pushSeries(out, s.labels, r, startMs, endMs);
    }
    return out;
  }

  /**
   * The series matching `matchers` and their samples in [startMs, endMs]. When PostgreSQL can evaluate every matcher
   * (equalities, and regular expressions PostgreSQL matches as RE2 does: what dashboards mostly ask) the series and
   * their chunks are read in one statement; otherwise the series are found first (the other regular expressions are
   * checked here, RE2 semantics) and then their chunks read.
   */
  async select(tx: TenantTx, matchers: Matcher[], startMs: number, endMs: number): Promise<Series[]> {
    const { where, params, complete } = seriesWhere(matchers, startMs, endMs);
    if (!complete) return this.samples(tx, await this.findSeries(tx, matchers, startMs, endMs), startMs, endMs);
    params.push(MAX_SERIES_PER_SELECT + 1, isoMs(startMs - HOUR_MS), isoMs(endMs));
    const n = params.length;
    // One row per series (the lateral aggregate always answers one, n null without chunks); past the cap the chunks
    // are not read (the InitPlan's count stops the lateral scans) and the query is refused.
    const rows = await queryPrepared<ChunksRow & { labels: Record<string, string> }>(
      tx,
      `WITH s AS MATERIALIZED (SELECT id, labels FROM metric_series WHERE ${where} LIMIT $${n - 2})
       SELECT s.id::text AS id, s.labels, c.n, c.data FROM s
         CROSS JOIN LATERAL (SELECT ${CHUNKS_OF_SERIES} FROM metric_chunks
                              WHERE tenant_id = ${TENANT} AND series_id = s.id AND start_time > $${n - 1}::timestamptz AND start_time <= $${n}::timestamptz
                                AND (SELECT count(*) FROM s) <= ${MAX_SERIES_PER_SELECT}) c`,
      params,
    );
    if (rows.length > MAX_SERIES_PER_SELECT) throw tooManySeries();
    const out: Series[] = [];
    for (const r of rows) if (r.n !== null) pushSeries(out, r.labels, r, startMs, endMs);
    return out;
  }

  /** A PromQL series source over the tenant's metrics (in `tx`). */
  source(tx: TenantTx): SeriesSource {
    return { select: (matchers, startMs, endMs) => this.select(tx, matchers, startMs, endMs) };
  }

  /** Label names (of the series matching any of `selectors`, or of all series) written to in the window. */
  async labelNames(tx: TenantTx, selectors: Matcher[][], startMs: number, endMs: number): Promise<string[]> {
    const names = new Set<string>();
    if (selectors.length) {
      for (const m of selectors) for (const s of await this.findSeries(tx, m, startMs, endMs)) for (const k of Object.keys(s.labels)) names.add(k);
    } else {
      const rows = (await tx.query(
        `SELECT DISTINCT jsonb_object_keys(labels) AS k FROM metric_series WHERE tenant_id = ${TENANT} AND last_day >= $1::date AND first_seen <= $2::timestamptz + interval '1 day'`,
        [isoMs(startMs).slice(0, 10), isoMs(endMs)],
      )) as { k: string }[];
      for (const r of rows) names.add(r.k);
    }
    return [...names].sort();
  }

  /** The values of label `name` (of the series matching any of `selectors`, or of all series) in the window. */
  async labelValues(tx: TenantTx, name: string, selectors: Matcher[][], startMs: number, endMs: number): Promise<string[]> {
    const values = new Set<string>();
    if (selectors.length) {
      for (const m of selectors)
        for (const s of await this.findSeries(tx, m, startMs, endMs)) {
          // Own labels only: `__proto__` is a valid label name.
          const v = Object.hasOwn(s.labels, name) ? s.labels[name] : undefined;
          if (v !== undefined && v !== '') values.add(v);
        }
    } else {
      const rows = (await tx.query(
        `SELECT DISTINCT labels->>$3 AS v FROM metric_series WHERE tenant_id = ${TENANT} AND last_day >= $1::date AND first_seen <= $2::timestamptz + interval '1 day' AND labels ? $3`,
        [isoMs(startMs).slice(0, 10), isoMs(endMs), name],
      )) as { v: string }[];
      for (const r of rows) if (r.v !== '') values.add(r.v);
    }
    return [...values].sort();
  }

  /**
   * Merges the chunks of each series in the tenant's hours written to before `beforeMs` (at most `maxHours` of them)
   * into one chunk per series and hour; answers how many hours were compacted. An hour written to again meanwhile
   * stays on the list.
   */
  async compact(tx: TenantTx, beforeMs: number, maxHours = 24): Promise<number> {
    const hours = (await tx.query(
      `SELECT retention_days, hour, marked_at::text AS marked_at FROM metric_dirty WHERE tenant_id = ${TENANT} AND hour < $1 ORDER BY hour LIMIT $2`,
      [isoMs(beforeMs), maxHours],
    )) as { retention_days: number; hour: Date; marked_at: string }[];
    let done = 0;
    for (const h of hours) {
      const [{ locked }] = (await tx.query(`SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked`, [`metric-compact/${tx.tenant}/${h.retention_days}/${h.hour.toISOString()}`])) as { locked: boolean }[];
      if (!locked) continue;
      const range = [h.retention_days, h.hour.toISOString(), isoMs(h.hour.getTime() + HOUR_MS)];
      const deleted = (await tx.query(
        `DELETE FROM metric_chunks c
          WHERE c.tenant_id = ${TENANT} AND c.retention_days = $1 AND c.start_time >= $2 AND c.start_time < $3
            AND c.series_id IN (SELECT series_id FROM metric_chunks WHERE tenant_id = ${TENANT} AND retention_days = $1 AND start_time >= $2 AND start_time < $3
                                 GROUP BY series_id HAVING count(*) > 1)
          RETURNING c.series_id::text AS id, c.start_time, c.data`,
        range,
      )) as unknown;
      // A DELETE ... RETURNING answers [rows, count] through TypeORM.
      const rows = (Array.isArray(deleted) && Array.isArray(deleted[0]) ? deleted[0] : deleted) as { id: string; start_time: Date; data: Buffer }[];
      if (rows.length) {
        rows.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : a.start_time.getTime() - b.start_time.getTime()));
        const lines: string[] = [];
        for (let i = 0; i < rows.length; ) {
          let j = i + 1;
          while (j < rows.length && rows[j].id === rows[i].id) j++;
          const m = mergeSamples(rows.slice(i, j).map((r) => decodeChunk(r.data)));
          if (m.t.length) lines.push(`${copyText(rows[i].id)}\t${isoMs(m.t[0])}\t${isoMs(m.t[m.t.length - 1])}\t${m.t.length}\t\\\\x${encodeChunk(m.t, m.v).toString('hex')}\n`);
          i = j;
        }
        await copyInto(tx, 'metric_chunks', CHUNK_COLUMNS, lines, [
          { column: 'tenant_id', value: TENANT },
          { column: 'retention_days', value: String(Math.trunc(h.retention_days)) },
        ]);
      }
      await tx.query(`DELETE FROM metric_dirty WHERE tenant_id = ${TENANT} AND retention_days = $1 AND hour = $2 AND marked_at <= $3::timestamptz`, [h.retention_days, h.hour.toISOString(), h.marked_at]);
      done++;
    }
    return done;
  }

  /** The tenants with hours to compact before `beforeMs` (across tenants: a SECURITY DEFINER function). */
  async tenantsToCompact(query: (sql: string, params: unknown[]) => Promise<unknown>, beforeMs: number): Promise<string[]> {
    const rows = (await query(`SELECT t AS tenant_id FROM metric_dirty_tenants($1::timestamptz) AS t`, [isoMs(beforeMs)])) as { tenant_id: string }[];
    return rows.map((r) => r.tenant_id);
  }
}
