import { Controller, Get, Inject, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { RpcSubject } from '@opsplane/contracts';
import { backendServices } from '@opsplane/registry';
import { AppError, ErrorCode } from '@opsplane/errors';
import { RpcClient } from '@opsplane/messaging';
import { Public } from '../auth/decorators';
import { GatewayRequest, stateOf } from '../http/gateway-request';
import { RateLimiter } from '../rate-limit/rate-limiter';
import { RPC_CLIENT, TRANSPORT_STATE, TransportState } from '../routes/tokens';
import { ApiData } from '../openapi/openapi';
import { AccessState } from '../auth/access-state';

/** Every service of the registry answers its health subject (only when its database answers). */
const CHECKS: [string, RpcSubject][] = backendServices().map((s) => [s.name, s.subjects!.health as RpcSubject]);

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    @Inject(RPC_CLIENT) private readonly rpc: RpcClient,
    @Inject(TRANSPORT_STATE) private readonly transport: TransportState,
    private readonly access: AccessState,
    private readonly limiter: RateLimiter,
  ) {}

  @Get('live')
  @ApiData('LivenessView')
  @ApiOperation({ summary: 'Liveness: the gateway process answers' })
  live() {
    return { status: 'ok' };
  }

  /**
   * Ready when every service answers over the transport and each reaches its database. The rate
   * limiter's store is reported but never makes the gateway unready (it fails open): `rate_limit`
   * is `ok`, `per-process` (no REDIS_URL) or `degraded` (Redis down: limits not enforced).
   */
  @Get('ready')
  @ApiOperation({ summary: 'Readiness: NATS, every service and their databases answer' })
  @ApiData('ReadinessView')
  async ready(@Req() req: GatewayRequest) {
    // Not ready while the connection to NATS is down (it reconnects on its own, forever).
    if (!this.transport.connected()) throw new AppError(ErrorCode.UNAVAILABLE, 'Not ready: the connection to NATS is down (reconnecting)', { checks: { nats: 'disconnected' } });
    if (!this.access.ready) throw new AppError(ErrorCode.UNAVAILABLE, 'Not ready: the access lists (suspended tenants, revoked users) are not read yet', { checks: { access: 'loading' } });
    const meta = { tenant_id: '', actor: null, traceparent: stateOf(req).traceparent };
    const [rateLimit, ...results] = await Promise.all([
      this.limiter.health(),
      ...CHECKS.map(async ([name, subject]) => {
        try {
          await this.rpc.request(subject, meta, {}, 2000);
          return [name, 'ok'] as const;
        } catch (e) {
          return [name, e instanceof AppError ? e.message : 'unavailable'] as const;
        }
      }),
    ]);
    const failing = results.filter(([, s]) => s !== 'ok');
    if (failing.length) {
      throw new AppError(ErrorCode.UNAVAILABLE, `Not ready: ${failing.map(([n, s]) => `${n} (${s})`).join(', ')}`, { checks: Object.fromEntries(results) });
    }
    return { status: rateLimit === 'degraded' ? 'degraded' : 'ok', checks: { ...Object.fromEntries(results), rate_limit: rateLimit } };
  }
}
