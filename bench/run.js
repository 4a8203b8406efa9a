'use strict';
/**
 * Opsplane benchmark: gateway vs bare handler, and idle memory of the all-in-one process.
 * Run with `npm run bench` (builds first). See bench/README.md.
 *
 * Everything it starts is private to the run: its own nats-server on a free loopback port, its own
 * database (opsplane_bench, dropped and re-created) on the shared PostgreSQL, services on free
 * loopback ports. Every child is killed at the end, on error, on SIGINT/SIGTERM and on a global
 * deadline (BENCH_TIMEOUT_S).
 */
const crypto = require('node:crypto');
const { spawn, spawnSync, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { Client } = require('pg');
const autocannon = require('autocannon');
const { benchCmdb, cmdbMarkdown } = require('./cmdb');
const { benchTelemetry, telemetryMarkdown } = require('./telemetry');
const { benchMetrics, metricsMarkdown } = require('./metrics');

// ---------------------------------------------------------------- knobs
const int = (v, d) => (v !== undefined && v !== '' && Number.isFinite(Number(v)) ? Math.trunc(Number(v)) : d);
const CONNECTIONS = int(process.env.BENCH_CONNECTIONS, 32);
const DURATION_S = int(process.env.BENCH_DURATION_S, 15);
const WARMUP_S = int(process.env.BENCH_WARMUP_S, 3);
const IDLE_S = int(process.env.BENCH_IDLE_S, 10);
const SEED_ROWS = int(process.env.BENCH_SEED_ROWS, 100_000);
const SEED_CHANGES = int(process.env.BENCH_SEED_CHANGES, 20_000);
/** GET /api/organization/stats: a dashboard's request, measured with a few connections; target p95 (autocannon's p97.5 stands in) < 200 ms. */
const STATS_CONNECTIONS = int(process.env.BENCH_STATS_CONNECTIONS, 4);
const STATS_P95_TARGET_MS = 200;
const TIMEOUT_S = int(process.env.BENCH_TIMEOUT_S, 1800);
/** The CMDB import and impact measurement (bench/cmdb.js); BENCH_CMDB=0 skips it. */
const CMDB = process.env.BENCH_CMDB !== '0';
/** The OTLP log ingest measurement (bench/telemetry.js); BENCH_TELEMETRY=0 skips it. */
const TELEMETRY = process.env.BENCH_TELEMETRY !== '0';
/** Metric ingest by remote_write and range queries, side by side with Prometheus (bench/metrics.js); BENCH_METRICS=0 skips it. */
const METRICS = process.env.BENCH_METRICS !== '0';
const POOL_SIZE = 10; // the services' default DATABASE_POOL_SIZE
const PG_ADMIN_URL = process.env.BENCH_PG_ADMIN_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const DB_NAME = 'opsplane_bench';
const APP_ROLE = 'opsplane_incidents_app';
// Secrets of this run: random, as production would have them (no secret has a default).
const APP_PASSWORD = crypto.randomBytes(18).toString('base64url');
const NATS_BIN = process.env.BENCH_NATS_SERVER || '/usr/sbin/nats-server';
/** Extra node arguments for the gateway and services (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`). */
const NODE_ARGS = (process.env.BENCH_NODE_ARGS || '').split(/\s+/).filter(Boolean);
const JWT_SECRET = crypto.randomBytes(32).toString('base64url');
const CP_JWT_SECRET = crypto.randomBytes(32).toString('base64url');
const RATIO_TARGET = 0.5;
const RSS_TARGET_MB = 350;

const ROOT = path.resolve(__dirname, '..');
const REGISTRY = JSON.parse(fs.readFileSync(path.join(ROOT, 'libs/registry/services.json'), 'utf8')).services;
const DIST = path.join(ROOT, 'dist');
const RESULTS_DIR = path.join(__dirname, 'results');
const LOG_DIR = path.join(RESULTS_DIR, 'logs');

const ownerUrl = (() => {
  const u = new URL(PG_ADMIN_URL);
  u.pathname = `/${DB_NAME}`;
  return u.toString();
})();
const appUrl = (() => {
  const u = new URL(ownerUrl);
  u.username = APP_ROLE;
  u.password = APP_PASSWORD;
  return u.toString();
})();

// ---------------------------------------------------------------- bookkeeping
const t0 = Date.now();
const children = new Set();
let tmpDir;
let tearingDown = false;

function log(msg) {
  process.stdout.write(`[bench +${((Date.now() - t0) / 1000).toFixed(1)}s] ${msg}\n`);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort(preferred) {
  const tryPort = (p) =>
    new Promise((resolve) => {
      const s = net.createServer();
      s.unref();
      s.once('error', () => resolve(null));
      s.listen(p, '127.0.0.1', () => {
        const port = s.address().port;
        s.close(() => resolve(port));
      });
    });
  return (async () => (preferred && (await tryPort(preferred))) || (await tryPort(0)))();
}

function waitTcp(port, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const sock = net.connect(port, '127.0.0.1');
      sock.once('connect', () => {
        sock.destroy();
        resolve();
      });
      sock.once('error', () => {
        sock.destroy();
        if (Date.now() > deadline) reject(new Error(`port ${port} did not open within ${timeoutMs} ms`));
        else setTimeout(attempt, 100);
      });
    };
    attempt();
  });
}

/** A clean environment for children: nothing of the caller's DATABASE_URL / NATS_URL / OTEL leaks in. */
function baseEnv(extra) {
  const env = { PATH: process.env.PATH, HOME: process.env.HOME || os.tmpdir(), LANG: process.env.LANG || 'C.UTF-8' };
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = String(v);
  return env;
}

/** Spawns a long-running child with its output in bench/results/logs/<name>.log. */
function startChild(name, cmd, args, env) {
  const logFile = path.join(LOG_DIR, `${name}.log`);
  const fd = fs.openSync(logFile, 'w');
  const child = spawn(cmd, args, { cwd: ROOT, env, stdio: ['ignore', fd, fd] });
  fs.closeSync(fd);
  child.benchName = name;
  child.logFile = logFile;
  child.exited = false;
  child.exitInfo = null;
  child.exitPromise = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      child.exited = true;
      child.exitInfo = { code, signal };
      children.delete(child);
      resolve(child.exitInfo);
    });
  });
  child.once('error', (e) => log(`${name}: spawn error ${e.message}`));
  children.add(child);
  return child;
}

