'use strict';
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { URLSearchParams } = require('node:url');
/**
 * The metrics part of the benchmark (issue 12): Prometheus remote_write ingest and PromQL range queries, Opsplane
 * (gateway → ... → PostgreSQL) measured side by side with Prometheus 2.42 (Debian's `prometheus` package, started
 * here on a free loopback port with a temp TSDB) in the same run, both fed the SAME pre-encoded requests.
 *
 * Data (deterministic, seeded): `bench_http_requests_total`, a counter, 1,000 series (`service` svc-0..svc-19 ×
 * `instance` svc-N-i0..svc-N-i49, `job="bench"`) × 24 h at 60 s = 1,440 samples each, 1.44M samples, ending now
 * (rounded down to the minute). Encoded once, before measuring, with the platform's own encoder: requests of
 * 100 series × 20 consecutive minutes (2,000 samples); the series are split into 10 groups of 100 and 10 senders
 * run at once, sender k sending group k's requests in time order, one at a time, so that every series' samples
 * arrive in order (Prometheus refuses out-of-order samples); the senders are kept within one request (20 minutes)
 * of each other, since Prometheus also refuses samples an hour older than the newest it has ("out of bounds").
 *
 * Ingest: Prometheus' rate runs from the first send to the last 2xx (it answers once the samples are in its head);
 * Opsplane's accepted rate likewise, its stored rate until `storedSamples()` (the database) has them all.
 * Both are queried settled, as a running system mostly is: Prometheus once its CPU is quiet after the ingest (its
 * head work), Opsplane once its compactor has merged the hours that are over (`compactionPending()`, the run starts
 * the telemetry service with a 5 s compaction interval so that it begins at once) and its CPU is quiet.
 * Range queries (24 h, step 60 s), each system queried alone after both ingests: 3 warm-up + 20 measured
 * sequential runs each. Targets: Opsplane p50 ≤ Prometheus p50 per query; Opsplane stored rate ≥ 0.3 × Prometheus'.
 *
 * Alone: `node bench/metrics.js --prometheus-only` (after `npm run build`) measures the Prometheus side only.
 */

