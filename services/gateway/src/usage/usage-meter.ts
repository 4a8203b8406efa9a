import { inUnsampledTrace } from '@opsplane/observability';
import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { RpcSubject } from '@opsplane/contracts';
import { RpcClient } from '@opsplane/messaging';
import { GATEWAY_CONFIG } from '../auth/strategies';
import { GatewayConfig } from '../config';
import { RPC_CLIENT } from '../routes/tokens';

/**
 * Counts each tenant's requests per UTC day in memory and hands the counts to the control
 * plane every USAGE_FLUSH_MS (and at shutdown): one small message per flush, nothing on the
 * request path but a map increment. Counts that cannot be delivered are kept for the next try.
 */
@Injectable()
export class UsageMeter implements OnModuleInit, OnModuleDestroy {
  private counts = new Map<string, Map<string, number>>(); // day -> tenant -> n
  private timer?: NodeJS.Timeout;
  private warned = false;
  private readonly log = new Logger(UsageMeter.name);

  constructor(
    @Inject(RPC_CLIENT) private readonly rpc: RpcClient,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void inUnsampledTrace(() => this.flush()), this.config.USAGE_FLUSH_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }

  count(tenantId: string): void {
    const day = new Date().toISOString().slice(0, 10);
    let byTenant = this.counts.get(day);
    if (!byTenant) this.counts.set(day, (byTenant = new Map()));
    byTenant.set(tenantId, (byTenant.get(tenantId) ?? 0) + 1);
  }

  async flush(): Promise<void> {
    const pending = this.counts;
    this.counts = new Map();
    for (const [day, byTenant] of pending) {
      try {
        await this.rpc.request(RpcSubject.CpRecordUsage, { tenant_id: '', actor: null }, { day, requests: Object.fromEntries(byTenant) }, 3000);
        this.warned = false;
      } catch (e) {
        // Keep them for the next flush (bounded: one map per day and tenant).
        const into = this.counts.get(day) ?? new Map<string, number>();
        for (const [t, n] of byTenant) into.set(t, (into.get(t) ?? 0) + n);
        this.counts.set(day, into);
        if (!this.warned) this.log.warn(`usage not delivered yet (${e instanceof Error ? e.message : String(e)}); will retry`);
        this.warned = true;
      }
    }
  }
}
