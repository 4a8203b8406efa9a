'use strict';
const { performance } = require('node:perf_hooks');
/**
 * The CMDB part of the benchmark (called by bench/run.js while the services run): a generated tenant of
 * 100,000 configuration items and 300,000 relationships imported through POST /api/cmdb/items/bulk in
 * requests under the 1 MB body limit (as the CLI imports a file), then the impact blast radius at depth 6
 * from random items. Targets (issue 11): the 100k items imported in under 30 s; impact p95 under 100 ms.
 *
 * The topology (deterministic, seeded): 200 zones; 4,800 servers, each part of a zone; 15,000 VMs running on
 * servers and connected to another VM; 75,000 containers running on VMs and connected to another container;
 * 5,000 services, each depending on 15 containers and on 8 other services.
 */

const ITEMS_PER_REQUEST = 4000;
const RELS_PER_REQUEST = 6000;
const IMPORT_TARGET_S = 30;
const IMPACT_P95_TARGET_MS = 100;
/** How long the import's events may take to reach JetStream before the impact is measured (on a quiet system). */
const DRAIN_WAIT_MS = 600_000;

/** A small deterministic PRNG (mulberry32). */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function topology(scale = 1) {
  const rnd = prng(42);
  const pick = (n) => Math.floor(rnd() * n);
  const counts = { zone: 200 * scale, server: 4800 * scale, virtual_machine: 15000 * scale, container: 75000 * scale, service: 5000 * scale };
  const items = [];
  const start = {};
  for (const [cls, n] of Object.entries(counts)) {
    start[cls] = items.length;
    for (let i = 0; i < n; i++) {
      items.push({
        name: `${cls.replace('_', '-')}-${String(i).padStart(6, '0')}`,
        class: cls,
        environment: 'production',
        criticality: ['critical', 'high', 'medium', 'low'][pick(4)],
        attributes: cls === 'container' ? { k8s_uid: `uid-${i}` } : cls === 'server' ? { serial: `SN${i}`, hostname: `srv${i}.dc` } : {},
      });
    }
  }
  const idx = (cls, i) => start[cls] + i;
  const rels = [];
  const add = (s, t, type) => {
    if (s !== t) rels.push([s, t, type]);
  };
  for (let i = 0; i < counts.server; i++) add(idx('server', i), idx('zone', pick(counts.zone)), 'part_of');
  for (let i = 0; i < counts.virtual_machine; i++) {
    add(idx('virtual_machine', i), idx('server', pick(counts.server)), 'runs_on');
    add(idx('virtual_machine', i), idx('virtual_machine', pick(counts.virtual_machine)), 'connects_to');
  }
  for (let i = 0; i < counts.container; i++) {
    add(idx('container', i), idx('virtual_machine', pick(counts.virtual_machine)), 'runs_on');
    add(idx('container', i), idx('container', pick(counts.container)), 'connects_to');
  }
  for (let i = 0; i < counts.service; i++) {
    for (let k = 0; k < 15; k++) add(idx('service', i), idx('container', (i * 15 + k) % counts.container), 'depends_on');
    for (let k = 0; k < 8; k++) add(idx('service', i), idx('service', pick(counts.service)), 'depends_on');
  }
  // No duplicate edges (the import would count them as unchanged).
  const seen = new Set();
  const distinct = rels.filter(([s, t, type]) => {
    const k = `${s}/${t}/${type}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  return { items, rels: distinct, start, counts };
}

async function post(base, headers, path, body) {
  const res = await fetch(`${base}${path}`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = await res.json().catch(() => ({}));
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(json).slice(0, 400)}`);
  return json.data;
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

async function benchCmdb({ base, headers, log, outboxPending, cpuDuring = async (fn) => ({ out: await fn(), cpu: null }), impactRequests = 400, impactConcurrency = 4 }) {
  const { items, rels, start, counts } = topology();
  log(`cmdb: importing ${items.length} items and ${rels.length} relationships`);
  const ids = new Array(items.length);
  let t = Date.now();
  let created = 0;
  const { cpu: importCpu } = await cpuDuring(async () => {
    for (let i = 0; i < items.length; i += ITEMS_PER_REQUEST) {
      const report = await post(base, headers, '/api/cmdb/items/bulk', { items: items.slice(i, i + ITEMS_PER_REQUEST) });
      report.items.forEach((r, k) => (ids[i + k] = r.id));
      created += report.created;
    }
  });
  const itemsMs = Date.now() - t;
  log(`cmdb: ${created} items created in ${itemsMs} ms`);
  t = Date.now();
  let relsCreated = 0;
  for (let i = 0; i < rels.length; i += RELS_PER_REQUEST) {
    const chunk = rels.slice(i, i + RELS_PER_REQUEST).map(([s, tg, type]) => ({ source: { id: ids[s] }, target: { id: ids[tg] }, type }));
    relsCreated += (await post(base, headers, '/api/cmdb/items/bulk', { items: [], relationships: chunk })).relationships_created;
  }
  const relsMs = Date.now() - t;
  log(`cmdb: ${relsCreated} relationships created in ${relsMs} ms`);
  // The import's events (one per item and relationship) go to JetStream through the outbox: measured apart, and
  // waited for, so that what follows is measured on a quiet system.
  t = Date.now();
  let pending = await outboxPending();
  const pendingAtEnd = pending;
  while (pending > 0 && Date.now() - t < DRAIN_WAIT_MS) {
    await new Promise((r) => setTimeout(r, 1000));
    pending = await outboxPending();
  }
  const drainMs = Date.now() - t;
  const pendingAfterDrain = pending;
  log(`cmdb: ${pendingAtEnd} events in the outbox after the import; ${pendingAtEnd - pending} published in ${drainMs} ms, ${pending} left`);
  // The same items again: identified, nothing written.
  t = Date.now();
  const again = await post(base, headers, '/api/cmdb/items/bulk', { items: items.slice(0, ITEMS_PER_REQUEST) }).catch((e) => ({ unchanged: `failed: ${String(e.message).slice(0, 200)}` }));
  const reimportMs = Date.now() - t;

  // Impact at depth 6 (upstream: the blast radius) from random servers, VMs and containers.
  const rnd = prng(7);
  const starts = Array.from({ length: impactRequests }, (_, i) => {
    const cls = ['server', 'virtual_machine', 'container'][i % 3];
    return ids[start[cls] + Math.floor(rnd() * counts[cls])];
  });
  const measure = async (extra, requests) => {
    const latencies = [];
    const reached = [];
    const list = starts.slice(0, requests);
    let next = 0;
    const worker = async () => {
      while (next < list.length) {
        const id = list[next++];
        const t0 = performance.now();
        const res = await fetch(`${base}/api/cmdb/impact?ci_id=${id}&depth=6${extra}`, { headers });
        const json = await res.json();
        latencies.push(performance.now() - t0);
        if (res.status !== 200) throw new Error(`impact: ${res.status} ${JSON.stringify(json).slice(0, 300)}`);
        reached.push(json.data.total);
      }
    };
    // A few warm-up requests, then the measured ones.
    for (const id of list.slice(0, 10)) await fetch(`${base}/api/cmdb/impact?ci_id=${id}&depth=6${extra}`, { headers });
    const t0 = Date.now();
    const { cpu } = await cpuDuring(() => Promise.all(Array.from({ length: impactConcurrency }, worker)));
    const ms = Date.now() - t0;
    latencies.sort((a, b) => a - b);
    reached.sort((a, b) => a - b);
    return {
      requests: latencies.length,
      concurrency: impactConcurrency,
      depth: 6,
      req_per_s: Math.round((latencies.length / ms) * 1000 * 10) / 10,
      p50_ms: Math.round(pct(latencies, 50)),
      p95_ms: Math.round(pct(latencies, 95)),
      p99_ms: Math.round(pct(latencies, 99)),
      reached_p50: pct(reached, 50),
      reached_p95: pct(reached, 95),
      reached_max: reached[reached.length - 1],
      cpu,
    };
  };
  // The default answer (the nearest 100 items, all of them counted), then the same with 500 items answered.
  const impact = await measure('', impactRequests);
  const impact500 = await measure('&max_items=500', Math.ceil(impactRequests / 2));
  const out = {
    items: items.length,
    relationships: rels.length,
    import_items_ms: itemsMs,
    import_items_per_s: Math.round((items.length / itemsMs) * 1000),
    import_items_cpu: importCpu,
    import_relationships_ms: relsMs,
    outbox_pending_after_import: pendingAtEnd,
    outbox_drain_ms: drainMs,
    outbox_pending_after_drain: pendingAfterDrain,
    reimport_unchanged: again.unchanged,
    reimport_4000_ms: reimportMs,
    impact,
    impact_500: impact500,
    targets: { import_items_s: IMPORT_TARGET_S, impact_p95_ms: IMPACT_P95_TARGET_MS },
  };
  log(`cmdb: impact p50 ${out.impact.p50_ms} ms, p95 ${out.impact.p95_ms} ms (reached p50 ${out.impact.reached_p50} items); with 500 items answered p50 ${impact500.p50_ms} ms, p95 ${impact500.p95_ms} ms`);
  return out;
}

function cmdbMarkdown(c) {
  if (!c) return [];
  const met = (ok) => (ok ? 'met' : 'NOT met');
  return [
    '',
    `CMDB (${c.items} items, ${c.relationships} relationships, imported through POST /api/cmdb/items/bulk in requests under 1 MB):`,
    '',
    '| measurement | value | target | |',
    '| --- | ---: | ---: | --- |',
    `| import of ${c.items} items | ${(c.import_items_ms / 1000).toFixed(1)} s (${c.import_items_per_s} items/s) | < ${c.targets.import_items_s} s | ${met(c.import_items_ms < c.targets.import_items_s * 1000)} |`,
    `| import of ${c.relationships} relationships | ${(c.import_relationships_ms / 1000).toFixed(1)} s | | |`,
    `| publishing the import's events left in the outbox (${c.outbox_pending_after_import}; ${c.outbox_pending_after_drain} still there when measuring went on) | ${(c.outbox_drain_ms / 1000).toFixed(1)} s | | |`,
    `| the first 4,000 items again (${c.reimport_unchanged} unchanged) | ${c.reimport_4000_ms} ms | | |`,
    `| impact, depth 6, ${c.impact.concurrency} concurrent (${c.impact.requests} requests, ${c.impact.req_per_s} req/s; the nearest 100 items answered, all counted) | p50 ${c.impact.p50_ms} ms, p95 ${c.impact.p95_ms} ms, p99 ${c.impact.p99_ms} ms | p95 < ${c.targets.impact_p95_ms} ms | ${met(c.impact.p95_ms < c.targets.impact_p95_ms)} |`,
    ...(c.impact_500
      ? [`| the same with max_items=500 (${c.impact_500.requests} requests, ${c.impact_500.req_per_s} req/s) | p50 ${c.impact_500.p50_ms} ms, p95 ${c.impact_500.p95_ms} ms, p99 ${c.impact_500.p99_ms} ms | | |`]
      : []),
    '',
    `Items reached per impact request: p50 ${c.impact.reached_p50}, p95 ${c.impact.reached_p95}, max ${c.impact.reached_max}.`,
    ...[
      ['the import of the items', c.import_items_cpu],
      ['impact (default)', c.impact.cpu],
    ]
      .filter(([, cpu]) => cpu)
      .map(([what, cpu]) => `CPU during ${what} (% of one core; the machine has ${cpu.cores * 100} %): ${Object.entries(cpu.by_process_pct).map(([k, v]) => `${k} ${v}`).join(', ')}; other ${cpu.other_pct}.`),
  ];
}

module.exports = { benchCmdb, cmdbMarkdown, topology, prng };