async function stopChild(child, graceMs = 8000) {
  if (!child || child.exited) return child && child.exitInfo;
  try {
    process.kill(child.pid, 'SIGTERM');
  } catch {
    /* already gone */
  }
  const t = setTimeout(() => {
    try {
      if (!child.exited) process.kill(child.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }, graceMs);
  const info = await child.exitPromise;
  clearTimeout(t);
  return info;
}

function tail(file, lines = 30) {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

function killAllSync() {
  for (const c of children) {
    try {
      process.kill(c.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  if (tmpDir) {
    try {
      fs.rmSync(tmpDir, { recursive: true, force: true });
    } catch {
      /* ignore */
    }
    tmpDir = undefined;
  }
}

async function teardown() {
  if (tearingDown) return;
  tearingDown = true;
  await Promise.all([...children].map((c) => stopChild(c, 5000)));
  killAllSync();
}

process.on('exit', killAllSync);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    log(`${sig}: tearing down`);
    void teardown().finally(() => process.exit(130));
  });
}
const watchdog = setTimeout(() => {
  log(`global deadline of ${TIMEOUT_S} s reached: tearing down`);
  void teardown().finally(() => process.exit(3));
}, TIMEOUT_S * 1000);
watchdog.unref();

function runNodeSync(name, script, args, env, timeoutMs = 90_000) {
  const r = spawnSync(process.execPath, [script, ...args], { cwd: ROOT, env, encoding: 'utf8', timeout: timeoutMs });
  fs.writeFileSync(path.join(LOG_DIR, `${name}.log`), `${r.stdout || ''}${r.stderr || ''}`);
  if (r.error) throw new Error(`${name}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${name} exited with ${r.status}: ${(r.stderr || r.stdout || '').trim().slice(-2000)}`);
  return r.stdout;
}

async function withPg(url, fn) {
  const c = new Client({ connectionString: url, application_name: 'opsplane-bench' });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

function rssOf(pid) {
  try {
    const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k) => Number((new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s) || [])[1] || NaN);
    return { rss_mb: +(kb('VmRSS') / 1024).toFixed(1), hwm_mb: +(kb('VmHWM') / 1024).toFixed(1) };
  } catch {
    return { rss_mb: null, hwm_mb: null };
  }
}

async function waitHttp(url, child, timeoutMs, okStatus = 200) {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (child && child.exited) throw new Error(`${child.benchName} exited (${JSON.stringify(child.exitInfo)}) before ${url} was ready:\n${tail(child.logFile)}`);
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(3000) });
      last = `${r.status} ${(await r.text()).slice(0, 300)}`;
      if (r.status === okStatus) return;
    } catch (e) {
      last = String(e && e.message);
    }
    await sleep(250);
  }
  throw new Error(`${url} not ready within ${timeoutMs} ms (last: ${last})`);
}

