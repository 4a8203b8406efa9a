import { inUnsampledTrace } from '@opsplane/observability';
import { CanActivate, ExecutionContext, Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AccessChange, AccessRevocationsView, RpcSubject, TenantStatus, TenantStatusesView } from '@opsplane/contracts';
import { AppError, ErrorCode } from '@opsplane/errors';
import { AccessBus, RpcClient } from '@opsplane/messaging';
import { GatewayConfig } from '../config';
import { GatewayRequest, stateOf } from '../http/gateway-request';
import { ACCESS_BUS, RPC_CLIENT, TRANSPORT_STATE, TransportState } from '../routes/tokens';
import { UsageMeter } from '../usage/usage-meter';
import { API_TOKEN_CACHE, GATEWAY_CONFIG } from './strategies';
import { ApiTokenCache } from './api-token-cache';

const SYSTEM = { tenant_id: '', actor: null };
/** How often the revoked users are read again in full (the broadcast is what makes them immediate). */
const REVOCATIONS_POLL_MS = 30_000;

/**
 * Who may not use the tenant plane right now, as this gateway sees it: tenants that are not
 * active, users removed, API tokens revoked. Changes arrive by broadcast from the service that
 * makes them, which waits for this gateway's acknowledgement before it answers (so a removal,
 * suspension or deletion is in force here before its call returns); the full lists are read at
 * start, after every reconnection to NATS, and now and then as a backstop. Until the lists have
 * been read (and while NATS is away), tenant-plane requests answer 503.
 */
@Injectable()
export class AccessState implements OnModuleInit, OnModuleDestroy {
  readonly gatewayId = randomUUID();
  private readonly tenants = new Map<string, { status: TenantStatus; at: number }>();
  private readonly users = new Map<string, number>();
  private readonly tokens = new Map<string, number>();
  private loaded = false;
  private timers: NodeJS.Timeout[] = [];
  private failing = false;
  private closed = false;
  private readonly log = new Logger(AccessState.name);

  constructor(
    @Inject(RPC_CLIENT) private readonly rpc: RpcClient,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(ACCESS_BUS) private readonly bus: AccessBus,
    @Inject(TRANSPORT_STATE) private readonly transport: TransportState,
    @Inject(API_TOKEN_CACHE) private readonly tokenCache: ApiTokenCache,
  ) {}