const PROM_BIN = process.env.BENCH_PROMETHEUS || '/usr/bin/prometheus';
const METRIC = 'bench_http_requests_total';
const SERVICES = 20;
const INSTANCES_PER_SERVICE = 50;
const SERIES = SERVICES * INSTANCES_PER_SERVICE;
const MINUTES = 1440;
const STEP_MS = 60_000;
const SERIES_PER_REQUEST = 100;
const MINUTES_PER_REQUEST = 20;
const IN_FLIGHT = SERIES / SERIES_PER_REQUEST; // one sender per group of series
/** How many windows (of MINUTES_PER_REQUEST) the senders may be apart, besides the one in flight (see sendAll). */
const MAX_SKEW = 1;
const QUERY_WARMUP = 3;
const QUERY_RUNS = 20;
const STORED_WAIT_MS = 120_000;
const STORED_POLL_MS = 200;
const INGEST_DEADLINE_MS = 600_000;
const INGEST_TARGET_RATIO = 0.3;
const QUERY_TARGET_RATIO = 1;
const REL_TOLERANCE = 1e-9;
/** Prometheus 2.42 takes out-of-order samples only with this set in its config (BENCH_PROM_OOO=1); off by default. */
const PROM_OOO = process.env.BENCH_PROM_OOO === '1';
const CONTENT_HEADERS = { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy', 'x-prometheus-remote-write-version': '0.1.0' };

const QUERIES = [
  { name: 'one series', query: `${METRIC}{service="svc-3",instance="svc-3-i7"}` },
  { name: 'avg of 10 series', query: `avg(${METRIC}{service="svc-3", instance=~"svc-3-i[0-9]"})` },
  { name: 'sum by service of rate[5m], 1000 series', query: `sum by (service) (rate(${METRIC}[5m]))` },
];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const round1 = (x) => (x === null || x === undefined ? null : Math.round(x * 10) / 10);

const { prng } = require('./cmdb');

/** The series (labels and values) and the remote_write requests, grouped by sender. */
function metricsData(dist, endMs = Math.floor(Date.now() / STEP_MS) * STEP_MS) {
  const { encodeRemoteWrite } = require(path.join(dist, 'libs/otlp/src'));
  const startMs = endMs - (MINUTES - 1) * STEP_MS;
  const series = [];
  for (let s = 0; s < SERIES; s++) {
    const svc = Math.floor(s / INSTANCES_PER_SERVICE);
    const rnd = prng(12_000 + s);
    const values = new Float64Array(MINUTES);
    let v = Math.floor(rnd() * 1000);
    for (let i = 0; i < MINUTES; i++) {
      if (i > 0) v += 1 + Math.floor(rnd() * 20);
      values[i] = v;
    }
    series.push({ labels: { __name__: METRIC, service: `svc-${svc}`, instance: `svc-${svc}-i${s % INSTANCES_PER_SERVICE}`, job: 'bench' }, values });
  }
  const t0 = performance.now();
  const groups = [];
  for (let g = 0; g < SERIES / SERIES_PER_REQUEST; g++) {
    const requests = [];
    for (let m = 0; m < MINUTES; m += MINUTES_PER_REQUEST) {
      const body = [];
      for (let s = g * SERIES_PER_REQUEST; s < (g + 1) * SERIES_PER_REQUEST; s++) {
        const samples = [];
        for (let i = m; i < Math.min(MINUTES, m + MINUTES_PER_REQUEST); i++) samples.push({ t_ms: startMs + i * STEP_MS, v: series[s].values[i] });
        body.push({ labels: series[s].labels, samples });
      }
      requests.push({ body: encodeRemoteWrite(body), samples: body.length * body[0].samples.length });
    }
    groups.push(requests);
  }
  return { series, groups, startMs, endMs, encodeMs: performance.now() - t0 };
}

// ---------------------------------------------------------------- expected answers (Prometheus 2.x semantics)

/** What the three queries must answer, computed here: Map(labels key → Map(t_s → value)) per query. */
function expectedResults(data) {
  const steps = [];
  for (let t = data.startMs; t <= data.endMs; t += STEP_MS) steps.push(t);
  const at = (s, t) => s.values[(t - data.startMs) / STEP_MS];
  const one = data.series.find((s) => s.labels.service === 'svc-3' && s.labels.instance === 'svc-3-i7');
  const ten = data.series.filter((s) => s.labels.service === 'svc-3' && /^svc-3-i[0-9]$/.test(s.labels.instance));
  const q1 = new Map([[labelsKey({ ...one.labels, __name__: undefined }), new Map(steps.map((t) => [t / 1000, at(one, t)]))]]);
  const q2 = new Map([[labelsKey({}), new Map(steps.map((t) => [t / 1000, ten.reduce((n, s) => n + at(s, t), 0) / ten.length]))]]);
  // rate(x[5m]) as Prometheus 2.x computes it: the range [t-5m, t] is closed at both ends; extrapolatedRate.
  const rangeMs = 5 * 60_000;
  const rate = (s, t) => {
    const idx = [];
    for (let u = t - rangeMs; u <= t; u += STEP_MS) if (u >= data.startMs) idx.push((u - data.startMs) / STEP_MS);
    if (idx.length < 2) return undefined;
    const firstT = data.startMs + idx[0] * STEP_MS;
    const lastT = data.startMs + idx[idx.length - 1] * STEP_MS;
    const firstV = s.values[idx[0]];
    const result = s.values[idx[idx.length - 1]] - firstV; // no counter resets in the data
    const sampled = (lastT - firstT) / 1000;
    const avgStep = sampled / (idx.length - 1);
    let toStart = (firstT - (t - rangeMs)) / 1000;
    const toEnd = (t - lastT) / 1000;
    if (result > 0 && firstV >= 0) toStart = Math.min(toStart, sampled * (firstV / result));
    let interval = sampled;
    interval += toStart < avgStep * 1.1 ? toStart : avgStep / 2;
    interval += toEnd < avgStep * 1.1 ? toEnd : avgStep / 2;
    return (result * (interval / sampled)) / (rangeMs / 1000);
  };
  const q3 = new Map();
  for (let svc = 0; svc < SERVICES; svc++) {
    const members = data.series.filter((s) => s.labels.service === `svc-${svc}`);
    const points = new Map();
    for (const t of steps) {
      const rates = members.map((s) => rate(s, t)).filter((r) => r !== undefined);
      if (rates.length) points.set(t / 1000, rates.reduce((n, r) => n + r, 0));
    }
    q3.set(labelsKey({ service: `svc-${svc}` }), points);
  }
  return [q1, q2, q3];
}

function labelsKey(metric) {
  return JSON.stringify(
    Object.keys(metric)
      .filter((k) => k !== '__name__' && metric[k] !== undefined)
      .sort()
      .map((k) => [k, metric[k]]),
  );
}

/** A Prometheus HTTP API matrix as Map(labels key without __name__ → Map(t_s → value)). */
function matrixOf(json) {
  const out = new Map();
  for (const r of json.data.result) out.set(labelsKey(r.metric), new Map(r.values.map(([t, v]) => [Number(t), Number(v)])));
  return out;
}

const close = (a, b) => a === b || (Number.isNaN(a) && Number.isNaN(b)) || Math.abs(a - b) <= REL_TOLERANCE * Math.max(Math.abs(a), Math.abs(b));

/** The differences between two matrices (empty when they agree): series, points, values within 1e-9 relative. */
function compareMatrices(a, b, nameA, nameB) {
  const diffs = [];
  if (a.size !== b.size) diffs.push(`${a.size} series from ${nameA}, ${b.size} from ${nameB}`);
  let valueDiffs = 0;
  for (const [key, pa] of a) {
    const pb = b.get(key);
    if (!pb) {
      if (diffs.length < 6) diffs.push(`series ${key} from ${nameA} is missing from ${nameB}`);
      continue;
    }
    if (pa.size !== pb.size) diffs.push(`series ${key}: ${pa.size} points from ${nameA}, ${pb.size} from ${nameB}`);
    for (const [t, va] of pa) {
      const vb = pb.get(t);
      if (vb === undefined || !close(va, vb)) {
        if (valueDiffs++ < 3) diffs.push(`series ${key} at ${new Date(t * 1000).toISOString()}: ${va} from ${nameA}, ${vb === undefined ? 'no point' : vb} from ${nameB}`);
      }
    }
  }
  if (valueDiffs > 3) diffs.push(`... ${valueDiffs} points differ in all`);
  return diffs.slice(0, 10);
}

// ---------------------------------------------------------------- ingest

function retryAfterMs(res) {
  const h = res.headers.get('retry-after');
  if (!h) return 200;
  const s = Number(h);
  const ms = Number.isFinite(s) ? s * 1000 : Date.parse(h) - Date.now();
  return Math.min(30_000, Math.max(50, Number.isFinite(ms) ? ms : 200));
}

/** Sends every group's requests (one sender per group, in order, one at a time); the time runs to the last 2xx. */
async function sendAll(url, headers, groups, { retry }) {
  const t0 = performance.now();
  let lastOk = t0;
  const out = { requests_ok: 0, samples_ok: 0, refused: 0, refused_samples: 0, retried: 0, statuses: {}, first_error: null };
  // Senders keep loosely in step: one starts window w once every sender has finished window w - 2 (at most
  // MAX_SKEW windows, 40 minutes of data, apart): Prometheus refuses as "out of bounds" samples older than its
  // newest one minus an hour (half its head chunk range), even when they are in order for their series.
  const done = groups.map(() => 0);
  let waiters = [];
  const finished = (g) => {
    done[g] += 1;
    const ready = waiters.filter((w) => Math.min(...done) >= w.need);
    waiters = waiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.resolve();
  };
  const inStep = (w) => (Math.min(...done) >= w - MAX_SKEW ? null : new Promise((resolve) => waiters.push({ need: w - MAX_SKEW, resolve })));
  await Promise.all(
    groups.map(async (requests, g) => {
      for (let w = 0; w < requests.length; w++) {
        const { body, samples } = requests[w];
        const wait = inStep(w);
        if (wait) await wait;
        for (;;) {
          const res = await fetch(url, { method: 'POST', headers, body });
          const text = await res.text();
          if (res.status >= 200 && res.status < 300) {
            out.requests_ok += 1;
            out.samples_ok += samples;
            lastOk = performance.now();
            break;
          }
          out.statuses[res.status] = (out.statuses[res.status] || 0) + 1;
          if (retry && (res.status === 429 || res.status === 503) && performance.now() - t0 < INGEST_DEADLINE_MS) {
            out.retried += 1;
            await sleep(retryAfterMs(res));
            continue;
          }
          out.refused += 1;
          out.refused_samples += samples;
          if (!out.first_error) out.first_error = `${res.status} ${text.trim().slice(0, 500)}`;
          break;
        }
        finished(g);
      }
    }),
  );
  return { ...out, ms: lastOk - t0, t0 };
}

// ---------------------------------------------------------------- Prometheus

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function cpuTicks(pid) {
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const parts = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return Number(parts[11]) + Number(parts[12]); // utime + stime (fields 14, 15)
  } catch {
    return null;
  }
}