// ---------------------------------------------------------------- setup steps
async function resetDatabase() {
  await withPg(PG_ADMIN_URL, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${DB_NAME}`);
  });
}

async function seed(tenantId) {
  return withPg(ownerUrl, async (c) => {
    await c.query('SELECT setseed(0.42)');
    // Mixed statuses (mostly closed/resolved, as in a live tenant) and priorities, created over 90 days,
    // numbered in creation order. The owner (superuser) bypasses row-level security here.
    await c.query(
      `WITH s AS (
         SELECT now() - random() * interval '90 days' AS ts, random() AS rs, random() AS rp, random() AS ra
         FROM generate_series(1, $2::int)
       ), t AS (
         SELECT row_number() OVER (ORDER BY ts) AS n, ts, ra,
           CASE WHEN rs < 0.05 THEN 'triggered' WHEN rs < 0.15 THEN 'open' WHEN rs < 0.23 THEN 'acknowledged'
                WHEN rs < 0.30 THEN 'investigating' WHEN rs < 0.55 THEN 'resolved' WHEN rs < 0.95 THEN 'closed'
                ELSE 'reopened' END AS st,
           CASE WHEN rp < 0.10 THEN 1 WHEN rp < 0.35 THEN 2 WHEN rp < 0.75 THEN 3 ELSE 4 END AS pr
         FROM s
       )
       INSERT INTO incidents.incidents (id, tenant_id, number, title, description, status, priority_rank, source, assigned_to,
         affected_services, tags, created_at, updated_at, triggered_at, opened_at, acknowledged_at, investigating_at,
         resolved_at, closed_at, reopened_at, resolved_by, resolution_notes, version)
       SELECT gen_random_uuid(), $1::uuid, n,
         'Seeded incident ' || n || ' on service-' || (n % 50),
         'Synthetic incident created by the benchmark seed (' || st || ', P' || pr || ')',
         st, pr, (ARRAY['monitoring','email','api','webhook'])[1 + (n % 4)::int],
         CASE WHEN ra < 0.6 THEN 'oncall-' || (n % 25) || '@example.com' END,
         ARRAY['service-' || (n % 50)], ARRAY['env:' || (ARRAY['prod','staging'])[1 + (n % 2)::int]],
         ts, ts + interval '2 hours',
         CASE WHEN st = 'triggered' THEN ts END,
         CASE WHEN st <> 'triggered' THEN ts END,
         CASE WHEN st IN ('acknowledged','investigating','resolved','closed','reopened') THEN ts + interval '10 minutes' END,
         CASE WHEN st IN ('investigating','resolved','closed','reopened') THEN ts + interval '20 minutes' END,
         CASE WHEN st IN ('resolved','closed','reopened') THEN ts + interval '1 hour' END,
         CASE WHEN st = 'closed' THEN ts + interval '2 hours' END,
         CASE WHEN st = 'reopened' THEN ts + interval '2 hours' END,
         CASE WHEN st IN ('resolved','closed','reopened') THEN 'bench@example.com' END,
         CASE WHEN st IN ('resolved','closed','reopened') THEN 'Fixed by the benchmark seed' END,
         CASE WHEN st IN ('triggered','open') THEN 1 ELSE 2 END
       FROM t ORDER BY n`,
      [tenantId, SEED_ROWS],
    );
    // Their SLA timers under the default policy (24x7): response and resolution, stopped when the incident moved on,
    // a tenth of those stopped late (breached).
    await c.query(
      `INSERT INTO incidents.sla_timers (tenant_id, record_id, kind, record_type, reference, priority, policy_id, policy, calendar, target_ms, at_risk_ms,
         started_at, consumed_ms, running_since, paused_intervals, at_risk_at, due_at, stopped_at, cancelled, next_notify_at, updated_at)
       SELECT i.tenant_id, i.id, k.kind, 'incident', 'INC-' || lpad(i.number::text, 8, '0'), (ARRAY['critical','high','medium','low'])[i.priority_rank],
         $2::uuid, '{"name": "Default"}'::jsonb, '{"timezone": "UTC", "always": true, "days": [1,2,3,4,5,6,7], "start": "00:00", "end": "24:00", "holidays": []}'::jsonb,
         t.ms, t.ms * 0.8, i.created_at, CASE WHEN s.stop IS NULL THEN 0 ELSE extract(epoch FROM s.stop - i.created_at) * 1000 END,
         CASE WHEN s.stop IS NULL THEN i.created_at END, '[]'::jsonb,
         CASE WHEN s.stop IS NULL OR s.late THEN i.created_at + t.ms * interval '0.8 ms' END,
         CASE WHEN s.stop IS NULL OR s.late THEN i.created_at + t.ms * interval '1 ms' END,
         s.stop, false, NULL, i.updated_at
       FROM incidents.incidents i
       CROSS JOIN (VALUES ('response'), ('resolution')) k(kind)
       CROSS JOIN LATERAL (SELECT (CASE WHEN k.kind = 'response' THEN (ARRAY[15, 30, 240, 480])[i.priority_rank] ELSE (ARRAY[240, 480, 1440, 4320])[i.priority_rank] END) * 60000::bigint AS ms) t
       CROSS JOIN LATERAL (SELECT CASE WHEN k.kind = 'response' THEN COALESCE(i.acknowledged_at, i.resolved_at, i.closed_at) ELSE CASE WHEN i.status IN ('resolved', 'closed') THEN COALESCE(i.resolved_at, i.closed_at) END END AS stop,
                                  i.number % 10 = 0 AS late) s
       WHERE i.tenant_id = $1`,
      [tenantId, '00000000-0000-5000-8000-000000000000'],
    );
    await c.query(
      `INSERT INTO incidents.incident_counters (tenant_id, last_number) VALUES ($1, $2)
       ON CONFLICT (tenant_id) DO UPDATE SET last_number = EXCLUDED.last_number`,
      [tenantId, SEED_ROWS],
    );
    // 20,000 changes over the same 90 days (for the organization stats): a mix of types, statuses and windows.
    await c.query(
      `WITH s AS (SELECT n, now() - random() * interval '90 days' AS ts, random() AS rs, random() AS rt FROM generate_series(1, $2::int) n)
       INSERT INTO itsm.changes (id, tenant_id, number, title, type, status, priority, risk_level, approval_status, risk_score, computed_risk_level,
         approval_rule, requested_by, ci_ids, scheduled_start, scheduled_end, actual_start, actual_end, backout_performed, created_at, updated_at)
       SELECT gen_random_uuid(), $1::uuid, n, 'Seeded change ' || n,
         CASE WHEN rt < 0.5 THEN 'standard' WHEN rt < 0.95 THEN 'normal' ELSE 'emergency' END,
         CASE WHEN rs < 0.05 THEN 'pending_approval' WHEN rs < 0.10 THEN 'scheduled' WHEN rs < 0.85 THEN 'closed' WHEN rs < 0.95 THEN 'completed' ELSE 'failed' END,
         'medium', 'low', 'approved', 25, 'medium', '{"approvals":1,"manager_approvals":0}'::jsonb, 'bench@example.com', ARRAY['ci-' || (n % 500)],
         ts, ts + interval '2 hours',
         CASE WHEN rs >= 0.10 THEN ts END, CASE WHEN rs >= 0.10 THEN ts + interval '1 hour' END,
         CASE WHEN rs >= 0.95 THEN true END, ts, ts
       FROM s`,
      [tenantId, SEED_CHANGES],
    );
    await c.query(`INSERT INTO itsm.change_counters (tenant_id, last_number) VALUES ($1, $2) ON CONFLICT (tenant_id) DO UPDATE SET last_number = EXCLUDED.last_number`, [tenantId, SEED_CHANGES]);
    await c.query('VACUUM ANALYZE itsm.changes');
    await c.query('VACUUM ANALYZE incidents.incidents');
    await c.query('VACUUM ANALYZE incidents.incident_counters');
    await c.query('VACUUM ANALYZE incidents.sla_timers');
    await c.query('VACUUM ANALYZE incidents.incident_daily_stats'); // what autovacuum does after the seed's 100k trigger upserts
    const { rows } = await c.query(
      `SELECT count(*)::int AS total, count(*) FILTER (WHERE status = 'open' AND priority_rank = 1)::int AS open_p1
       FROM incidents.incidents WHERE tenant_id = $1`,
      [tenantId],
    );
    return rows[0];
  });
}

/** Rows created by a create benchmark: incidents (timeline cascades) and outbox events. */
async function benchRowStats(tenantId) {
  return withPg(ownerUrl, async (c) => {
    const { rows } = await c.query(
      `SELECT (SELECT count(*)::int FROM incidents.incidents WHERE tenant_id = $1 AND source = 'bench') AS incidents,
              (SELECT count(*)::int FROM incidents.incident_timeline t JOIN incidents.incidents i ON i.id = t.incident_id
                 WHERE i.tenant_id = $1 AND i.source = 'bench') AS timeline,
              (SELECT count(*)::int FROM incidents.outbox WHERE tenant_id = $1) AS outbox,
              (SELECT count(*)::int FROM incidents.outbox WHERE tenant_id = $1 AND published_at IS NULL) AS outbox_pending,
              (SELECT last_number::int FROM incidents.incident_counters WHERE tenant_id = $1) AS counter,
              (SELECT count(*)::int FROM (SELECT number FROM incidents.incidents WHERE tenant_id = $1 AND source = 'bench'
                 GROUP BY number HAVING count(*) > 1) d) AS duplicate_numbers`,
      [tenantId],
    );
    return rows[0];
  });
}

/** Puts the database back to the seeded state so both sides start equal. */
async function cleanupBenchRows(tenantId) {
  await withPg(ownerUrl, async (c) => {
    // The seed writes no timeline, comment or outbox rows: every such row is the benchmark's. Truncating them
    // first also keeps the cascade from incidents cheap (incident_timeline has no index led by incident_id).
    await c.query(`TRUNCATE incidents.incident_timeline, incidents.incident_comments, incidents.outbox, incidents.inbox`);
    await c.query(`DELETE FROM incidents.sla_timers WHERE record_id IN (SELECT id FROM incidents.incidents WHERE tenant_id = $1 AND source = 'bench')`, [tenantId]);
    await c.query(`DELETE FROM incidents.incidents WHERE tenant_id = $1 AND source = 'bench'`, [tenantId]);
    for (const t of ['incidents', 'incident_timeline', 'outbox', 'incident_counters', 'sla_timers']) await c.query(`VACUUM ANALYZE incidents.${t}`);
  });
}

async function outboxPending(tenantId) {
  return withPg(ownerUrl, async (c) => {
    const { rows } = await c.query(`SELECT count(*)::int AS n FROM incidents.outbox WHERE tenant_id = $1 AND published_at IS NULL`, [tenantId]);
    return rows[0].n;
  });
}

// ---------------------------------------------------------------- load
function cannon(base, { method, path: p, headers, body }, durationS, connections = CONNECTIONS) {
  const samples = [];
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: base,
        connections,
        duration: durationS,
        timeout: 10,
        method,
        headers,
        body,
        requests: [
          {
            method,
            path: p,
            headers,
            body,
            onResponse: (status, resBody) => {
              if ((status < 200 || status >= 300) && samples.length < 5) samples.push({ status, body: String(resBody).slice(0, 400) });
            },
          },
        ],
      },
      (err, res) => (err ? reject(err) : resolve({ res, samples })),
    );
  });
}

function summarize(label, { res, samples }) {
  const ok = res['2xx'] || 0;
  return {
    label,
    req_per_s_mean: +res.requests.mean.toFixed(1),
    ok_per_s: +(ok / res.duration).toFixed(1),
    latency_p50_ms: res.latency.p50,
    latency_p97_5_ms: res.latency.p97_5,
    latency_p99_ms: res.latency.p99,
    latency_mean_ms: +res.latency.average.toFixed(2),
    latency_max_ms: res.latency.max,
    requests_total: res.requests.total,
    responses_2xx: ok,
    non_2xx: res.non2xx,
    errors: res.errors,
    timeouts: res.timeouts,
    status_codes: Object.fromEntries(Object.entries(res.statusCodeStats || {}).map(([k, v]) => [k, v.count])),
    non_2xx_samples: samples,
    duration_s: res.duration,
  };
}

/** Machine-wide busy CPU (jiffies) and the CPU of given pids, to tell the load of this run from other work on the machine. */
function machineJiffies() {
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal
  return { busy: f[0] + f[1] + f[2] + (f[5] || 0) + (f[6] || 0), steal: f[7] || 0 };
}
function pidJiffies(pid) {
  try {
    const st = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]);
  } catch {
    return 0;
  }
}
async function benchPids() {
  const pids = [process.pid, ...[...children].map((c) => c.pid)];
  try {
    await withPg(PG_ADMIN_URL, async (c) => {
      const { rows } = await c.query(`SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [DB_NAME]);
      for (const r of rows) pids.push(r.pid);
    });
  } catch {
    /* best effort */
  }
  return pids;
}
async function cpuDuring(fn) {
  const pids = await benchPids();
  const loadBefore = os.loadavg()[0];
  const m0 = machineJiffies();
  const p0 = new Map(pids.map((p) => [p, pidJiffies(p)]));
  const w0 = Date.now();
  const out = await fn();
  const wall = (Date.now() - w0) / 1000;
  const m1 = machineJiffies();
  // backends opened during the run are counted from zero
  for (const p of await benchPids()) if (!p0.has(p)) p0.set(p, 0);
  let mine = 0;
  const names = new Map([[process.pid, 'autocannon (this process)'], ...[...children].map((c) => [c.pid, c.benchName])]);
  const byProcess = {};
  for (const [p, j] of p0) {
    const d = Math.max(0, pidJiffies(p) - j);
    mine += d;
    const name = names.get(p) || 'postgres backends';
    byProcess[name] = (byProcess[name] || 0) + d;
  }
  const hz = 100; // USER_HZ on Linux
  const busyPct = ((m1.busy - m0.busy) / hz / wall) * 100;
  const minePct = (mine / hz / wall) * 100;
  return {
    out,
    cpu: {
      cores: os.cpus().length,
      machine_busy_pct: +busyPct.toFixed(0),
      bench_pct: +minePct.toFixed(0),
      other_pct: +Math.max(0, busyPct - minePct).toFixed(0),
      // CPU the hypervisor gave to other guests while this VM wanted it: invisible slowdown
      steal_pct: +(((m1.steal - m0.steal) / hz / wall) * 100).toFixed(0),
      load_avg_1m_before: +loadBefore.toFixed(2),
      by_process_pct: Object.fromEntries(Object.entries(byProcess).map(([k, v]) => [k, +((v / hz / wall) * 100).toFixed(0)])),
    },
  };
}