  onModuleInit(): void {
    // Listen first, then read the lists: a change made meanwhile is in one or the other.
    this.bus.serve(this.gatewayId, (c) => this.apply(c));
    this.transport.onChange((connected) => {
      if (!connected) this.loaded = false;
      else void inUnsampledTrace(() => this.loadUntilDone());
    });
    void inUnsampledTrace(() => this.loadUntilDone());
    // Background polls: traces of their own, never sampled (a collector would get one every poll otherwise).
    this.timers.push(setInterval(() => void inUnsampledTrace(() => this.refreshStatuses()).catch(() => undefined), this.config.SUSPENSION_POLL_MS));
    this.timers.push(setInterval(() => void inUnsampledTrace(() => this.refreshRevocations()).catch(() => undefined), REVOCATIONS_POLL_MS));
    for (const t of this.timers) t.unref();
  }

  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    await this.bus.close();
  }

  /** Whether the lists have been read since the last (re)connection. */
  get ready(): boolean {
    return this.loaded;
  }

  private async loadUntilDone(): Promise<void> {
    for (let wait = 250; !this.closed && this.transport.connected(); wait = Math.min(wait * 2, 2000)) {
      try {
        await Promise.all([this.refreshStatuses(), this.refreshRevocations()]);
        this.loaded = true;
        if (this.failing) this.log.log('access lists read again');
        this.failing = false;
        return;
      } catch (e) {
        if (!this.failing) this.log.warn(`cannot read the access lists yet (${e instanceof Error ? e.message : String(e)}); retrying`);
        this.failing = true;
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }

  private async refreshStatuses(): Promise<void> {
    const started = Date.now();
    const v = await this.rpc.request<TenantStatusesView>(RpcSubject.CpTenantStatuses, SYSTEM, {}, 2000);
    const listed = new Set(v.suspended);
    for (const [id, entry] of this.tenants) {
      // A broadcast applied after this read started is newer than the read.
      if (entry.at < started && !listed.has(id)) this.tenants.delete(id);
    }
    for (const id of v.suspended) {
      const entry = this.tenants.get(id);
      if (!entry || entry.at < started) this.tenants.set(id, { status: v.statuses?.[id] ?? 'suspended', at: started });
    }
  }

  private async refreshRevocations(): Promise<void> {
    const v = await this.rpc.request<AccessRevocationsView>(RpcSubject.AuthAccessRevocations, SYSTEM, {}, 2000);
    for (const u of v.users) this.revokeUser(u.user_id, Date.parse(u.not_before));
    this.expire();
  }

  private revokeUser(userId: string, notBefore: number): void {
    this.users.set(userId, Math.max(notBefore, this.users.get(userId) ?? 0));
  }

  /** Applies a broadcast change (synchronously: it is in force when this returns). */
  apply(c: AccessChange): void {
    switch (c.kind) {
      case 'tenant':
        if (c.status === 'active') this.tenants.set(c.tenant_id, { status: 'active', at: Date.now() });
        else this.tenants.set(c.tenant_id, { status: c.status, at: Date.now() });
        break;
      case 'user':
        this.revokeUser(c.user_id, Date.parse(c.not_before));
        this.tokenCache.clear();
        break;
      case 'token':
        this.tokens.set(c.token_id, Math.max(Date.parse(c.not_before), this.tokens.get(c.token_id) ?? 0));
        this.tokenCache.clear();
        break;
    }
  }

  /** Forgets revocations no credential can outlive (access tokens expire; cached API-token checks too). */
  private expire(): void {
    const now = Date.now();
    const userHorizon = (this.config.JWT_ACCESS_TTL_S + 120) * 1000;
    for (const [id, at] of this.users) if (now - at > userHorizon) this.users.delete(id);
    const tokenHorizon = Math.max(this.config.API_TOKEN_CACHE_MS, 1000) * 4 + 60_000;
    for (const [id, at] of this.tokens) if (now - at > tokenHorizon) this.tokens.delete(id);
  }

  /** Why a tenant is shut out, or undefined when it is not. */
  tenantRefusal(tenantId: string): string | undefined {
    const status = this.tenants.get(tenantId)?.status;
    if (!status || status === 'active') return undefined;
    return status === 'suspended' ? 'The tenant is suspended' : 'The tenant has been deleted';
  }

  /** Whether a credential checked (or issued) at `at` (ms) has been revoked since. */
  credentialRevoked(userId: string | null, tokenId: string | null, at: number): boolean {
    const userCut = userId ? this.users.get(userId) : undefined;
    if (userCut !== undefined && at < userCut) return true;
    const tokenCut = tokenId ? this.tokens.get(tokenId) : undefined;
    return tokenCut !== undefined && at <= tokenCut;
  }
}

/**
 * Runs after the tenant-plane guard: refuses what the access state says is shut out (503 until
 * the lists are known), and meters the rest.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly access: AccessState,
    private readonly meter: UsageMeter,
  ) {}

  canActivate(ctx: ExecutionContext): boolean {
    const state = stateOf(ctx.switchToHttp().getRequest<GatewayRequest>());
    const tenantId = state.tenantId;
    if (!tenantId || !state.actor) return true;
    if (!this.access.ready) throw new AppError(ErrorCode.UNAVAILABLE, 'The gateway is reading who may use the platform; retry in a moment');
    const refused = this.access.tenantRefusal(tenantId);
    if (refused) throw new AppError(ErrorCode.FORBIDDEN, refused);
    if (this.access.credentialRevoked(state.actor.user_id, state.actor.token_id, state.credentialAt ?? 0)) {
      throw new AppError(ErrorCode.UNAUTHORIZED, 'This credential has been revoked');
    }
    this.meter.count(tenantId);
    return true;
  }
}
