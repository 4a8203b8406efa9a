import { Logger } from '@nestjs/common';
import { asTenantId, isTenantGone } from '@opsplane/db';
import { IngestMessage, IngestQueue, openIngestQueue } from '@opsplane/messaging';
import { decodeOtlp, decodeRemoteWrite, logRows, LogRow, metricPoints, promSamples, PromSeriesSamples, spanRows, SpanRow } from '@opsplane/otlp';
import { ServiceRuntime, ServiceWorker } from '@opsplane/runtime';
import { TelemetryConfig } from '../config';
import { TelemetryStore } from '../storage/telemetry-store';
import { TopologyObserver } from '../topology/topology.observer';
import { addUsage } from '../usage/usage.repository';
import { TenantRetention } from '../usage/tenant-retention';

const DAY_US = 86_400_000_000;

/** What one tenant's messages of a batch hold, decoded. */
interface TenantBatch {
  logs: LogRow[];
  spans: SpanRow[];
  /** Metric samples (OTLP metrics translated to Prometheus series; remote_write as sent). */
  series: PromSeriesSamples[];
  /** The queued bytes per UTC day received (the plan's telemetry volume). */
  bytes: Map<string, number>;
}

/**
 * Writes what the gateway queued: takes the queue's messages in batches, decodes them (OTLP protobuf), groups them
 * by tenant and writes each tenant's share in one transaction (its row-level security, its retention class). A batch
 * that fails is handed over again by the queue (the messages stay stored until written). Records older than the
 * retention or more than a day ahead are dropped (their partitions do not exist), and counted in the log.
 */
export class IngestWorker implements ServiceWorker {
  private readonly log = new Logger('TelemetryIngest');
  private queue?: IngestQueue;
  private readonly retention: TenantRetention;
  private expiry?: NodeJS.Timeout;
  private compaction?: NodeJS.Timeout;
  private compacting = false;
  /** When the new partitions were last given statistics (see analyzeSoon). */
  private analyzed = 0;
  private analyzing?: NodeJS.Timeout;
  /** The services and calls between them that the spans show, announced to the CMDB with the spans' write. */
  private readonly topology = new TopologyObserver();

  constructor(
    private readonly rt: ServiceRuntime<TelemetryConfig>,
    private readonly store: TelemetryStore,
  ) {
    this.retention = new TenantRetention(rt.config.TELEMETRY_RETENTION_DAYS);
  }

  start(): void {
    void (async () => {
      const c = this.rt.config;
      this.queue = await openIngestQueue(c.NATS_URL, `opsplane-${this.rt.name}-ingest`, { maxBytes: c.TELEMETRY_QUEUE_MAX_BYTES, maxAgeMs: 7 * 86_400_000, owner: true });
      await this.queue.consume('telemetry-writer', (batch) => this.write(batch), { maxBatch: c.TELEMETRY_WRITE_BATCH, concurrency: c.TELEMETRY_WRITERS });
    })().catch((e: unknown) => this.log.error(`the ingest queue cannot be read: ${String(e)}`));
    const expire = () =>
      void this.store
        .expire(new Date())
        .then((n) => n && this.log.log(`retention: ${n} expired partitions dropped`))
        .catch((e: unknown) => this.log.warn(`retention: ${String(e)}`));
    expire();
    this.expiry = setInterval(expire, 3600_000);
    this.expiry.unref();
    this.compaction = setInterval(() => void this.compact(), this.rt.config.TELEMETRY_COMPACT_INTERVAL_MS);
    this.compaction.unref();
  }

  /** Merges the metric chunks of the hours over for TELEMETRY_COMPACT_DELAY_MS, tenant by tenant (one pass at a time). */
  async compact(): Promise<number> {
    if (this.compacting) return 0;
    this.compacting = true;
    let hours = 0;
    try {
      await this.analyze();
      const before = Date.now() - 3_600_000 - this.rt.config.TELEMETRY_COMPACT_DELAY_MS;
      const tenants = await this.store.metrics.tenantsToCompact((sql, params) => this.rt.dataSource.query(sql, params), before);
      for (const tenant of tenants) {
        for (;;) {
          const n = await this.rt.tenantDb.run(asTenantId(tenant), (tx) => this.store.metrics.compact(tx, before, 4)).catch((e: unknown) => {
            if (isTenantGone(e)) return 0;
            throw e;
          });
          hours += n;
          if (n < 4) break;
        }
      }
    } catch (e) {
      this.log.error(`metric compaction: ${String(e)}`);
    } finally {
      this.compacting = false;
    }
    return hours;
  }

