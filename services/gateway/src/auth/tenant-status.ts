import { CanActivate, ExecutionContext, Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { RpcSubject, TenantStatusesView } from '@opsplane/contracts';
import { AppError, ErrorCode } from '@opsplane/errors';
import { RpcClient } from '@opsplane/messaging';
import { GatewayConfig } from '../config';
import { GatewayRequest, stateOf } from '../http/gateway-request';
import { RPC_CLIENT } from '../routes/tokens';
import { UsageMeter } from '../usage/usage-meter';
import { GATEWAY_CONFIG } from './strategies';

/**
 * Which tenants are suspended, as every gateway replica sees it: polled from the control plane
 * every SUSPENSION_POLL_MS (a short list), so a suspension takes effect within seconds on all
 * replicas, for JWTs too (API tokens and logins are also refused by the auth service). When the
 * control plane cannot be reached, the last known list stays in force.
 */
@Injectable()
export class TenantStatusCache implements OnModuleInit, OnModuleDestroy {
  private suspended = new Set<string>();
  private timer?: NodeJS.Timeout;
  private failing = false;
  private readonly log = new Logger(TenantStatusCache.name);

  constructor(
    @Inject(RPC_CLIENT) private readonly rpc: RpcClient,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  onModuleInit(): void {
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.config.SUSPENSION_POLL_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  isSuspended(tenantId: string): boolean {
    return this.suspended.has(tenantId);
  }

  async refresh(): Promise<void> {
    try {
      const v = await this.rpc.request<TenantStatusesView>(RpcSubject.CpTenantStatuses, { tenant_id: '', actor: null }, {}, 2000);
      this.suspended = new Set(v.suspended);
      if (this.failing) this.log.log('control plane reachable again');
      this.failing = false;
    } catch (e) {
      if (!this.failing) this.log.warn(`cannot refresh suspended tenants (${e instanceof Error ? e.message : String(e)}); keeping the last list`);
      this.failing = true;
    }
  }
}

/** Runs after the tenant-plane guard: a suspended tenant's requests get 403; the others are metered. */
@Injectable()
export class SuspendedTenantGuard implements CanActivate {
  constructor(
    private readonly statuses: TenantStatusCache,
    private readonly meter: UsageMeter,
  ) {}

  canActivate(ctx: ExecutionContext): boolean {
    const tenantId = stateOf(ctx.switchToHttp().getRequest<GatewayRequest>()).tenantId;
    if (!tenantId) return true;
    if (this.statuses.isSuspended(tenantId)) throw new AppError(ErrorCode.FORBIDDEN, 'The tenant is suspended');
    this.meter.count(tenantId);
    return true;
  }
}
