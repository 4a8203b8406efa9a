import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ChangeRecord, LogRecord, MetricSeries, RcaCase, SpanRecord, TopologyEdge } from '../case';
import { csvField, forEachCsvRow } from './csv';

/**
 * The library's file loader, used by the evaluation tools (`rca-eval`): reads and writes the case folder
 * format of issue 4. It does file I/O, so it lives apart (`src/cases/`); the engine itself (everything
 * else in the library) stays I/O-free and takes an `RcaCase` in memory.
 *
 * A case folder: `case.json` (id, fault_time, window, optional reference, label), `metrics.csv`
 * (timestamp,service,metric,value) and the optional `logs.csv`, `spans.csv`, `changes.csv`,
 * `topology.csv`. Columns are found by their header name, so extra columns and any column order are
 * fine; files are read in chunks, so any size is. The label is returned apart and never put in the
 * case the engine sees.
 */

export interface Label {
  service: string;
  kind?: string;
}

/** The index of each wanted column in a header row; a missing required column is an error naming the file. */
function columns<K extends string>(file: string, header: string[], required: K[], optional: K[] = []): Record<K, number> {
  const names = header.map((h) => h.trim().replace(/^\uFEFF/, '').toLowerCase());
  const out = {} as Record<K, number>;
  for (const k of [...required, ...optional]) {
    out[k] = names.indexOf(k);
    if (out[k] < 0 && required.includes(k)) throw new Error(`${file}: no "${k}" column (header: ${header.join(',')})`);
  }
  return out;
}

function readMetrics(file: string, sec: (x: number) => number): MetricSeries[] {
  const series = new Map<string, MetricSeries>();
  let col: Record<'timestamp' | 'service' | 'metric' | 'value', number> | undefined;
  let cur: MetricSeries | undefined;
  forEachCsvRow(file, (f) => {
    if (!col) {
      col = columns(file, f, ['timestamp', 'service', 'metric', 'value']);
      return;
    }
    const service = f[col.service];
    const metric = f[col.metric];
    if (!cur || cur.service !== service || cur.metric !== metric) {
      const key = `${service}\u0000${metric}`;
      cur = series.get(key);
      if (!cur) series.set(key, (cur = { service, metric, timestamps: [], values: [] }));
    }
    const t = Number(f[col.timestamp]);
    cur.timestamps.push(sec(Number.isFinite(t) ? t : parseTime(f[col.timestamp])));
    cur.values.push(f[col.value] === '' ? NaN : Number(f[col.value]));
  });
  return [...series.values()];
}

function readTable<K extends string>(file: string, required: K[], optional: K[] = []): Record<K, string>[] {
  const out: Record<K, string>[] = [];
  const keys = [...required, ...optional];
  let col: Record<K, number> | undefined;
  forEachCsvRow(file, (r) => {
    if (!col) {
      col = columns(file, r, required, optional);
      return;
    }
    const rec = {} as Record<K, string>;
    for (const k of keys) rec[k] = col[k] >= 0 ? (r[col[k]] ?? '') : '';
    out.push(rec);
  });
  return out;
}

/**
 * The format says unix seconds (and nanoseconds for spans); converters get it wrong easily, so
 * epoch times in milliseconds, microseconds or nanoseconds are recognised by their size and
 * converted (any epoch time after 1973 has at least 9 digits in seconds).
 */
export function epochDivisor(x: number): number {
  return x >= 1e17 ? 1e9 : x >= 1e14 ? 1e6 : x >= 1e11 ? 1e3 : 1;
}

const toSeconds = (x: number) => x / epochDivisor(x);
const toNanos = (x: number) => {
  const d = epochDivisor(x);
  return d === 1e9 ? x : x * (1e9 / d);
};

/** A number, or an ISO 8601 date-time (unix seconds then). */
export function parseTime(v: string | number): number {
  const n = Number(v);
  if (Number.isFinite(n) || typeof v === 'number') return n;
  const ms = Date.parse(v);
  return Number.isFinite(ms) ? ms / 1000 : NaN;
}

