import { createServer, Server } from 'node:http';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The process's Prometheus metrics (prom-client), served as text at `/metrics` on METRICS_PORT
 * (loopback unless METRICS_HOST says otherwise; never on the public HTTP port): HTTP requests at
 * the gateway, requests per subject at the services, the outbox backlog and lag, rate-limit
 * rejections, the database pools, and Node's own (event loop, heap, GC).
 */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry, prefix: 'opsplane_' });

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export const httpRequests = new Counter({
  name: 'opsplane_http_requests_total',
  help: 'HTTP requests answered by the gateway',
  labelNames: ['method', 'route', 'status'] as const,
  registers: [metricsRegistry],
});

export const httpDuration = new Histogram({
  name: 'opsplane_http_request_duration_seconds',
  help: 'Time to answer an HTTP request at the gateway',
  labelNames: ['method', 'route'] as const,
  buckets: LATENCY_BUCKETS,
  registers: [metricsRegistry],
});

export const rpcRequests = new Counter({
  name: 'opsplane_rpc_requests_total',
  help: 'Requests handled per subject, by outcome (ok or the error code)',
  labelNames: ['subject', 'outcome'] as const,
  registers: [metricsRegistry],
});

export const rpcDuration = new Histogram({
  name: 'opsplane_rpc_duration_seconds',
  help: 'Time to handle a request, per subject',
  labelNames: ['subject'] as const,
  buckets: LATENCY_BUCKETS,
  registers: [metricsRegistry],
});

export const rateLimitRejections = new Counter({
  name: 'opsplane_rate_limit_rejections_total',
  help: 'Tenant-plane requests refused by a rate limit',
  labelNames: ['limit'] as const,
  registers: [metricsRegistry],
});

export const eventsConsumed = new Counter({
  name: 'opsplane_events_consumed_total',
  help: 'Domain events handled by a consumer, by outcome',
  labelNames: ['consumer', 'outcome'] as const,
  registers: [metricsRegistry],
});

/** Gauges read when Prometheus scrapes (each source registers how to read itself). */
type Sample = { labels: Record<string, string>; value: number };
const gaugeSources = new Map<string, () => Promise<Sample[]> | Sample[]>();

function scrapedGauge(name: string, help: string, labelNames: string[]): Gauge<string> {
  return new Gauge({
    name,
    help,
    labelNames,
    registers: [metricsRegistry],
    async collect() {
      this.reset();
      for (const [key, read] of gaugeSources) {
        if (!key.startsWith(`${name}|`)) continue;
        try {
          for (const s of await read()) this.set(s.labels, s.value);
        } catch {
          /* a source that cannot answer now (database away) is left out of this scrape */
        }
      }
    },
  });
}

scrapedGauge('opsplane_outbox_pending', 'Committed events not yet published to JetStream', ['schema']);
scrapedGauge('opsplane_outbox_lag_seconds', 'Age of the oldest event not yet published (0 when none)', ['schema']);
scrapedGauge('opsplane_db_pool_connections', 'Database pool connections by state', ['schema', 'state']);

/** Registers how to read a scraped gauge for one source (a service's schema); returns its removal. */
export function registerGaugeSource(metric: 'opsplane_outbox_pending' | 'opsplane_outbox_lag_seconds' | 'opsplane_db_pool_connections', source: string, read: () => Promise<Sample[]> | Sample[]): () => void {
  const key = `${metric}|${source}`;
  gaugeSources.set(key, read);
  return () => void gaugeSources.delete(key);
}

let server: Server | undefined;
let serverUsers = 0;

/** Serves /metrics on `port` (0: a free port; undefined: not served). One server per process, shared. */
export async function startMetricsServer(port: number | undefined, host = '127.0.0.1'): Promise<{ port: number; close(): Promise<void> } | undefined> {
  if (port === undefined) return undefined;
  if (!server) {
    server = createServer((req, res) => {
      if (req.url?.split('?')[0] !== '/metrics' || req.method !== 'GET') {
        res.writeHead(404).end();
        return;
      }
      metricsRegistry
        .metrics()
        .then((text) => res.writeHead(200, { 'content-type': metricsRegistry.contentType }).end(text))
        .catch((e: unknown) => res.writeHead(500).end(String(e)));
    });
    await new Promise<void>((resolve, reject) => {
      server!.once('error', reject);
      server!.listen(port, host, () => resolve());
    });
  }
  serverUsers++;
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    async close() {
      if (--serverUsers > 0 || !server) return;
      const s = server;
      server = undefined;
      await new Promise<void>((resolve) => s.close(() => resolve()));
    },
  };
}
