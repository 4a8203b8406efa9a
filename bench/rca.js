#!/usr/bin/env node
// Times the RCA engine on a large case: 50 services x 30 metrics, one hour at 1 s steps (plus a
// one-hour reference period). Target (issue 4): under 2 s. Needs `npm run build` first.
// Usage: node bench/rca.js [--services 50] [--metrics 30] [--seconds 3600]
const fs = require('node:fs');
const path = require('node:path');
const { rankRootCauses, prng } = require('../dist/libs/rca/src/index.js');

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const services = arg('services', 50);
const metricsPer = arg('metrics', 30);
const seconds = arg('seconds', 3600);

const rnd = prng(42);
const t0 = 1_700_000_000;
const windowStart = t0 + seconds + 600;
const faultTime = windowStart + Math.floor(seconds / 2);
const metrics = [];
for (let s = 0; s < services; s++) {
  for (let m = 0; m < metricsPer; m++) {
    const base = 10 + rnd() * 100;
    for (const start of [t0, windowStart]) {
      for (let t = start; t < start + seconds; t++) {
        const fault = s === 7 && m === 3 && t >= faultTime ? base * 3 : 0;
        metrics.push({ timestamp: t, service: `svc-${s}`, metric: `m${m}`, value: base + (rnd() - 0.5) * base * 0.1 + fault });
      }
    }
  }
}
const c = { id: 'big', fault_time: faultTime, window: { start: windowStart, end: windowStart + seconds - 1 }, reference: { start: t0, end: t0 + seconds - 1 }, metrics };
const runs = [];
let top;
for (let i = 0; i < 3; i++) {
  const a = process.hrtime.bigint();
  top = rankRootCauses(c).candidates[0].service;
  runs.push(Number(process.hrtime.bigint() - a) / 1e6);
}
const result = {
  date: new Date().toISOString(),
  points: metrics.length,
  services,
  metrics_per_service: metricsPer,
  seconds,
  ms: runs.map((x) => Math.round(x)),
  best_ms: Math.round(Math.min(...runs)),
  target_ms: 2000,
  met: Math.min(...runs) < 2000,
  top_candidate: top,
  node: process.version,
};
fs.mkdirSync(path.join(__dirname, 'results'), { recursive: true });
fs.writeFileSync(path.join(__dirname, 'results', 'rca.json'), JSON.stringify(result, null, 2) + '\n');
console.log(JSON.stringify(result));
