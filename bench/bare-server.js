'use strict';
/**
 * The "bare" baseline of the benchmark: the same two incident operations as the platform
 * (create, filtered list) doing the same database work, with no framework around them — one
 * Fastify process and a pg pool, no NATS hop, no Nest, no validation library, no ORM, no JWT check.
 *
 * It connects as the incidents runtime role (row-level security applies, exactly as for the
 * incidents service) and runs the same statements in the same transactions:
 *
 *   POST /api/incidents   tx1: enter_tenant (app.tenant_id, the tenant fence) + counter bump (its own short transaction)
 *                         tx2: enter_tenant + quota SELECT + INSERT incidents + SELECT SLA policies + INSERT its two SLA timers
 *                              + INSERT incident_timeline + INSERT outbox (the event, carrying the audit entry)
 *   GET  /api/incidents   tx:  enter_tenant + SELECT count(*) + page SELECT (ORDER BY created_at DESC, id DESC) + SELECT the page's SLA timers
 *
 * Env: BARE_PORT (required), BARE_DATABASE_URL (runtime-role URL, required), BARE_POOL_SIZE (10),
 * BARE_ACTOR_ID / BARE_ACTOR_EMAIL (the user recorded as creator, as the JWT would give it).
 * The tenant comes from the x-tenant-id header. Only listens on 127.0.0.1.
 */
const { randomUUID, randomBytes } = require('node:crypto');
const Fastify = require('fastify');
const { Pool } = require('pg');

const PORT = Number(process.env.BARE_PORT);
const DATABASE_URL = process.env.BARE_DATABASE_URL;
const POOL_SIZE = Number(process.env.BARE_POOL_SIZE || 10);
const ACTOR_ID = process.env.BARE_ACTOR_ID || null;
const ACTOR_EMAIL = process.env.BARE_ACTOR_EMAIL || null;
if (!PORT || !DATABASE_URL) {
  process.stderr.write('bare-server: BARE_PORT and BARE_DATABASE_URL are required\n');
  process.exit(2);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const STATUSES = ['triggered', 'open', 'acknowledged', 'investigating', 'resolved', 'closed', 'reopened'];
const PRIORITIES = ['critical', 'high', 'medium', 'low'];
const EVENT_SUBJECT = 'incidents.incident.created.v1';

const pool = new Pool({
  connectionString: DATABASE_URL,
  max: POOL_SIZE,
  idleTimeoutMillis: 30_000,
  connectionTimeoutMillis: 5_000,
  application_name: 'opsplane-bench-bare',
});
pool.on('error', (e) => process.stderr.write(`bare-server pool error: ${e.message}\n`));

const iso = (d) => (d ? new Date(d).toISOString() : null);
const reference = (n) => `INC-${String(n).padStart(8, '0')}`;

function view(r) {
  const rank = Number(r.priority_rank);
  return {
    id: r.id,
    reference: reference(Number(r.number)),
    title: r.title,
    description: r.description,
    status: r.status,
    severity: `P${rank}`,
    priority: PRIORITIES[rank - 1],
    criticality: r.criticality,
    urgency: r.urgency,
    source: r.source,
    assigned_to: r.assigned_to,
    affected_services: r.affected_services,
    tags: r.tags,
    ci_ids: r.ci_ids,
    resolution_notes: r.resolution_notes,
    resolved_by: r.resolved_by,
    created_by: r.created_by,
    created_at: iso(r.created_at),
    updated_at: iso(r.updated_at),
    triggered_at: iso(r.triggered_at),
    opened_at: iso(r.opened_at),
    acknowledged_at: iso(r.acknowledged_at),
    investigating_at: iso(r.investigating_at),
    resolved_at: iso(r.resolved_at),
    closed_at: iso(r.closed_at),
    reopened_at: iso(r.reopened_at),
  };
}

/** BEGIN; incidents.enter_tenant (sets app.tenant_id, takes the tenant fence); work; COMMIT — the platform's TenantDb.run(). */
async function inTenantTx(tenant, work) {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    await c.query(`SELECT incidents.enter_tenant($1::uuid)`, [tenant]);
    const out = await work(c);
    await c.query('COMMIT');
    return out;
  } catch (e) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    c.release();
  }
}

/** Requests being handled, so that shutdown ends the pool only after them (autocannon drops its sockets mid-request). */
let inflight = 0;
const tracked = (handler) => async (req, reply) => {
  inflight++;
  try {
    return await handler(req, reply);
  } finally {
    inflight--;
  }
};

function tenantOf(req, reply) {
  const t = req.headers['x-tenant-id'];
  if (typeof t !== 'string' || !UUID.test(t)) {
    reply.code(401).send({ error: 'A valid tenant is required', code: 'UNAUTHORIZED' });
    return null;
  }
  return t.toLowerCase();
}

const INSERT_INCIDENT = `INSERT INTO incidents.incidents (id, tenant_id, number, title, description, status, priority_rank, criticality, urgency,
  source, assigned_to, affected_services, tags, ci_ids, resolution_notes, resolved_by, created_by, created_at, updated_at,
  triggered_at, opened_at, acknowledged_at, investigating_at, resolved_at, closed_at, reopened_at, version)
  VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,$24,$25,$26,$27)`;
