'use strict';
const path = require('node:path');
/**
 * The telemetry part of the benchmark (called by bench/run.js while the services run): OTLP/HTTP log ingest end to
 * end, gateway → ingest queue (JetStream) → telemetry service → PostgreSQL, as a Collector sends it (protobuf
 * requests of 1,000 records, several in flight). Target (issue 12): at least 50,000 records/s on this machine.
 *
 * The requests are encoded once, before measuring (with the platform's own encoder of the OpenTelemetry protos);
 * the rate counts records stored (queryable), from the first request sent to the last record in the database.
 */

const RECORDS_PER_REQUEST = 1000;
const IN_FLIGHT = 8;
const TARGET_PER_S = 50_000;

function logRequests(dist, total) {
  const { encodeOtlpRequest } = require(path.join(dist, 'libs/otlp/src'));
  const attr = (key, v) => ({ key, value: typeof v === 'number' ? { intValue: v } : { stringValue: v } });
  const now = BigInt(Date.now()) * 1_000_000n;
  const requests = [];
  for (let r = 0; r * RECORDS_PER_REQUEST < total; r++) {
    const service = `svc-${r % 10}`;
    const logRecords = [];
    for (let i = 0; i < RECORDS_PER_REQUEST; i++) {
      const n = r * RECORDS_PER_REQUEST + i;
      logRecords.push({
        timeUnixNano: String(now + BigInt(n) * 1000n),
        severityNumber: [9, 9, 9, 13, 17][n % 5],
        severityText: ['INFO', 'INFO', 'INFO', 'WARN', 'ERROR'][n % 5],
        body: { stringValue: `request ${n} handled: GET /api/cart/${n % 997} status ${[200, 200, 404, 500][n % 4]} in ${n % 300} ms` },
        attributes: [attr('http.method', 'GET'), attr('http.route', '/api/cart/:id'), attr('http.status_code', [200, 200, 404, 500][n % 4]), attr('user.id', `u-${n % 5000}`)],
        traceId: Buffer.from(n.toString(16).padStart(32, '0'), 'hex'),
        spanId: Buffer.from((n + 1).toString(16).padStart(16, '0'), 'hex'),
      });
    }
    requests.push(
      encodeOtlpRequest('logs', {
        resourceLogs: [{ resource: { attributes: [attr('service.name', service), attr('host.name', `node-${r % 4}`), attr('k8s.namespace.name', 'shop')] }, scopeLogs: [{ scope: { name: 'bench' }, logRecords }] }],
      }),
    );
  }
  return requests;
}

async function benchTelemetry({ base, headers, log, dist, storedLogs, cpuDuring = async (fn) => ({ out: await fn(), cpu: null }), total = 300_000 }) {
  const requests = logRequests(dist, total);
  const records = requests.length * RECORDS_PER_REQUEST;
  const bytes = requests.reduce((n, r) => n + r.length, 0);
  log(`telemetry: sending ${records} log records in ${requests.length} OTLP protobuf requests (${(bytes / 1024 / 1024).toFixed(1)} MiB), ${IN_FLIGHT} in flight`);
  const before = await storedLogs();
  const t0 = Date.now();
  let acceptedMs = 0;
  let refused = 0;
  const { cpu } = await cpuDuring(async () => {
    let next = 0;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < requests.length) {
          const body = requests[next++];
          for (;;) {
            const res = await fetch(`${base}/v1/logs`, { method: 'POST', headers: { authorization: headers.authorization, 'content-type': 'application/x-protobuf' }, body });
            await res.arrayBuffer();
            if (res.status === 200) break;
            refused += 1;
            if (res.status !== 503 && res.status !== 429) throw new Error(`/v1/logs answered ${res.status}`);
            await new Promise((r) => setTimeout(r, 200));
          }
        }
      }),
    );
    acceptedMs = Date.now() - t0;
    // Until every record is stored (queryable), or 5 minutes.
    while ((await storedLogs()) - before < records && Date.now() - t0 < 300_000) await new Promise((r) => setTimeout(r, 100));
  });
  const storedMs = Date.now() - t0;
  const stored = (await storedLogs()) - before;
  const out = {
    records,
    requests: requests.length,
    request_bytes: bytes,
    in_flight: IN_FLIGHT,
    accepted_ms: acceptedMs,
    accepted_per_s: Math.round((records / acceptedMs) * 1000),
    stored,
    stored_ms: storedMs,
    stored_per_s: Math.round((stored / storedMs) * 1000),
    refused_then_retried: refused,
    target_per_s: TARGET_PER_S,
    cpu,
  };
  log(`telemetry: ${records} records accepted in ${acceptedMs} ms, ${stored} stored in ${storedMs} ms (${out.stored_per_s}/s end to end)`);
  return out;
}

function telemetryMarkdown(t) {
  if (!t) return [];
  return [
    `OTLP log ingest (${t.records} records in ${t.requests} protobuf requests of ${RECORDS_PER_REQUEST}, ${(t.request_bytes / 1024 / 1024).toFixed(1)} MiB, ${t.in_flight} in flight; gateway → JetStream → telemetry service → PostgreSQL):`,
    '',
    '| measurement | value | target | |',
    '| --- | ---: | ---: | --- |',
    `| accepted by the gateway (stored in the queue) | ${t.accepted_per_s} records/s (${(t.accepted_ms / 1000).toFixed(1)} s) | | |`,
    `| stored and queryable, end to end | ${t.stored_per_s} records/s (${t.stored} in ${(t.stored_ms / 1000).toFixed(1)} s) | ≥ ${t.target_per_s} records/s | ${t.stored_per_s >= t.target_per_s && t.stored === t.records ? 'met' : 'NOT met'} |`,
    ...(t.refused_then_retried ? [`| requests refused (503/429) and retried | ${t.refused_then_retried} | | |`] : []),
    ...(t.cpu ? ['', `CPU during the ingest (% of one core): ${Object.entries(t.cpu.by_process_pct).map(([k, v]) => `${k} ${v}`).join(', ')}; other ${t.cpu.other_pct}.`] : []),
    '',
  ];
}

module.exports = { benchTelemetry, telemetryMarkdown };