async function measure(label, base, req, connections = CONNECTIONS) {
  let warm = null;
  if (WARMUP_S > 0) {
    log(`${label}: warm-up ${WARMUP_S} s`);
    warm = summarize(`${label} (warm-up)`, await cannon(base, req, WARMUP_S, connections));
  }
  log(`${label}: measuring ${DURATION_S} s x ${connections} connections`);
  const { out, cpu } = await cpuDuring(() => cannon(base, req, DURATION_S, connections));
  const m = summarize(label, out);
  cpu.bench_cpu_ms_per_request = m.req_per_s_mean ? +((cpu.bench_pct * 10) / m.req_per_s_mean).toFixed(2) : null;
  m.cpu = cpu;
  m.warmup = warm && { responses_2xx: warm.responses_2xx, non_2xx: warm.non_2xx, errors: warm.errors, timeouts: warm.timeouts, req_per_s_mean: warm.req_per_s_mean };
  log(
    `${label}: ${m.req_per_s_mean} req/s, p50 ${m.latency_p50_ms} ms, p99 ${m.latency_p99_ms} ms, non-2xx ${m.non_2xx}, errors ${m.errors}; ` +
      `CPU % (of ${cpu.cores * 100}): machine ${cpu.machine_busy_pct}, this benchmark ${cpu.bench_pct}, other work ${cpu.other_pct}, steal ${cpu.steal_pct}`,
  );
  return m;
}

