import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ChangeRecord, LogRecord, MetricSeries, RcaCase, SpanRecord, TopologyEdge } from '@opsplane/rca';

/**
 * The case folder format of issue 4, read and written: `case.json` (id, fault_time, window,
 * optional reference, label), `metrics.csv` (timestamp,service,metric,value) and the optional
 * `logs.csv`, `spans.csv`, `changes.csv`, `topology.csv`. Columns are found by their header name,
 * so extra columns and any column order are fine. The label is returned apart and never put in
 * the case the engine sees.
 */

export interface Label {
  service: string;
  kind?: string;
}

/** RFC 4180 CSV: quoted fields, doubled quotes, commas and newlines inside quotes. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  if (field.length > 0 || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => !(r.length === 1 && r[0] === ''));
}

export function csvField(value: string | number | undefined): string {
  const s = value === undefined ? '' : String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Calls `fn` for each line of a file, reading it in chunks (a metrics file can be larger than a string may be). */
function forEachLine(file: string, fn: (line: string) => void): void {
  const fd = openSync(file, 'r');
  const buf = Buffer.alloc(16 * 1024 * 1024);
  let rest = '';
  try {
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      const text = rest + buf.toString('utf8', 0, n);
      const last = text.lastIndexOf('\n');
      if (last < 0) {
        rest = text;
        continue;
      }
      rest = text.slice(last + 1);
      for (const line of text.slice(0, last).split('\n')) fn(line);
    }
    if (rest) fn(rest);
  } finally {
    closeSync(fd);
  }
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

function readMetrics(file: string): MetricSeries[] {
  const series = new Map<string, MetricSeries>();
  let col: Record<'timestamp' | 'service' | 'metric' | 'value', number> | undefined;
  let cur: MetricSeries | undefined;
  forEachLine(file, (raw) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (!line) return;
    const f = line.includes('"') ? parseCsv(line)[0] : line.split(',');
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
    cur.timestamps.push(Number(f[col.timestamp]));
    cur.values.push(f[col.value] === '' ? NaN : Number(f[col.value]));
  });
  return [...series.values()];
}

function readTable<K extends string>(file: string, required: K[], optional: K[] = []): Record<K, string>[] {
  const [header, ...rows] = parseCsv(readFileSync(file, 'utf8'));
  if (!header) return [];
  const col = columns(file, header, required, optional);
  return rows.map((r) => Object.fromEntries([...required, ...optional].map((k) => [k, col[k] >= 0 ? (r[col[k]] ?? '') : ''])) as Record<K, string>);
}

export function loadCase(dir: string): { rcaCase: RcaCase; label: Label | null } {
  const raw = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')) as Omit<RcaCase, 'metrics'> & { label?: Label };
  const file = (name: string) => (existsSync(join(dir, name)) ? join(dir, name) : null);
  const rcaCase: RcaCase = { id: raw.id, fault_time: raw.fault_time, window: raw.window, ...(raw.reference ? { reference: raw.reference } : {}), metrics: [] };
  const metrics = file('metrics.csv');
  if (metrics) rcaCase.metrics = readMetrics(metrics);
  const logs = file('logs.csv');
  if (logs) {
    rcaCase.logs = readTable(logs, ['timestamp', 'service', 'message'], ['level', 'trace_id']).map(
      (r): LogRecord => ({ timestamp: Number(r.timestamp), service: r.service, level: r.level, message: r.message, ...(r.trace_id ? { trace_id: r.trace_id } : {}) }),
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
        start_unix_nano: Number(r.start_unix_nano),
        end_unix_nano: Number(r.end_unix_nano),
        status_code: r.status_code,
      }),
    );
  }
  const changes = file('changes.csv');
  if (changes) rcaCase.changes = readTable(changes, ['timestamp', 'service'], ['description']).map((r): ChangeRecord => ({ timestamp: Number(r.timestamp), service: r.service, description: r.description }));
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
