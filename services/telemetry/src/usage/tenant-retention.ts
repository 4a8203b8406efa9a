import { TenantTx } from '@opsplane/db';
import { tenantLimitsOf } from './usage.repository';

/** How long a tenant's telemetry is kept: its plan's telemetry_retention_days, else the service's default; remembered a minute. */
export class TenantRetention {
  private readonly cache = new Map<string, { days: number; until: number }>();

  constructor(private readonly defaultDays: number) {}

  async of(tx: TenantTx): Promise<number> {
    const hit = this.cache.get(tx.tenant);
    if (hit && hit.until > Date.now()) return hit.days;
    const limits = await tenantLimitsOf(tx);
    const planned = limits?.telemetry_retention_days;
    const days = typeof planned === 'number' && Number.isInteger(planned) && planned >= 1 && planned <= 3650 ? planned : this.defaultDays;
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(tx.tenant, { days, until: Date.now() + 60_000 });
    return days;
  }
}