/** One request by hand before the load, so a broken route fails loudly instead of measuring error pages. */
async function sanity(label, base, req, check) {
  const r = await fetch(base + req.path, { method: req.method, headers: req.headers, body: req.body });
  const text = await r.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (r.status < 200 || r.status >= 300 || !json || !check(json)) throw new Error(`${label} sanity request failed: ${r.status} ${text.slice(0, 500)}`);
  return json;
}

/** Counts error/warning lines of a service log and keeps the distinct messages. */
function logSummary(file) {
  let text = '';
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  const lines = text.split('\n').filter(Boolean);
  // eslint-disable-next-line no-control-regex
  const strip = (l) => l.replace(/\x1b\[[0-9;]*m/g, '');
  const errors = lines.filter((l) => /\b(ERROR|FATAL)\b/.test(strip(l)) || /"level":\s*"?(error|fatal|50|60)/i.test(l) || /^[\w-]+ error:/.test(l));
  const warns = lines.filter((l) => /\bWARN\b/.test(strip(l)) || /"level":\s*"?(warn|40)/i.test(l) || /^\(node:\d+\) .*Warning/.test(l));
  const distinct = (arr) => {
    const m = new Map();
    for (const l of arr) {
      const key = strip(l)
        .replace(/^\[Nest\]\s+\d+\s+-\s+[^A-Z]*?(?=\s+(ERROR|WARN|LOG|FATAL))/, '[Nest]')
        .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<uuid>')
        .replace(/\+\d+ms$/, '')
        .replace(/^\(node:\d+\)/, '(node)')
        .trim()
        .slice(0, 300);
      m.set(key, (m.get(key) || 0) + 1);
    }
    return [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([message, count]) => ({ count, message }));
  };
  return { lines: lines.length, error_lines: errors.length, warn_lines: warns.length, top_errors: distinct(errors), top_warnings: distinct(warns) };
}

// ---------------------------------------------------------------- report
const fmt = (n, d = 0) => (n === null || n === undefined || Number.isNaN(n) ? 'n/a' : Number(n).toFixed(d));

function markdown(r) {
  const R = r.results;
  const row = (name, m) =>
    `| ${name} | ${fmt(m.req_per_s_mean, 0)} | ${fmt(m.latency_p50_ms)} | ${fmt(m.latency_p99_ms)} | ${m.responses_2xx} | ${m.non_2xx} | ${m.errors + m.timeouts} | ${m.cpu.bench_pct} / ${m.cpu.other_pct} / ${m.cpu.steal_pct} | ${fmt(m.cpu.bench_cpu_ms_per_request, 1)} |`;
  const ratioRow = (name, x) => `| ${name} | ${fmt(x.ratio, 2)} | ${fmt(x.ratio_2xx, 2)} | ${x.met ? 'met' : 'NOT met'} |`;
  const lines = [
    `# Opsplane benchmark`,
    ``,
    `${r.date} · commit \`${r.commit}\`${r.dirty ? ' (working tree had uncommitted changes)' : ''} · ${r.machine.cpus} × ${r.machine.cpu_model} · ${fmt(r.machine.total_mem_gb, 1)} GB RAM · Node ${r.machine.node}`,
    ``,
    `${r.config.connections} connections, ${r.config.duration_s} s per measurement (after a ${r.config.warmup_s} s warm-up), ${r.seed.total} seeded incidents (${r.seed.open_p1} open P1), pool size ${r.config.pool_size}.`,
    ``,
    `| measurement | req/s (mean) | p50 ms | p99 ms | 2xx | non-2xx | errors+timeouts | CPU % bench / other / steal | CPU ms / req |`,
    `| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |`,
    row('gateway POST /api/incidents', R.gateway_create),
    row('bare    POST /api/incidents', R.bare_create),
    row('gateway GET /api/incidents?status=open&severity=P1&limit=50', R.gateway_list),
    row('bare    GET /api/incidents?status=open&severity=P1&limit=50', R.bare_list),
    ...(R.gateway_stats ? [row(`gateway GET /api/organization/stats (${STATS_CONNECTIONS} connections)`, R.gateway_stats)] : []),
    ``,
    ...(R.gateway_stats
      ? [
          `Organization stats over ${r.seed.total} incidents and ${SEED_CHANGES} changes: p97.5 ${fmt(R.gateway_stats.latency_p97_5_ms)} ms (target: p95 < ${STATS_P95_TARGET_MS} ms; p97.5 >= p95) — ${R.gateway_stats.latency_p97_5_ms < STATS_P95_TARGET_MS ? 'met' : 'NOT met'}.`,
          ``,
        ]
      : []),
    ...(r.cmdb ? [...cmdbMarkdown(r.cmdb).slice(1), ``] : []),
    ...telemetryMarkdown(r.telemetry),
    ...(r.metrics ? metricsMarkdown(r.metrics) : []),
    `CPU %: share of the machine's ${r.machine.cpus * 100} % used by this benchmark (its processes and its database backends) and by anything else (other tests, PostgreSQL background work) during the measured ${r.config.duration_s} s, and CPU stolen by the hypervisor (steal); CPU ms / req: the benchmark's CPU time (all its processes and database backends) per request.` +
      (Object.values(R).some((m) => m.cpu.other_pct > 25 || m.cpu.steal_pct > 10)
        ? ` **Other work (> 25 % of a core) or steal (> 10 %) during some measurements: the numbers are noisy; re-run on a quiet machine.**`
        : ''),
    ``,
    `CPU by process (% of one core): ` +
      Object.entries(R)
        .map(([k, m]) => `${k}: ${Object.entries(m.cpu.by_process_pct).filter(([, v]) => v > 0).map(([p, v]) => `${p} ${v}`).join(', ')}`)
        .join('; ') +
      '.',
    ``,
    `| gateway / bare (target >= ${RATIO_TARGET}) | req/s ratio | 2xx/s ratio | target |`,
    `| --- | ---: | ---: | --- |`,
    ratioRow('create', r.ratios.create),
    ratioRow('list', r.ratios.list),
    ``,
    `| idle memory (all-in-one, ${r.idle_memory.idle_s} s idle) | VmRSS MB | target | |`,
    `| --- | ---: | ---: | --- |`,
    `| node dist/services/standalone/src/main.js | ${fmt(r.idle_memory.standalone.rss_mb, 1)} | ${RSS_TARGET_MB} | ${r.idle_memory.met ? 'met' : 'NOT met'} |`,
    ``,
    `Separate processes, VmRSS MB idle → after load: ` +
      Object.entries(r.service_memory)
        .map(([k, v]) => `${k} ${fmt(v.idle.rss_mb, 0)} → ${fmt(v.after_load.rss_mb, 0)}`)
        .join(', ') +
      '.',
    ``,
    `Checks: ${r.checks.non_2xx_total} non-2xx responses and ${r.checks.errors_total} socket errors/timeouts in the measured runs; ` +
      `list totals gateway=${r.checks.list_total_gateway} bare=${r.checks.list_total_bare}; ` +
      `gateway create: ${r.checks.gateway_create_rows.incidents} incidents rows for ${r.checks.gateway_create_rows.responses_2xx} 2xx (warm-up included), ` +
      `outbox pending right after the run ${r.checks.outbox_pending_after_gateway_create}, drained in ${r.checks.outbox_drain_ms === null ? 'n/a (not within 30 s)' : `${r.checks.outbox_drain_ms} ms`}; ` +
      `bare create: ${r.checks.bare_create_rows.incidents} rows for ${r.checks.bare_create_rows.responses_2xx} 2xx.`,
    ``,
    `Service log lines during the run (error / warn): ` +
      Object.entries(r.service_logs)
        .map(([k, v]) => `${k} ${v ? `${v.error_lines} / ${v.warn_lines}` : 'n/a'}`)
        .join(', ') +
      '.',
  ];
  for (const [k, v] of Object.entries(r.service_logs)) {
    if (v && (v.top_errors.length || v.top_warnings.length)) {
      lines.push('', `${k}:`);
      for (const e of [...v.top_errors, ...v.top_warnings]) lines.push(`- ${e.count} × \`${e.message.replace(/`/g, "'")}\``);
    }
  }
  for (const [k, m] of Object.entries(R)) {
    if (m.non_2xx_samples.length) {
      lines.push('', `${k} non-2xx samples:`);
      for (const s of m.non_2xx_samples) lines.push(`- ${s.status}: \`${s.body.replace(/`/g, "'")}\``);
    }
  }
  lines.push('', `Raw numbers: bench/results/latest.json. Logs of this run: bench/results/logs/.`, '');
  return lines.join('\n');
}

