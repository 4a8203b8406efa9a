import { Controller, Get, Inject, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { RpcSubject } from '@opsplane/contracts';
import { AppError, ErrorCode } from '@opsplane/errors';
import { RpcClient } from '@opsplane/messaging';
import { Public } from '../auth/decorators';
import { GatewayRequest, stateOf } from '../http/gateway-request';
import { RPC_CLIENT } from '../routes/tokens';

const CHECKS: [string, RpcSubject][] = [
  ['auth', RpcSubject.AuthHealth],
  ['incidents', RpcSubject.IncidentsHealth],
];

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(@Inject(RPC_CLIENT) private readonly rpc: RpcClient) {}

  @Get('live')
  @ApiOperation({ summary: 'Liveness: the gateway process answers' })
  live() {
    return { status: 'ok' };
  }

  /** Ready when every service answers over the transport and each reaches its database. */
  @Get('ready')
  @ApiOperation({ summary: 'Readiness: NATS, every service and their databases answer' })
  async ready(@Req() req: GatewayRequest) {
    const meta = { tenant_id: '', actor: null, traceparent: stateOf(req).traceparent };
    const results = await Promise.all(
      CHECKS.map(async ([name, subject]) => {
        try {
          await this.rpc.request(subject, meta, {}, 2000);
          return [name, 'ok'] as const;
        } catch (e) {
          return [name, e instanceof AppError ? e.message : 'unavailable'] as const;
        }
      }),
    );
    const failing = results.filter(([, s]) => s !== 'ok');
    if (failing.length) {
      throw new AppError(ErrorCode.UNAVAILABLE, `Not ready: ${failing.map(([n, s]) => `${n} (${s})`).join(', ')}`, { checks: Object.fromEntries(results) });
    }
    return { status: 'ok', checks: Object.fromEntries(results) };
  }
}
