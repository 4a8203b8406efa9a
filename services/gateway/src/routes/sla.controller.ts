import { Body, Controller, Delete, Get, Inject, Param, Patch, Post, Put, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CreateSlaPolicyDto, ListSlaPoliciesQueryDto, RpcSubject, SlaPolicyRefDto, SlaPolicyView, UpdateSlaPolicyDto } from '@opsplane/contracts';
import { Page, parseInput } from '@opsplane/errors';
import { RpcClient } from '@opsplane/messaging';
import { Area } from '../auth/decorators';
import { normalizeKeys } from '../http/case-mapping';
import { GatewayRequest, metaOf } from '../http/gateway-request';
import { ApiBodyOf, ApiData, ApiIfMatch, ApiQueryOf, IdempotencyKeyHeader } from '../openapi/openapi';
import { RPC_CLIENT } from './tokens';

const idParam = ApiParam({ name: 'id', description: 'SLA policy uuid' });
const etag = (description: string) => ({ headers: { ETag: { description, schema: { type: 'string' } } } });

/**
 * SLA policies: response and resolution targets per priority, a business-hours calendar, the
 * states that pause the clock. Every tenant has a default policy; admins write, everyone reads.
 */
@ApiTags('sla')
@Area('incidents')
@Controller('api/sla/policies')
export class SlaPoliciesRoutes {
  constructor(@Inject(RPC_CLIENT) private readonly rpc: RpcClient) {}

  @Get()
  @ApiOperation({ summary: 'List SLA policies: the default first, then the others oldest first' })
  @ApiQueryOf(ListSlaPoliciesQueryDto)
  @ApiData('SlaPolicyView', { page: true })
  async list(@Req() req: GatewayRequest, @Query() query: unknown): Promise<Page<SlaPolicyView>> {
    return this.rpc.request(RpcSubject.SlaListPolicies, metaOf(req), await parseInput(ListSlaPoliciesQueryDto, query));
  }

  @Post()
  @ApiOperation({
    summary:
      'Create an SLA policy (admins): targets per priority, calendar, pause states, the records it matches. New incidents and service requests run under the most specific matching policy, else the default. Safe to retry with an Idempotency-Key header',
  })
  @ApiBodyOf(CreateSlaPolicyDto)
  @IdempotencyKeyHeader()
  @ApiData('SlaPolicyView', { status: 201, headers: { Location: { description: 'The new policy', schema: { type: 'string' } } } })
  async create(@Req() req: GatewayRequest, @Res({ passthrough: true }) reply: FastifyReply, @Body() body: unknown): Promise<SlaPolicyView> {
    const view = await this.rpc.request<SlaPolicyView>(RpcSubject.SlaCreatePolicy, metaOf(req), await parseInput(CreateSlaPolicyDto, normalizeKeys(body)));
    void reply.header('location', `${req.url.split('?')[0].replace(/\/$/, '')}/${view.id}`);
    return view;
  }

  @Get(':id')
  @idParam
  @ApiOperation({ summary: 'Get an SLA policy' })
  @ApiData('SlaPolicyView', etag('The version read, for If-Match'))
  async get(@Req() req: GatewayRequest, @Param('id') id: string): Promise<SlaPolicyView> {
    return this.rpc.request(RpcSubject.SlaGetPolicy, metaOf(req), await parseInput(SlaPolicyRefDto, { id }));
  }

  @Patch(':id')
  @idParam
  @ApiOperation({ summary: 'Update an SLA policy (admins). Timers already running keep the policy they started under' })
  @ApiBodyOf(UpdateSlaPolicyDto)
  @ApiData('SlaPolicyView', etag('The new version'))
  @ApiIfMatch()
  async patch(@Req() req: GatewayRequest, @Param('id') id: string, @Body() body: unknown): Promise<SlaPolicyView> {
    return this.update(req, id, body);
  }

  @Put(':id')
  @idParam
  @ApiOperation({ summary: 'Update an SLA policy (same as PATCH)' })
  @ApiBodyOf(UpdateSlaPolicyDto)
  @ApiData('SlaPolicyView', etag('The new version'))
  @ApiIfMatch()
  async put(@Req() req: GatewayRequest, @Param('id') id: string, @Body() body: unknown): Promise<SlaPolicyView> {
    return this.update(req, id, body);
  }

  @Delete(':id')
  @idParam
  @ApiOperation({ summary: 'Delete an SLA policy (admins; not the default). Records under it keep their timers' })
  @ApiData('DeletedView')
  async remove(@Req() req: GatewayRequest, @Param('id') id: string): Promise<{ deleted: true }> {
    return this.rpc.request(RpcSubject.SlaDeletePolicy, metaOf(req), await parseInput(SlaPolicyRefDto, { id }));
  }

  private async update(req: GatewayRequest, id: string, body: unknown): Promise<SlaPolicyView> {
    const ref = await parseInput(SlaPolicyRefDto, { id });
    const patch = await parseInput(UpdateSlaPolicyDto, normalizeKeys(body));
    return this.rpc.request(RpcSubject.SlaUpdatePolicy, metaOf(req), { id: ref.id, patch });
  }
}