// ---------------------------------------------------------------- main
async function main() {
  for (const f of ['tools/migrate.js', 'tools/cli.js', ...REGISTRY.map((x) => `services/${x.name}/src/main.js`)]) {
    if (!fs.existsSync(path.join(DIST, f))) throw new Error(`dist/${f} is missing: run \`npm run build\` first (or use \`npm run bench\`)`);
  }
  fs.mkdirSync(LOG_DIR, { recursive: true });
  for (const f of fs.readdirSync(LOG_DIR)) if (f.endsWith('.log')) fs.rmSync(path.join(LOG_DIR, f));
  tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'opsplane-bench-'));

  // 1. private NATS
  const natsPort = await freePort(14222);
  const nats = startChild('nats', NATS_BIN, ['-a', '127.0.0.1', '-p', String(natsPort), '-js', '-sd', path.join(tmpDir, 'jetstream')], baseEnv({}));
  await waitTcp(natsPort, 10_000);
  const natsUrl = `nats://127.0.0.1:${natsPort}`;
  log(`private nats-server on ${natsUrl} (pid ${nats.pid})`);

  // 2. database, migrations, tenant, seed
  await resetDatabase();
  log(`database ${DB_NAME} re-created`);
  const toolEnv = baseEnv({ DATABASE_URL: ownerUrl, LOG_LEVEL: 'warn', NODE_ENV: 'production', JWT_SECRET, CP_JWT_SECRET, DATABASE_APP_PASSWORD: APP_PASSWORD });
  let t = Date.now();
  runNodeSync('migrate', path.join(DIST, 'tools/migrate.js'), [], toolEnv);
  const migrateMs = Date.now() - t;
  const cliOut = runNodeSync('tenant-create', path.join(DIST, 'tools/cli.js'), ['tenant', 'create', '--name', 'Bench', '--plan', 'enterprise', '--admin-email', 'bench@example.com', '--admin-password', 'bench-password-1'], toolEnv);
  const tenant = JSON.parse(cliOut.slice(cliOut.indexOf('{'), cliOut.lastIndexOf('}') + 1));
  const tenantId = tenant.tenant_id;
  log(`migrated in ${migrateMs} ms; tenant ${tenantId}`);
  t = Date.now();
  const seeded = await seed(tenantId);
  const seedMs = Date.now() - t;
  log(`seeded ${seeded.total} incidents (${seeded.open_p1} open P1) in ${seedMs} ms`);

  // 3. the services, as separate processes
  const gatewayPort = await freePort();
  const svcEnv = (extra) =>
    baseEnv({ DATABASE_URL: ownerUrl, NATS_URL: natsUrl, MIGRATE_ON_START: 'false', LOG_LEVEL: 'warn', NODE_ENV: 'production', JWT_SECRET, CP_JWT_SECRET, DATABASE_APP_PASSWORD: APP_PASSWORD, ...extra });
  // Every service of the registry (libs/registry/services.json) as its own process, in start order.
  const backends = REGISTRY.filter((x) => x.role === 'service').map((x) =>
    startChild(
      x.name,
      process.execPath,
      [...NODE_ARGS, path.join(DIST, `services/${x.name}/src/main.js`)],
      svcEnv(
        x.name === 'control-plane'
          ? { CP_ADMIN_EMAIL: 'operator@bench.test', CP_ADMIN_PASSWORD: 'bench-operator-password' }
          : // The metrics part queries settled data: the compactor starts right after the ingest instead of within a minute.
            x.name === 'telemetry'
            ? { TELEMETRY_COMPACT_INTERVAL_MS: '5000' }
            : {},
      ),
    ),
  );
  const gateway = startChild('gateway', process.execPath, [...NODE_ARGS, path.join(DIST, 'services/gateway/src/main.js')], svcEnv({ PORT: gatewayPort, HOST: '127.0.0.1', REDIS_URL: process.env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379', RATE_LIMIT_PER_CREDENTIAL_PER_MIN: '0' }));
  const gwBase = `http://127.0.0.1:${gatewayPort}`;
  t = Date.now();
  await Promise.race([
    waitHttp(`${gwBase}/health/ready`, gateway, 60_000),
    ...backends.map((c) => c.exitPromise.then((i) => Promise.reject(new Error(`${c.benchName} exited ${JSON.stringify(i)}:\n${tail(c.logFile)}`)))),
  ]);
  log(`services ready in ${Date.now() - t} ms (gateway on ${gwBase})`);
  await sleep(2000);
  const serviceMemory = {};
  for (const c of [gateway, ...backends]) serviceMemory[c.benchName] = { idle: rssOf(c.pid) };

  // The limiter stays on (its cost is measured) but the tenant's limit is set far above the load.
  const opLogin = await fetch(`${gwBase}/cp/api/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'operator@bench.test', password: 'bench-operator-password' }),
  });
  const opToken = (await opLogin.json()).data.token;
  const patched = await fetch(`${gwBase}/cp/api/tenants/${tenantId}`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${opToken}` },
    body: JSON.stringify({ limits: { api_requests_per_minute: 10_000_000 } }),
  });
  if (!patched.ok) throw new Error(`raising the bench tenant's rate limit failed: ${patched.status} ${await patched.text()}`);

  // 4. log in
  const login = await fetch(`${gwBase}/api/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-tenant-id': tenantId },
    body: JSON.stringify({ email: 'bench@example.com', password: 'bench-password-1' }),
  });
  const loginBody = await login.json().catch(() => ({}));
  if (login.status !== 200 && login.status !== 201) throw new Error(`login failed: ${login.status} ${JSON.stringify(loginBody)}`);
  const token = loginBody.data && loginBody.data.token;
  if (!token) throw new Error(`login answered without a token: ${JSON.stringify(loginBody).slice(0, 300)}`);
  const user = loginBody.data.user || tenant.owner || {};
  log(`logged in as ${user.email} (${user.id})`);

  const authHeaders = { authorization: `Bearer ${token}`, 'x-tenant-id': tenantId, accept: 'application/json' };
  const createReq = {
    method: 'POST',
    path: '/api/incidents',
    headers: { ...authHeaders, 'content-type': 'application/json' },
    body: JSON.stringify({ title: 'bench incident', severity: 'P2', source: 'bench' }),
  };
  const listReq = { method: 'GET', path: '/api/incidents?status=open&severity=P1&limit=50', headers: authHeaders };
  const isIncident = (j) => j.data && typeof j.data.id === 'string' && /^INC-\d+$/.test(j.data.reference) && j.data.severity === 'P2';
  const isPage = (j) => j.data && Array.isArray(j.data.items) && j.data.items.length === Math.min(50, seeded.open_p1) && j.data.items.every((i) => i.status === 'open' && i.severity === 'P1');

  // 5a/5b. through the gateway
  const results = {};
  const gwList = await sanity('gateway list', gwBase, listReq, isPage);
  results.gateway_list = await measure('gateway list', gwBase, listReq);
  const gwCreated = await sanity('gateway create', gwBase, createReq, isIncident);
  results.gateway_create = await measure('gateway create', gwBase, createReq);
  const statsReq = { method: 'GET', path: '/api/organization/stats', headers: authHeaders };
  await sanity('gateway stats', gwBase, statsReq, (j) => j.data && j.data.open_incidents > 0 && j.data.active_changes > 0);
  results.gateway_stats = await measure('gateway stats', gwBase, statsReq, STATS_CONNECTIONS);
  const cmdbPending = () => withPg(ownerUrl, async (c) => Number((await c.query(`SELECT count(*) FROM cmdb.outbox WHERE published_at IS NULL`)).rows[0].count));
  const cmdb = CMDB ? await benchCmdb({ base: gwBase, headers: authHeaders, log, outboxPending: cmdbPending, cpuDuring }) : null;
  const storedLogs = () => withPg(ownerUrl, async (c) => Number((await c.query(`SELECT count(*) FROM telemetry.log_records`)).rows[0].count));
  const telemetry = TELEMETRY ? await benchTelemetry({ base: gwBase, headers: authHeaders, log, dist: DIST, storedLogs, cpuDuring }) : null;
  const storedSamples = () => withPg(ownerUrl, async (c) => Number((await c.query(`SELECT coalesce(sum(n), 0) AS n FROM telemetry.metric_chunks`)).rows[0].n));
  // Hours that are over and not compacted yet (the telemetry service's default delay: 5 minutes after the hour).
  const compactionPending = () =>
    withPg(ownerUrl, async (c) => Number((await c.query(`SELECT count(*) FROM telemetry.metric_dirty WHERE hour < now() - interval '1 hour 5 minutes'`)).rows[0].count));
  const quietPids = () => [...children].filter((c) => c.benchName === 'telemetry').map((c) => c.pid);
  const metrics = METRICS ? await benchMetrics({ base: gwBase, headers: authHeaders, log, dist: DIST, storedSamples, compactionPending, quietPids, cpuDuring, logDir: LOG_DIR }) : null;
  for (const c of [gateway, ...backends]) serviceMemory[c.benchName].after_load = rssOf(c.pid);
  const pendingAfter = await outboxPending(tenantId);
  let drainMs = null;
  t = Date.now();
  while (Date.now() - t < 30_000) {
    if ((await outboxPending(tenantId)) === 0) {
      drainMs = Date.now() - t;
      break;
    }
    await sleep(200);
  }
  const gwRows = await benchRowStats(tenantId);
  gwRows.responses_2xx = 1 + results.gateway_create.responses_2xx + ((results.gateway_create.warmup && results.gateway_create.warmup.responses_2xx) || 0);
  log(`gateway create rows: ${JSON.stringify(gwRows)}; outbox pending after run ${pendingAfter}, drained in ${drainMs} ms`);

  const serviceShutdown = {};
  for (const c of [gateway, ...[...backends].reverse()]) {
    const s0 = Date.now();
    const info = await stopChild(c);
    serviceShutdown[c.benchName] = { ...info, ms: Date.now() - s0 };
    if (info && info.code !== 0) log(`${c.benchName} did not exit cleanly on SIGTERM: ${JSON.stringify(info)}`);
  }
  const serviceLogs = {};
  for (const c of [gateway, ...backends]) serviceLogs[c.benchName] = logSummary(path.join(LOG_DIR, `${c.benchName}.log`));
  await cleanupBenchRows(tenantId);
  log('services stopped; bench rows removed (back to the seeded state)');

  // 5c. the bare handler, alone on the machine like the services were
  const barePort = await freePort();
  const bare = startChild(
    'bare-server',
    process.execPath,
    [path.join(__dirname, 'bare-server.js')],
    baseEnv({ BARE_PORT: barePort, BARE_DATABASE_URL: appUrl, BARE_POOL_SIZE: POOL_SIZE, BARE_ACTOR_ID: user.id, BARE_ACTOR_EMAIL: user.email, NODE_ENV: 'production' }),
  );
  const bareBase = `http://127.0.0.1:${barePort}`;
  await waitHttp(`${bareBase}/health`, bare, 20_000);
  log(`bare server ready on ${bareBase}`);
  const bareList = await sanity('bare list', bareBase, listReq, isPage);
  results.bare_list = await measure('bare list', bareBase, listReq);
  await sanity('bare create', bareBase, createReq, isIncident);
  results.bare_create = await measure('bare create', bareBase, createReq);
  await stopChild(bare);
  const bareRows = await benchRowStats(tenantId);
  bareRows.responses_2xx = 1 + results.bare_create.responses_2xx + ((results.bare_create.warmup && results.bare_create.warmup.responses_2xx) || 0);
  serviceLogs['bare-server'] = logSummary(bare.logFile);
  await cleanupBenchRows(tenantId);
  log('bare server stopped; bench rows removed');

  // 5e. idle memory of the all-in-one process
  const saPort = await freePort();
  const standalone = startChild(
    'standalone',
    process.execPath,
    [path.join(DIST, 'services/standalone/src/main.js')],
    baseEnv({ DATABASE_URL: ownerUrl, PORT: saPort, HOST: '127.0.0.1', LOG_LEVEL: 'warn', NODE_ENV: 'production', JWT_SECRET, CP_JWT_SECRET, DATABASE_APP_PASSWORD: APP_PASSWORD }),
  );
  t = Date.now();
  await waitHttp(`http://127.0.0.1:${saPort}/health/ready`, standalone, 60_000);
  const saStartMs = Date.now() - t;
  log(`all-in-one process ready in ${saStartMs} ms (pid ${standalone.pid}); idling ${IDLE_S} s`);
  await sleep(IDLE_S * 1000);
  const saMem = rssOf(standalone.pid);
  log(`all-in-one idle VmRSS ${saMem.rss_mb} MB (VmHWM ${saMem.hwm_mb} MB)`);
  await stopChild(standalone);
  serviceLogs.standalone = logSummary(standalone.logFile);

  await stopChild(nats);

  // 5d/5f. report
  let commit = 'unknown';
  let dirty = null;
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const st = execFileSync('git', ['--no-optional-locks', 'status', '--porcelain', '--untracked-files=no'], { cwd: ROOT, encoding: 'utf8' });
    dirty = st.trim().length > 0;
  } catch {
    /* not a git checkout */
  }
  const ratio = (g, b) => {
    const r1 = b.req_per_s_mean ? g.req_per_s_mean / b.req_per_s_mean : null;
    const r2 = b.ok_per_s ? g.ok_per_s / b.ok_per_s : null;
    return { ratio: r1 && +r1.toFixed(3), ratio_2xx: r2 && +r2.toFixed(3), target: RATIO_TARGET, met: r1 !== null && r2 !== null && Math.min(r1, r2) >= RATIO_TARGET };
  };
  const cpus = os.cpus();
  const report = {
    date: new Date().toISOString(),
    commit,
    dirty,
    machine: {
      cpus: cpus.length,
      cpu_model: cpus[0] ? cpus[0].model.trim() : 'unknown',
      total_mem_gb: +(os.totalmem() / 1024 ** 3).toFixed(1),
      node: process.version,
      os: `${os.type()} ${os.release()} ${os.arch()}`,
      load_avg_at_end: os.loadavg().map((x) => +x.toFixed(2)),
    },
    config: { connections: CONNECTIONS, duration_s: DURATION_S, warmup_s: WARMUP_S, pool_size: POOL_SIZE, idle_s: IDLE_S },
    seed: { ...seeded, ms: seedMs },
    results,
    ratios: { create: ratio(results.gateway_create, results.bare_create), list: ratio(results.gateway_list, results.bare_list) },
    idle_memory: { standalone: saMem, start_ms: saStartMs, idle_s: IDLE_S, target_mb: RSS_TARGET_MB, met: saMem.rss_mb !== null && saMem.rss_mb <= RSS_TARGET_MB },
    service_memory: serviceMemory,
    cmdb,
    telemetry,
    metrics,
    checks: {
      non_2xx_total: Object.values(results).reduce((s, m) => s + m.non_2xx, 0),
      errors_total: Object.values(results).reduce((s, m) => s + m.errors + m.timeouts, 0),
      list_total_gateway: gwList.data.total,
      list_total_bare: bareList.data.total,
      gateway_sample_created: gwCreated.data.reference,
      gateway_create_rows: gwRows,
      outbox_pending_after_gateway_create: pendingAfter,
      outbox_drain_ms: drainMs,
      bare_create_rows: bareRows,
      service_shutdown: serviceShutdown,
    },
    service_logs: serviceLogs,
    total_run_s: +((Date.now() - t0) / 1000).toFixed(1),
  };
  fs.writeFileSync(path.join(RESULTS_DIR, 'latest.json'), JSON.stringify(report, null, 2) + '\n');
  const md = markdown(report);
  fs.writeFileSync(path.join(RESULTS_DIR, 'latest.md'), md);
  process.stdout.write('\n' + md + '\n');
  log(`done in ${report.total_run_s} s; results in bench/results/latest.{json,md}`);
}

main()
  .then(async () => {
    await teardown();
    process.exit(0);
  })
  .catch(async (e) => {
    process.stderr.write(`\nbench failed: ${e && e.stack ? e.stack : e}\n`);
    await teardown();
    process.exit(1);
  });