const INSERT_TIMELINE = `INSERT INTO incidents.incident_timeline (id, tenant_id, incident_id, type, actor_id, actor_email, actor_type, token_id,
  changes, message, trace_id, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)`;
const TIMER_COLUMNS = `tenant_id, record_id, kind, record_type, reference, priority, policy_id, policy, calendar, target_ms, at_risk_ms, started_at,
  consumed_ms, running_since, paused_intervals, at_risk_at, due_at, stopped_at, cancelled, at_risk_notified_at, breach_notified_at, next_notify_at, updated_at`;
const INSERT_TIMERS = `INSERT INTO incidents.sla_timers (${TIMER_COLUMNS}) VALUES (${Array.from({ length: 23 }, (_, i) => `$${i + 1}`).join(', ')}),
  (${Array.from({ length: 23 }, (_, i) => `$${i + 24}`).join(', ')})`;
/** The default policy's targets (minutes: response, resolution) by rank, as the service applies them. */
const SLA_TARGETS = [[15, 240], [30, 480], [240, 1440], [480, 4320]];
const SLA_POLICY_ID = '00000000-0000-5000-8000-000000000000';
const SLA_CALENDAR = JSON.stringify({ timezone: 'UTC', always: true, days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00', holidays: [] });
const SLA_POLICY = JSON.stringify({ id: SLA_POLICY_ID, name: 'Default', targets: {}, pause_on: [], at_risk_percent: 80 });
const priorityOf = (rank) => ['critical', 'high', 'medium', 'low'][rank - 1];
const INSERT_OUTBOX = `INSERT INTO incidents.outbox (id, tenant_id, subject, payload, headers) VALUES ($1, $2, $3, $4, $5)`;
const BUMP_COUNTER = `INSERT INTO incidents.incident_counters AS c (tenant_id, last_number) VALUES ($1, 1)
  ON CONFLICT (tenant_id) DO UPDATE SET last_number = c.last_number + 1 RETURNING last_number`;

const app = Fastify({ logger: false });

app.post('/api/incidents', tracked(async (req, reply) => {
  const tenant = tenantOf(req, reply);
  if (!tenant) return reply;
  const b = req.body || {};
  const m = typeof b.severity === 'string' ? /^P([1-4])$/i.exec(b.severity) : null;
  if (typeof b.title !== 'string' || !b.title.trim() || !m) {
    return reply.code(422).send({ error: 'title and severity (P1..P4) are required', code: 'VALIDATION_ERROR' });
  }
  const rank = Number(m[1]);
  // 1) the reference number, in its own short transaction
  const counter = await inTenantTx(tenant, (c) => c.query(BUMP_COUNTER, [tenant]));
  const number = Number(counter.rows[0].last_number);
  // 2) the incident, its timeline entry and its outbox event, in one transaction
  const now = new Date();
  const row = {
    id: randomUUID(),
    tenant_id: tenant,
    number,
    title: b.title.trim(),
    description: typeof b.description === 'string' ? b.description : '',
    status: 'open',
    priority_rank: rank,
    criticality: null,
    urgency: null,
    source: typeof b.source === 'string' ? b.source : 'api',
    assigned_to: null,
    affected_services: [],
    tags: [],
    ci_ids: [],
    resolution_notes: null,
    resolved_by: null,
    created_by: ACTOR_ID,
    created_at: now,
    updated_at: now,
    triggered_at: null,
    opened_at: now,
    acknowledged_at: null,
    investigating_at: null,
    resolved_at: null,
    closed_at: null,
    reopened_at: null,
  };
  const v = view(row);
  const traceId = randomBytes(16).toString('hex');
  const traceparent = `00-${traceId}-${randomBytes(8).toString('hex')}-01`;
  await inTenantTx(tenant, async (c) => {
    // the plan quota check (incidents per month), as the service does before inserting
    const lim = await c.query(`SELECT (limits->>'incidents_per_month')::bigint AS max FROM incidents.tenant_limits WHERE tenant_id = $1`, [tenant]);
    if (lim.rows[0] && lim.rows[0].max !== null) {
      await c.query(`SELECT 1 FROM incidents.tenant_limits WHERE tenant_id = $1 FOR UPDATE`, [tenant]);
      const used = await c.query(`SELECT count(*)::bigint AS n FROM incidents.incidents WHERE tenant_id = $1 AND created_at >= date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'`, [tenant]);
      if (Number(used.rows[0].n) >= Number(lim.rows[0].max)) return reply.code(402).send({ error: 'quota', code: 'QUOTA_EXCEEDED' });
    }
    await c.query(INSERT_INCIDENT, [
      row.id, tenant, number, row.title, row.description, row.status, rank, null, null, row.source, null, [], [], [], null, null,
      ACTOR_ID, now, now, null, now, null, null, null, null, null, 1,
    ]);
    // its SLA timers (response, resolution) under the tenant's policy: the default, 24x7, when it has none written
    await c.query(`SELECT id, name, targets, calendar, pause_on, at_risk_percent, is_default FROM incidents.sla_policies WHERE deleted_at IS NULL ORDER BY created_at, id`);
    const target = SLA_TARGETS[rank - 1];
    const timer = (kind, minutes) => [tenant, row.id, kind, 'incident', `INC-${String(number).padStart(8, '0')}`, priorityOf(rank), SLA_POLICY_ID, SLA_POLICY, SLA_CALENDAR,
      minutes * 60000, minutes * 48000, now, 0, now, '[]', new Date(now.getTime() + minutes * 48000), new Date(now.getTime() + minutes * 60000), null, false, null, null,
      new Date(now.getTime() + minutes * 48000), now];
    await c.query(INSERT_TIMERS, [...timer('response', target[0]), ...timer('resolution', target[1])]);
    await c.query(INSERT_TIMELINE, [randomUUID(), tenant, row.id, 'created', ACTOR_ID, ACTOR_EMAIL, 'user', null, '{}', null, traceId, now]);
    // the event, carrying the write's audit entry: one outbox row (libs/db/src/audit.ts writeOutbox)
    const eventId = randomUUID();
    const event = {
      event_id: eventId,
      event_type: EVENT_SUBJECT,
      tenant_id: tenant,
      occurred_at: new Date().toISOString(),
      actor_id: ACTOR_ID,
      trace_id: traceId,
      data: { incident: v },
      audit: [
        { action: 'incident.created', resource_type: 'incident', resource_id: row.id, actor_id: ACTOR_ID, actor_email: ACTOR_EMAIL, actor_type: 'user', token_id: null, before: null, after: v, trace_id: traceId, occurred_at: new Date().toISOString() },
      ],
    };
    await c.query(INSERT_OUTBOX, [eventId, tenant, EVENT_SUBJECT, JSON.stringify(event), JSON.stringify({ 'x-tenant-id': tenant, traceparent })]);
  });
  if (reply.sent) return reply;
  return reply.code(201).send({ data: v });
}));

app.get('/api/incidents', tracked(async (req, reply) => {
  const tenant = tenantOf(req, reply);
  if (!tenant) return reply;
  const q = req.query || {};
  const status = String(q.status || 'open').split(',').filter((s) => STATUSES.includes(s));
  const ranks = String(q.severity || 'P1')
    .split(',')
    .map((s) => /^P([1-4])$/i.exec(s.trim()))
    .filter(Boolean)
    .map((x) => Number(x[1]));
  const limit = Math.min(Math.max(Number(q.limit) || 20, 1), 200);
  const offset = Math.max(Number(q.offset) || 0, 0);
  if (!status.length || !ranks.length) return reply.code(422).send({ error: 'bad filter', code: 'VALIDATION_ERROR' });
  // Same shape as the service's query builder: tenant_id = $1 AND status IN (...) AND priority_rank IN (...).
  const params = [tenant, ...status, ...ranks];
  const sIn = status.map((_, i) => `$${2 + i}`).join(', ');
  const rIn = ranks.map((_, i) => `$${2 + status.length + i}`).join(', ');
  const where = `tenant_id = $1 AND status IN (${sIn}) AND priority_rank IN (${rIn})`;
  const page = await inTenantTx(tenant, async (c) => {
    const total = await c.query(`SELECT count(*)::int AS n FROM incidents.incidents WHERE ${where}`, params);
    const rows = await c.query(
      `SELECT id, tenant_id, number, title, description, status, priority_rank, criticality, urgency, source, assigned_to, affected_services,
        tags, ci_ids, resolution_notes, resolved_by, created_by, created_at, updated_at, triggered_at, opened_at, acknowledged_at,
        investigating_at, resolved_at, closed_at, reopened_at, version
       FROM incidents.incidents WHERE ${where} ORDER BY created_at DESC, id DESC LIMIT ${limit} OFFSET ${offset}`,
      params,
    );
    await c.query(`SELECT * FROM incidents.sla_timers WHERE tenant_id = $1 AND record_id = ANY($2::uuid[]) ORDER BY kind DESC`, [tenant, rows.rows.map((r) => r.id)]);
    return { items: rows.rows.map(view), total: total.rows[0].n, limit, offset };
  });
  return { data: page };
}));

app.get('/health', async () => {
  await pool.query('SELECT 1');
  return { status: 'ok' };
});

app.setErrorHandler((err, _req, reply) => {
  process.stderr.write(`bare-server error: ${err && err.message}\n`);
  reply.code(500).send({ error: 'Internal error', code: 'ERROR' });
});

async function shutdown() {
  try {
    await app.close();
    // requests whose client went away (autocannon stopping) may still be running
    const deadline = Date.now() + 5000;
    while (inflight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await pool.end();
  } finally {
    process.exit(0);
  }
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

app.listen({ port: PORT, host: '127.0.0.1' }).catch((e) => {
  process.stderr.write(`bare-server: ${e.message}\n`);
  process.exit(1);
});