/** The machine's busy and stolen ticks (/proc/stat). */
function machineTicks() {
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal
  return { busy: f[0] + f[1] + f[2] + f[5] + f[6], steal: f[7] || 0 };
}

/** CPU over fn (% of one core): of a process (Prometheus), of this process (the senders), of everything else. */
async function withProcessCpu(pid, fn) {
  const c0 = cpuTicks(pid);
  const m0 = machineTicks();
  const u0 = process.cpuUsage();
  const w0 = performance.now();
  const out = await fn();
  const wall = (performance.now() - w0) / 1000;
  const c1 = cpuTicks(pid);
  const m1 = machineTicks();
  const u = process.cpuUsage(u0);
  const prom = c0 === null || c1 === null ? null : ((c1 - c0) / 100 / wall) * 100;
  const senders = ((u.user + u.system) / 1e6 / wall) * 100;
  const busy = ((m1.busy - m0.busy) / 100 / wall) * 100;
  return {
    out,
    cpu: {
      cores: os.cpus().length,
      prometheus_pct: prom === null ? null : Math.round(prom),
      senders_pct: Math.round(senders),
      other_pct: Math.round(Math.max(0, busy - (prom || 0) - senders)),
      steal_pct: Math.round(((m1.steal - m0.steal) / 100 / wall) * 100),
    },
  };
}

