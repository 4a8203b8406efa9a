#!/usr/bin/env node
// Converts the RCD "Sock Shop" dataset (<service>-<cpu|mem>/<run>/{normal,anomalous}.csv, wide
// format, one column per <svc>_<metric>) into the engine's case format:
//   <out>/<case id>/case.json   {id, fault_time, window, reference, label: {service, kind}}
//   <out>/<case id>/metrics.csv timestamp,service,metric,value
// The first row of anomalous.csv is the fault time; normal.csv is the reference period.
// Usage: node eval/convert-rcd-sock-shop.js <dataset dir> <out dir>
const fs = require('node:fs');
const path = require('node:path');

const [src, out] = process.argv.slice(2);
if (!src || !out) {
  console.error('usage: convert-rcd-sock-shop.js <dataset dir> <out dir>');
  process.exit(2);
}

function readWide(file) {
  const [header, ...rows] = fs.readFileSync(file, 'utf8').trim().split(/\r?\n/);
  const cols = header.split(',');
  return { cols, rows: rows.map((r) => r.split(',').map(Number)) };
}

/** "carts-db_cpu" → service "carts-db", metric "cpu"; "carts_lat_90" → "carts", "lat_90". */
function splitColumn(col) {
  const i = col.indexOf('_');
  return i < 0 ? { service: col, metric: 'value' } : { service: col.slice(0, i), metric: col.slice(i + 1) };
}

let n = 0;
for (const fault of fs.readdirSync(src).sort()) {
  const m = /^(.+)-(cpu|mem)$/.exec(fault);
  if (!m || !fs.statSync(path.join(src, fault)).isDirectory()) continue;
  for (const run of fs.readdirSync(path.join(src, fault)).sort()) {
    const dir = path.join(src, fault, run);
    if (!fs.existsSync(path.join(dir, 'anomalous.csv'))) continue;
    const normal = readWide(path.join(dir, 'normal.csv'));
    const anomalous = readWide(path.join(dir, 'anomalous.csv'));
    const id = `${fault}-${run}`;
    const lines = ['timestamp,service,metric,value'];
    for (const part of [normal, anomalous]) {
      for (const row of part.rows) {
        for (let c = 1; c < part.cols.length; c++) {
          if (!Number.isFinite(row[c])) continue;
          const { service, metric } = splitColumn(part.cols[c]);
          lines.push(`${row[0]},${service},${metric},${row[c]}`);
        }
      }
    }
    const ts = (p) => p.rows.map((r) => r[0]);
    const caseJson = {
      id,
      fault_time: anomalous.rows[0][0],
      window: { start: anomalous.rows[0][0], end: Math.max(...ts(anomalous)) },
      reference: { start: Math.min(...ts(normal)), end: Math.max(...ts(normal)) },
      label: { service: m[1], kind: m[2] },
    };
    fs.mkdirSync(path.join(out, id), { recursive: true });
    fs.writeFileSync(path.join(out, id, 'case.json'), JSON.stringify(caseJson, null, 2));
    fs.writeFileSync(path.join(out, id, 'metrics.csv'), lines.join('\n') + '\n');
    n++;
  }
}
console.error(`wrote ${n} cases to ${out}`);
