import { Logger } from '@nestjs/common';
import { asTenantId, isTenantGone } from '@opsplane/db';
import { IngestMessage, IngestQueue, openIngestQueue } from '@opsplane/messaging';
import { decodeOtlp, logRows, LogRow, spanRows, SpanRow } from '@opsplane/otlp';
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
  }

  async stop(): Promise<void> {
    clearInterval(this.expiry);
    await this.queue?.close();
  }

  async write(batch: IngestMessage[]): Promise<void> {
    const byTenant = new Map<string, TenantBatch>();
    for (const m of batch) {
      const t = byTenant.get(m.tenantId) ?? { logs: [], spans: [], bytes: new Map<string, number>() };
      byTenant.set(m.tenantId, t);
      const day = new Date(m.receivedAt).toISOString().slice(0, 10);
      t.bytes.set(day, (t.bytes.get(day) ?? 0) + m.data.length);
      const nowUs = m.receivedAt * 1000;
      // The gateway decoded the request before storing it: a message that does not decode now is dropped, not retried.
      try {
        if (m.kind === 'logs') t.logs.push(...logRows(decodeOtlp('logs', 'protobuf', Buffer.from(m.data)), nowUs));
        else if (m.kind === 'traces') t.spans.push(...spanRows(decodeOtlp('traces', 'protobuf', Buffer.from(m.data))));
        else this.log.warn(`ingest message ${m.id} of unknown kind ${m.kind} dropped`);
      } catch (e) {
        this.log.warn(`ingest message ${m.id} (${m.kind}) does not decode, dropped: ${String(e)}`);
      }
    }
    for (const [tenant, t] of byTenant) {
      await this.rt.tenantDb
        .run(asTenantId(tenant), async (tx) => {
          for (const [day, bytes] of t.bytes) await addUsage(tx, day, bytes);
          const retention = await this.retention.of(tx);
          const nowUs = Date.now() * 1000;
          const inWindow = (us: number) => us >= nowUs - retention * DAY_US && us < nowUs + DAY_US;
          const logs = t.logs.filter((r) => inWindow(r.time_us));
          const spans = t.spans.filter((r) => inWindow(r.start_us));
          const dropped = t.logs.length - logs.length + t.spans.length - spans.length;
          if (dropped) this.log.warn(`tenant ${tenant}: ${dropped} records outside the retention window (${retention} days back, 1 day ahead) dropped`);
          const days = new Set([...logs.map((r) => Math.floor(r.time_us / DAY_US)), ...spans.map((r) => Math.floor(r.start_us / DAY_US))]);
          for (const d of days) await this.store.prepare(tx, retention, new Date((d * DAY_US) / 1000), 1);
          await this.store.writeLogs(tx, retention, logs);
          await this.store.writeSpans(tx, retention, spans);
          await this.topology.observe(tx, spans);
        })
        .catch((e: unknown) => {
          // A tenant deleted since: its data has nowhere to go.
          if (isTenantGone(e)) return;
          throw e;
        });
    }
  }
}
