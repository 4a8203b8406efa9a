#!/usr/bin/env node
// Times the RCA engine on a large case: 50 services x 30 metrics, one hour at 1 s steps (plus a
// one-hour reference period), with logs and spans (one traced request a second walking the call
// tree). Target (issue 4): under 2 s. Needs `npm run build` first.
// Usage: node bench/rca.js [--services 50] [--metrics 30] [--seconds 3600] [--kind cpu|mem|latency|error]
const fs = require('node:fs');
const path = require('node:path');
const { rankRootCauses, generateCase } = require('../dist/libs/rca/src/index.js');

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
};
const services = Number(arg('services', 50));
const metricsPer = Number(arg('metrics', 30));
const seconds = Number(arg('seconds', 3600));
const kind = arg('kind', 'latency');

const g = generateCase({ seed: 42, kind, services, metricsPerService: metricsPer, referenceSeconds: seconds, windowSeconds: seconds, logs: true, spans: true, changes: true, requestEvery: 1 });
const c = g.rcaCase;
const points = c.metrics.reduce((a, s) => a + s.values.length, 0);
const runs = [];
let result;
for (let i = 0; i < 3; i++) {
  const a = process.hrtime.bigint();
  result = rankRootCauses(c);
  runs.push(Number(process.hrtime.bigint() - a) / 1e6);
}
const out = {
  date: new Date().toISOString(),
  services,
  metrics_per_service: metricsPer,
  seconds,
  metric_points: points,
  log_lines: c.logs.length,
  spans: c.spans.length,
  ms: runs.map((x) => Math.round(x)),
  best_ms: Math.round(Math.min(...runs)),
  target_ms: 2000,
  met: Math.min(...runs) < 2000,
  fault: g.label,
  top_candidate: result.candidates[0].service,
  node: process.version,
};
fs.mkdirSync(path.join(__dirname, 'results'), { recursive: true });
fs.writeFileSync(path.join(__dirname, 'results', 'rca.json'), JSON.stringify(out, null, 2) + '\n');
console.log(JSON.stringify(out));
console.log(result.summary);