/** Waits until the process uses under 5 % of a core over a second (its head compaction after the ingest), at most 60 s. */
async function settle(pid) {
  const t0 = performance.now();
  while (performance.now() - t0 < 60_000) {
    const c0 = cpuTicks(pid);
    await sleep(1000);
    const c1 = cpuTicks(pid);
    if (c0 === null || c1 === null || c1 - c0 < 5) break;
  }
  return Math.round(performance.now() - t0);
}

async function startPrometheus({ log, logDir }) {
  if (!fs.existsSync(PROM_BIN)) {
    log(`metrics: ${PROM_BIN} is missing, the Prometheus side is skipped; install it with \`apt-get install -y prometheus\` (then \`service prometheus stop\`: only the binary is needed)`);
    return null;
  }
  const version = (spawnSync(PROM_BIN, ['--version'], { encoding: 'utf8' }).stdout || '').split('\n')[0].trim();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opsplane-bench-prom-'));
  const config = path.join(dir, 'prometheus.yml');
  fs.writeFileSync(config, `# bench/metrics.js: no scrape configs, remote_write receiver only\nglobal:\n  scrape_interval: 1m\n${PROM_OOO ? 'storage:\n  tsdb:\n    out_of_order_time_window: 2d\n' : ''}`);
  const port = await freePort();
  fs.mkdirSync(logDir, { recursive: true });
  const logFile = path.join(logDir, 'prometheus.log');
  const fd = fs.openSync(logFile, 'w');
  const child = spawn(
    PROM_BIN,
    [`--config.file=${config}`, `--storage.tsdb.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--web.enable-remote-write-receiver', '--storage.tsdb.retention.time=30d'],
    { stdio: ['ignore', fd, fd] },
  );
  fs.closeSync(fd);
  let exited = null;
  const exitPromise = new Promise((resolve) => child.once('exit', (code, signal) => resolve((exited = { code, signal }))));
  child.once('error', (e) => log(`metrics: prometheus spawn error ${e.message}`));
  const killSync = () => {
    if (!exited) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', killSync);
  const stop = async () => {
    process.removeListener('exit', killSync);
    if (!exited) {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exitPromise;
      clearTimeout(t);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  let last = '';
  for (;;) {
    if (exited || Date.now() > deadline) {
      await stop();
      const tail = fs.readFileSync(logFile, 'utf8').split('\n').slice(-20).join('\n');
      throw new Error(`prometheus ${exited ? `exited (${JSON.stringify(exited)})` : 'was not ready within 60 s'} (last: ${last}):\n${tail}`);
    }
    try {
      const r = await fetch(`${base}/-/ready`, { signal: AbortSignal.timeout(3000) });
      last = `${r.status} ${(await r.text()).slice(0, 200)}`;
      if (r.status === 200) break;
    } catch (e) {
      last = String(e && e.message);
    }
    await sleep(200);
  }
  return { base, pid: child.pid, version, logFile, stop };
}

async function promInstant(base, headers, query, timeS) {
  const res = await fetch(`${base}/api/v1/query?${new URLSearchParams({ query, time: String(timeS) })}`, { headers });
  const json = await res.json();
  if (json.status !== 'success') throw new Error(`${query}: ${res.status} ${JSON.stringify(json).slice(0, 300)}`);
  return json.data.result.length ? Number(json.data.result[0].value[1]) : 0;
}

// ---------------------------------------------------------------- range queries

/** 3 warm-up then 20 measured sequential runs of each query; the time is until the whole body is received. */
async function measureQueries(apiBase, headers, data, log, label) {
  const out = [];
  for (const q of QUERIES) {
    const url = `${apiBase}/api/v1/query_range?${new URLSearchParams({ query: q.query, start: String(data.startMs / 1000), end: String(data.endMs / 1000), step: '60' })}`;
    const ms = [];
    let body = null;
    let error = null;
    for (let i = 0; i < QUERY_WARMUP + QUERY_RUNS && !error; i++) {
      const t = performance.now();
      const res = await fetch(url, { headers });
      const text = await res.text();
      const took = performance.now() - t;
      if (res.status !== 200) error = `${res.status} ${text.trim().slice(0, 500)}`;
      else if (i >= QUERY_WARMUP) ms.push(took);
      body = text;
    }
    let matrix = null;
    if (!error) {
      try {
        const json = JSON.parse(body);
        if (json.status !== 'success' || !json.data || json.data.resultType !== 'matrix') error = `not a success matrix: ${body.slice(0, 300)}`;
        else matrix = matrixOf(json);
      } catch (e) {
        error = `not JSON (${e.message}): ${body.slice(0, 300)}`;
      }
    }
    if (error) {
      log(`metrics: WARN ${label} ${q.name}: ${error}`);
      out.push({ error, matrix: null });
      continue;
    }
    ms.sort((a, b) => a - b);
    const points = [...matrix.values()].reduce((n, p) => n + p.size, 0);
    out.push({
      p50_ms: round1(pct(ms, 50)),
      p95_ms: round1(pct(ms, 95)),
      mean_ms: round1(ms.reduce((n, x) => n + x, 0) / ms.length),
      min_ms: round1(ms[0]),
      max_ms: round1(ms[ms.length - 1]),
      series: matrix.size,
      points,
      response_bytes: Buffer.byteLength(body),
      matrix,
    });
    log(`metrics: ${label} ${q.name}: p50 ${out[out.length - 1].p50_ms} ms, p95 ${out[out.length - 1].p95_ms} ms (${matrix.size} series, ${points} points)`);
  }
  return out;
}

// ---------------------------------------------------------------- the part

async function benchMetrics({ base, headers = {}, log, dist, storedSamples, compactionPending = async () => 0, quietPids = () => [], cpuDuring = async (fn) => ({ out: await fn(), cpu: null }), logDir = path.join(__dirname, 'results', 'logs') }) {
  const data = metricsData(dist);
  const requests = data.groups.reduce((n, g) => n + g.length, 0);
  const samples = data.groups.reduce((n, g) => n + g.reduce((m, r) => m + r.samples, 0), 0);
  const bytes = data.groups.reduce((n, g) => n + g.reduce((m, r) => m + r.body.length, 0), 0);
  log(
    `metrics: ${samples} samples (${SERIES} series × ${MINUTES} minutes, ${new Date(data.startMs).toISOString()} → ${new Date(data.endMs).toISOString()}) in ${requests} remote_write requests (${(bytes / 1024 / 1024).toFixed(1)} MiB, encoded in ${Math.round(data.encodeMs)} ms), ${IN_FLIGHT} senders`,
  );
  const expected = expectedResults(data);
  const result = {
    metric: METRIC,
    series: SERIES,
    samples_per_series: MINUTES,
    samples,
    step_s: STEP_MS / 1000,
    start: new Date(data.startMs).toISOString(),
    end: new Date(data.endMs).toISOString(),
    requests,
    request_bytes: bytes,
    samples_per_request: SERIES_PER_REQUEST * MINUTES_PER_REQUEST,
    in_flight: IN_FLIGHT,
    encode_ms: Math.round(data.encodeMs),
    prometheus: null,
    opsplane: null,
    queries: QUERIES.map((q) => ({ name: q.name, query: q.query, opsplane: null, prometheus: null, ratio_p50: null, agree: null })),
    ingest_ratio: null,
    targets: { ingest_ratio: INGEST_TARGET_RATIO, query_ratio_p50: QUERY_TARGET_RATIO },
    warnings: [],
  };
  const warn = (msg) => {
    result.warnings.push(msg);
    log(`metrics: WARN ${msg}`);
  };
  const rwHeaders = (h) => ({ ...Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v])), ...CONTENT_HEADERS });
  let prom = null;
  try {
    // Prometheus' ingest, alone.
    prom = await startPrometheus({ log, logDir });
    let promQueries = null;
    if (prom) {
      log(`metrics: ${prom.version} ready on ${prom.base}${PROM_OOO ? ' (out_of_order_time_window: 2d)' : ''}`);
      const { out: sent, cpu } = await withProcessCpu(prom.pid, () => sendAll(`${prom.base}/api/v1/write`, rwHeaders({}), data.groups, { retry: false }));
      if (sent.refused) warn(`prometheus refused ${sent.refused} requests (${sent.refused_samples} samples; statuses ${JSON.stringify(sent.statuses)}); first: ${sent.first_error}`);
      const settleMs = await settle(prom.pid);
      const stored = await promInstant(prom.base, {}, `sum(count_over_time(${METRIC}[${MINUTES}m]))`, data.endMs / 1000);
      if (stored !== samples) warn(`prometheus holds ${stored} samples of ${samples}`);
      result.prometheus = {
        version: prom.version,
        out_of_order_time_window: PROM_OOO ? '2d' : null,
        ingest: {
          ms: Math.round(sent.ms),
          samples_per_s: Math.round((sent.samples_ok / sent.ms) * 1000),
          samples_ok: sent.samples_ok,
          requests_ok: sent.requests_ok,
          refused: sent.refused,
          refused_samples: sent.refused_samples,
          statuses: sent.statuses,
          first_error: sent.first_error,
          cpu,
        },
        stored_samples: stored,
        settle_ms: settleMs,
      };
      log(`metrics: prometheus took ${sent.samples_ok} samples in ${Math.round(sent.ms)} ms (${result.prometheus.ingest.samples_per_s}/s; CPU: prometheus ${cpu.prometheus_pct} %, senders ${cpu.senders_pct} %, other ${cpu.other_pct} %), holds ${stored}; quiet again ${settleMs} ms later`);
    }

    // Opsplane's ingest, alone (Prometheus idle).
    if (base) {
      const before = await storedSamples();
      let sent = null;
      let storedMs = null;
      const { cpu } = await cpuDuring(async () => {
        sent = await sendAll(`${base}/api/prom/api/v1/write`, rwHeaders(headers), data.groups, { retry: true });
        const doneSending = performance.now();
        while (performance.now() - doneSending < STORED_WAIT_MS) {
          if ((await storedSamples()) - before >= sent.samples_ok) {
            storedMs = performance.now() - sent.t0;
            break;
          }
          await sleep(STORED_POLL_MS);
        }
      });
      const stored = (await storedSamples()) - before;
      if (storedMs === null) {
        storedMs = performance.now() - sent.t0;
        warn(`opsplane stored ${stored} of ${sent.samples_ok} accepted samples within ${STORED_WAIT_MS / 1000} s of the last request`);
      }
      if (sent.refused) warn(`opsplane refused ${sent.refused} requests (${sent.refused_samples} samples; statuses ${JSON.stringify(sent.statuses)}); first: ${sent.first_error}`);
      result.opsplane = {
        ingest: {
          accepted_ms: Math.round(sent.ms),
          accepted_per_s: Math.round((sent.samples_ok / sent.ms) * 1000),
          samples_ok: sent.samples_ok,
          requests_ok: sent.requests_ok,
          refused: sent.refused,
          refused_samples: sent.refused_samples,
          retried: sent.retried,
          statuses: sent.statuses,
          first_error: sent.first_error,
          stored,
          stored_ms: Math.round(storedMs),
          stored_per_s: Math.round((stored / storedMs) * 1000),
          cpu,
        },
      };
      // Settled: the hours that are over compacted (one chunk per series and hour), then the processes quiet.
      const t0 = performance.now();
      let pending = await compactionPending();
      while (pending > 0 && performance.now() - t0 < STORED_WAIT_MS) {
        await sleep(STORED_POLL_MS);
        pending = await compactionPending();
      }
      if (pending > 0) warn(`opsplane: ${pending} hours still to compact ${STORED_WAIT_MS / 1000} s after the ingest`);
      for (const pid of quietPids()) await settle(pid);
      result.opsplane.ingest.settle_ms = Math.round(performance.now() - t0);
      log(`metrics: opsplane accepted ${sent.samples_ok} samples in ${Math.round(sent.ms)} ms (${result.opsplane.ingest.accepted_per_s}/s), stored ${stored} in ${Math.round(storedMs)} ms (${result.opsplane.ingest.stored_per_s}/s end to end); compacted and quiet ${result.opsplane.ingest.settle_ms} ms later`);
      if (result.prometheus) result.ingest_ratio = +(result.opsplane.ingest.stored_per_s / result.prometheus.ingest.samples_per_s).toFixed(2);
    }

    // Range queries: each system alone, Opsplane first.
    const opsQueries = base ? await measureQueries(`${base}/api/prom`, headers, data, log, 'opsplane') : null;
    if (prom) promQueries = await measureQueries(prom.base, {}, data, log, 'prometheus');
    QUERIES.forEach((q, i) => {
      const r = result.queries[i];
      const sides = [
        ['opsplane', opsQueries && opsQueries[i]],
        ['prometheus', promQueries && promQueries[i]],
      ];
      for (const [name, m] of sides) {
        if (!m) continue;
        const { matrix, ...figures } = m;
        r[name] = figures;
        if (matrix) {
          const diffs = compareMatrices(expected[i], matrix, 'the data', name);
          r[name].matches_data = diffs.length === 0;
          if (diffs.length) warn(`${name} ${q.name} differs from the data sent (Prometheus 2.x semantics): ${diffs.join('; ')}`);
        }
      }
      const [o, p] = [opsQueries && opsQueries[i], promQueries && promQueries[i]];
      if (o && p && o.matrix && p.matrix) {
        const diffs = compareMatrices(p.matrix, o.matrix, 'prometheus', 'opsplane');
        r.agree = diffs.length === 0;
        if (diffs.length) warn(`${q.name}: opsplane and prometheus disagree: ${diffs.join('; ')}`);
        r.ratio_p50 = +(o.p50_ms / p.p50_ms).toFixed(2);
      }
    });
  } finally {
    if (prom) await prom.stop();
  }
  return result;
}

function metricsMarkdown(m) {
  if (!m) return [];
  const met = (ok) => (ok ? 'met' : 'NOT met');
  const ms = (x) => (x && x.p50_ms !== undefined ? `${x.p50_ms} / ${x.p95_ms} / ${x.mean_ms}` : x && x.error ? `error ${x.error.slice(0, 60)}` : '–');
  const p = m.prometheus;
  const o = m.opsplane && m.opsplane.ingest;
  const queryRows = m.queries.map(
    (q) =>
      `| \`${q.query.replace(/\|/g, '\\|')}\` | ${ms(q.opsplane)} | ${ms(q.prometheus)} | ${q.ratio_p50 ?? '–'} | ≤ ${m.targets.query_ratio_p50} | ${q.ratio_p50 === null ? '' : met(q.ratio_p50 <= m.targets.query_ratio_p50)}${q.agree === false ? ', results DIFFER' : ''} |`,
  );
  return [
    `Prometheus remote_write ingest (${m.samples} samples: ${m.series} series × ${m.samples_per_series} minutes; ${m.requests} requests of ${m.samples_per_request} samples, ${(m.request_bytes / 1024 / 1024).toFixed(1)} MiB, ${m.in_flight} senders, the same bodies for both) and range queries (24 h, step ${m.step_s} s), Opsplane beside ${p ? p.version.replace(/ \(.*$/, '') : 'Prometheus (not installed: skipped)'}:`,
    '',
    '| measurement | value | target | |',
    '| --- | ---: | ---: | --- |',
    ...(p ? [`| Prometheus: samples in its head (last 2xx) | ${p.ingest.samples_per_s} samples/s (${(p.ingest.ms / 1000).toFixed(1)} s${p.ingest.refused ? `; ${p.ingest.refused_samples} samples REFUSED` : ''}) | | |`] : []),
    ...(o
      ? [
          `| Opsplane: accepted by the gateway | ${o.accepted_per_s} samples/s (${(o.accepted_ms / 1000).toFixed(1)} s${o.refused ? `; ${o.refused_samples} samples REFUSED` : ''}) | | |`,
          `| Opsplane: stored and queryable, end to end | ${o.stored_per_s} samples/s (${o.stored} in ${(o.stored_ms / 1000).toFixed(1)} s${o.settle_ms !== undefined ? `; compacted and quiet ${(o.settle_ms / 1000).toFixed(1)} s later` : ''}) | ≥ ${m.targets.ingest_ratio} × Prometheus${p ? ` (${Math.round(p.ingest.samples_per_s * m.targets.ingest_ratio)})` : ''} | ${m.ingest_ratio === null ? '' : `${met(m.ingest_ratio >= m.targets.ingest_ratio && o.stored === m.samples)} (${m.ingest_ratio} ×)`} |`,
          ...(o.retried ? [`| Opsplane: requests refused (503/429) and retried | ${o.retried} | | |`] : []),
        ]
      : []),
    '',
    '| range query (24 h, step 60 s; 20 sequential runs after 3 warm-up) | Opsplane p50 / p95 / mean ms | Prometheus p50 / p95 / mean ms | ratio p50 | target | |',
    '| --- | ---: | ---: | ---: | ---: | --- |',
    ...queryRows,
    ...(p && p.ingest.cpu ? ['', `CPU during Prometheus' ingest (% of one core): prometheus ${p.ingest.cpu.prometheus_pct}, senders (this process) ${p.ingest.cpu.senders_pct}; other ${p.ingest.cpu.other_pct}, steal ${p.ingest.cpu.steal_pct}.`] : []),
    ...(o && o.cpu ? ['', `CPU during Opsplane's ingest (% of one core): ${Object.entries(o.cpu.by_process_pct).map(([k, v]) => `${k} ${v}`).join(', ')}; other ${o.cpu.other_pct}.`] : []),
    ...(m.warnings.length ? ['', ...m.warnings.map((w) => `- WARN ${w}`)] : []),
    '',
  ];
}

module.exports = { benchMetrics, metricsMarkdown, metricsData };

// `node bench/metrics.js --prometheus-only`: the Prometheus side alone (needs `npm run build`).
if (require.main === module) {
  if (!process.argv.includes('--prometheus-only')) {
    console.error('usage: node bench/metrics.js --prometheus-only   (the Opsplane side runs inside `npm run bench`)');
    process.exit(2);
  }
  const dist = path.join(path.resolve(__dirname, '..'), 'dist');
  if (!fs.existsSync(path.join(dist, 'libs/otlp/src/index.js'))) {
    console.error('dist/libs/otlp is missing: run `npm run build` first');
    process.exit(1);
  }
  if (!fs.existsSync(PROM_BIN)) {
    console.error(`${PROM_BIN} is missing: apt-get install -y prometheus (then \`service prometheus stop\`)`);
    process.exit(1);
  }
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));
  const log = (msg) => console.log(`[${new Date().toISOString().slice(11, 23)}] ${msg}`);
  benchMetrics({ base: null, log, dist, logDir: path.join(os.tmpdir(), 'opsplane-bench-metrics-logs') })
    .then((r) => {
      console.log(JSON.stringify(r, null, 2));
      console.log(metricsMarkdown(r).join('\n'));
    })
    .catch((e) => {
      console.error(e);
      process.exit(1);
    });
}
