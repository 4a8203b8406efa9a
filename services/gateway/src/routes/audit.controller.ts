import { Controller, Get, Inject, Query, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuditEntryView, ListAuditEntriesQueryDto, RpcSubject } from '@opsplane/contracts';
import { Page, parseInput } from '@opsplane/errors';
import { RpcClient } from '@opsplane/messaging';
import { Area } from '../auth/decorators';
import { GatewayRequest, metaOf } from '../http/gateway-request';
import { ApiData, ApiQueryOf } from '../openapi/openapi';
import { RPC_CLIENT } from './tokens';

/** The tenant's audit log (auth service). Read only: no route changes or deletes an entry. */
@ApiTags('audit')
@Area('auth')
@Controller('api/audit')
export class AuditRoutes {
  constructor(@Inject(RPC_CLIENT) private readonly rpc: RpcClient) {}

  @Get()
  @ApiOperation({ summary: 'Every write on the tenant plane: who, which token, what, before/after, when, trace id (admin or owner); newest first' })
  @ApiQueryOf(ListAuditEntriesQueryDto)
  @ApiData('AuditEntryView', { page: true })
  async list(@Req() req: GatewayRequest, @Query() query: unknown): Promise<Page<AuditEntryView>> {
    const q = await parseInput(ListAuditEntriesQueryDto, query);
    return this.rpc.request(RpcSubject.AuthListAudit, metaOf(req), q);
  }
}