  async stop(): Promise<void> {
    clearInterval(this.expiry);
    clearInterval(this.compaction);
    clearTimeout(this.analyzing);
    await this.queue?.close();
  }

  /** Statistics for the day partitions written to that have none yet (the planner needs them to read by series). */
  private async analyze(): Promise<void> {
    this.analyzed = Date.now();
    await this.rt.dataSource.query(`SELECT analyze_new_partitions()`).catch((e: unknown) => this.log.warn(`analyze: ${String(e)}`));
  }

  /** After a write: statistics within a second or two (not at every batch: at most once every 2 s). */
  private analyzeSoon(): void {
    if (this.analyzing) return;
    this.analyzing = setTimeout(() => void this.analyze().finally(() => (this.analyzing = undefined)), Math.max(0, this.analyzed + 2000 - Date.now()) + 500);
    this.analyzing.unref();
  }

  async write(batch: IngestMessage[]): Promise<void> {
    const byTenant = new Map<string, TenantBatch>();
    for (const m of batch) {
      const t = byTenant.get(m.tenantId) ?? { logs: [], spans: [], series: [], bytes: new Map<string, number>() };
      byTenant.set(m.tenantId, t);
      const day = new Date(m.receivedAt).toISOString().slice(0, 10);
      t.bytes.set(day, (t.bytes.get(day) ?? 0) + m.data.length);
      const nowUs = m.receivedAt * 1000;
      // The gateway decoded the request before storing it: a message that does not decode now is dropped, not retried.
      try {
        if (m.kind === 'logs') t.logs.push(...logRows(decodeOtlp('logs', 'protobuf', Buffer.from(m.data)), nowUs));
        else if (m.kind === 'traces') t.spans.push(...spanRows(decodeOtlp('traces', 'protobuf', Buffer.from(m.data))));
        else if (m.kind === 'metrics') t.series.push(...promSamples(metricPoints(decodeOtlp('metrics', 'protobuf', Buffer.from(m.data)))));
        else if (m.kind === 'prom') t.series.push(...decodeRemoteWrite(Buffer.from(m.data)));
        else this.log.warn(`ingest message ${m.id} of unknown kind ${m.kind} dropped`);
      } catch (e) {
        this.log.warn(`ingest message ${m.id} (${m.kind}) does not decode, dropped: ${String(e)}`);
      }
    }
    for (const [tenant, t] of byTenant) {
      await this.rt.tenantDb
        .run(asTenantId(tenant), async (tx) => {
          const retention = await this.retention.of(tx);
          const nowUs = Date.now() * 1000;
          const inWindow = (us: number) => us >= nowUs - retention * DAY_US && us < nowUs + DAY_US;
          const logs = t.logs.filter((r) => inWindow(r.time_us));
          const spans = t.spans.filter((r) => inWindow(r.start_us));
          const minMs = Math.floor(nowUs / 1000) - retention * 86_400_000;
          const maxMs = Math.floor(nowUs / 1000) + 86_400_000;
          let dropped = t.logs.length - logs.length + t.spans.length - spans.length;
          const days = new Set([...logs.map((r) => Math.floor(r.time_us / DAY_US)), ...spans.map((r) => Math.floor(r.start_us / DAY_US))]);
          for (const s of t.series) for (const x of s.samples) if (x.t_ms >= minMs && x.t_ms < maxMs) days.add(Math.floor(x.t_ms / 86_400_000));
          for (const d of days) await this.store.prepare(tx, retention, new Date((d * DAY_US) / 1000), 1);
          await this.store.writeLogs(tx, retention, logs);
          await this.store.writeSpans(tx, retention, spans);
          await this.topology.observe(tx, spans);
          if (t.series.length) dropped += (await this.store.metrics.write(tx, retention, t.series, minMs, maxMs)).dropped;
          // Last: the usage row is locked until commit, and every batch of the tenant updates it (taken first, it would
          // make the tenant's writers wait for each other for their whole transactions).
          for (const [day, bytes] of t.bytes) await addUsage(tx, day, bytes);
          if (logs.length + spans.length + t.series.length) this.analyzeSoon();
          if (dropped) this.log.warn(`tenant ${tenant}: ${dropped} records outside the retention window (${retention} days back, 1 day ahead) dropped`);
        })
        .catch((e: unknown) => {
          // A tenant deleted since: its data has nowhere to go.
          if (isTenantGone(e)) return;
          throw e;
        });
    }
  }
}
