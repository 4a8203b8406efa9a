import { Logger } from '@nestjs/common';
import { IngestAllowanceView, RpcSubject } from '@opsplane/contracts';
import { AppError, ErrorCode } from '@opsplane/errors';
import { RpcClient } from '@opsplane/messaging';

/** How long a gateway trusts the telemetry service's count of a tenant's volume today (plus what it queued since). */
const ALLOWANCE_CACHE_MS = 2000;

const mib = (n: number) => `${(n / 1024 / 1024).toFixed(n < 10 * 1024 * 1024 ? 1 : 0)} MiB`;

/**
 * The plan's telemetry volume per UTC day (telemetry_bytes_per_day), metered in the bytes queued: each gateway asks
 * the telemetry service what the tenant used today (at most every 2 s per tenant) and adds what it queued since.
 * Past the limit: 402 QUOTA_EXCEEDED until midnight UTC. When the telemetry service cannot say, data is taken (the
 * queue keeps it; the count catches up).
 */
export class TelemetryQuota {
  private readonly log = new Logger('TelemetryQuota');
  private readonly cache = new Map<string, { at: number; view: Promise<IngestAllowanceView | null>; queued: number }>();

  constructor(private readonly rpc: RpcClient) {}

  private allowance(tenantId: string) {
    const now = Date.now();
    let hit = this.cache.get(tenantId);
    if (!hit || now - hit.at > ALLOWANCE_CACHE_MS) {
      const view = this.rpc.request<IngestAllowanceView>(RpcSubject.TelemetryIngestAllowance, { tenant_id: tenantId, actor: null }, {}, 2000).catch((e: unknown) => {
        this.log.warn(`telemetry volume of tenant ${tenantId} unknown (${String(e)}); taking the data`);
        return null;
      });
      if (this.cache.size >= 50_000) this.cache.delete(this.cache.keys().next().value as string);
      hit = { at: now, view, queued: 0 };
      this.cache.set(tenantId, hit);
    }
    return hit;
  }

  /** Refuses `bytes` more when they would pass the tenant's volume of the day; else counts them. Answers what is known of the tenant's allowance. */
  async admit(tenantId: string, bytes: number): Promise<IngestAllowanceView | null> {
    const entry = this.allowance(tenantId);
    const view = await entry.view;
    if (view && view.limit_bytes !== null && view.day === new Date().toISOString().slice(0, 10) && view.used_bytes + entry.queued + bytes > view.limit_bytes) {
      throw new AppError(
        ErrorCode.QUOTA_EXCEEDED,
        `The plan's telemetry volume of ${mib(view.limit_bytes)} a day is used up for today (UTC; ${mib(view.used_bytes + entry.queued)} sent): more is taken after midnight UTC`,
        { limit: 'telemetry_bytes_per_day', max: view.limit_bytes },
      );
    }
    entry.queued += bytes;
    return view;
  }
}