export function loadCase(dir: string): { rcaCase: RcaCase; label: Label | null } {
  const raw = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')) as Omit<RcaCase, 'metrics'> & { label?: Label };
  const file = (name: string) => (existsSync(join(dir, name)) ? join(dir, name) : null);
  const range = (r: { start: number; end: number }) => ({ start: toSeconds(parseTime(r.start)), end: toSeconds(parseTime(r.end)) });
  const rcaCase: RcaCase = {
    id: String(raw.id),
    fault_time: toSeconds(parseTime(raw.fault_time)),
    window: range(raw.window),
    ...(raw.reference ? { reference: range(raw.reference) } : {}),
    metrics: [],
  };
  // Relative clocks (a case starting at 0) are taken as they are: only epoch times have a unit to recognise.
  const epoch = rcaCase.fault_time >= 1e8;
  const sec = epoch ? toSeconds : (x: number) => x;
  const nano = epoch ? toNanos : (x: number) => x;
  const metrics = file('metrics.csv');
  if (metrics) rcaCase.metrics = readMetrics(metrics, sec);
  const logs = file('logs.csv');
  if (logs) {
    rcaCase.logs = readTable(logs, ['timestamp', 'service', 'message'], ['level', 'trace_id']).map(
      (r): LogRecord => ({ timestamp: sec(parseTime(r.timestamp)), service: r.service, level: r.level, message: r.message, ...(r.trace_id ? { trace_id: r.trace_id } : {}) }),
    );
  }
  const spans = file('spans.csv');
  if (spans) {
    rcaCase.spans = readTable(spans, ['trace_id', 'span_id', 'service', 'start_unix_nano', 'end_unix_nano'], ['parent_span_id', 'operation', 'status_code']).map(
      (r): SpanRecord => ({
        trace_id: r.trace_id,
        span_id: r.span_id,
        ...(r.parent_span_id ? { parent_span_id: r.parent_span_id } : {}),
        service: r.service,
        operation: r.operation,
        start_unix_nano: nano(Number(r.start_unix_nano)),
        end_unix_nano: nano(Number(r.end_unix_nano)),
        status_code: r.status_code,
      }),
    );
  }
  const changes = file('changes.csv');
  if (changes) rcaCase.changes = readTable(changes, ['timestamp', 'service'], ['description']).map((r): ChangeRecord => ({ timestamp: sec(parseTime(r.timestamp)), service: r.service, description: r.description }));
  const topology = file('topology.csv');
  if (topology) rcaCase.topology = readTable(topology, ['source', 'target'], ['type']).map((r): TopologyEdge => ({ source: r.source, target: r.target, type: r.type || 'call' }));
  return { rcaCase, label: raw.label ?? null };
}

/** Writes a case folder (the inverse of `loadCase`). */
export function writeCase(dir: string, c: RcaCase, label?: Label): void {
  mkdirSync(dir, { recursive: true });
  const { metrics, logs, spans, changes, topology, ...meta } = c;
  writeFileSync(join(dir, 'case.json'), JSON.stringify({ ...meta, ...(label ? { label } : {}) }, null, 2) + '\n');
  const write = (name: string, header: string[], rows: (string | number | undefined)[][]) =>
    writeFileSync(join(dir, name), [header.join(','), ...rows.map((r) => r.map(csvField).join(','))].join('\n') + '\n');
  write('metrics.csv', ['timestamp', 'service', 'metric', 'value'], metrics.flatMap((s) => s.timestamps.map((t, i) => [t, s.service, s.metric, s.values[i]])));
  if (logs) write('logs.csv', ['timestamp', 'service', 'level', 'message', 'trace_id'], logs.map((l) => [l.timestamp, l.service, l.level, l.message, l.trace_id]));
  if (spans) {
    write(
      'spans.csv',
      ['trace_id', 'span_id', 'parent_span_id', 'service', 'operation', 'start_unix_nano', 'end_unix_nano', 'status_code'],
      spans.map((s) => [s.trace_id, s.span_id, s.parent_span_id, s.service, s.operation, s.start_unix_nano, s.end_unix_nano, s.status_code]),
    );
  }
  if (changes) write('changes.csv', ['timestamp', 'service', 'description'], changes.map((x) => [x.timestamp, x.service, x.description]));
  if (topology) write('topology.csv', ['source', 'target', 'type'], topology.map((x) => [x.source, x.target, x.type]));
}

export function caseDirs(root: string): string[] {
  return readdirSync(root)
    .map((d) => join(root, d))
    .filter((d) => statSync(d).isDirectory() && existsSync(join(d, 'case.json')))
    .sort();
}
