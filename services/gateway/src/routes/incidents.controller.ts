import { Body, Controller, Get, Inject, Param, Patch, Post, Put, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import {
  AddCommentDto,
  CommentView,
  CreateIncidentDto,
  IncidentPageQueryDto,
  IncidentRefDto,
  IncidentView,
  ListIncidentsQueryDto,
  RpcSubject,
  TimelineEntryView,
  UpdateIncidentDto,
} from '@opsplane/contracts';
import { ErrorCode, Page, parseInput } from '@opsplane/errors';
import { RpcClient } from '@opsplane/messaging';
import { Area } from '../auth/decorators';
import { normalizeKeys } from '../http/case-mapping';
import { GatewayRequest, metaOf } from '../http/gateway-request';
import { ApiBodyOf, ApiData, ApiErrors, ApiIfMatch, ApiQueryOf, IdempotencyKeyHeader } from '../openapi/openapi';
import { RPC_CLIENT } from './tokens';
import { WithAssigneeNames } from '../http/assignee-names';

const idParam = ApiParam({ name: 'id', description: 'Incident uuid or reference (INC-00000001)' });

@ApiTags('incidents')
@WithAssigneeNames()
@Area('incidents')
@Controller('api/incidents')
export class IncidentsRoutes {
  constructor(@Inject(RPC_CLIENT) private readonly rpc: RpcClient) {}

  @Get()
  @ApiOperation({ summary: 'List incidents with filters, sorting and pagination' })
  @ApiQueryOf(ListIncidentsQueryDto)
  @ApiData('IncidentView', { page: true })
  async list(@Req() req: GatewayRequest, @Query() query: unknown): Promise<Page<IncidentView>> {
    const q = await parseInput(ListIncidentsQueryDto, query);
    return this.rpc.request(RpcSubject.IncidentsList, metaOf(req), q);
  }

  @Post()
  @ApiOperation({ summary: 'Create an incident (status open); severity or priority, or criticality x urgency. Safe to retry with an Idempotency-Key header' })
  @ApiBodyOf(CreateIncidentDto)
  @IdempotencyKeyHeader()
  @ApiData('IncidentView', { status: 201, headers: { Location: { description: 'The new incident', schema: { type: 'string' } } } })
  @ApiErrors(ErrorCode.QUOTA_EXCEEDED)
  async create(@Req() req: GatewayRequest, @Res({ passthrough: true }) reply: FastifyReply, @Body() body: unknown): Promise<IncidentView> {
    const dto = await parseInput(CreateIncidentDto, normalizeKeys(body));
    const view = await this.rpc.request<IncidentView>(RpcSubject.IncidentsCreate, metaOf(req), dto);
    void reply.header('location', `/api/incidents/${view.id}`);
    return view;
  }

  @Get(':id')
  @idParam
  @ApiOperation({ summary: 'Get an incident by id or reference' })
  @ApiData('IncidentView', { headers: { ETag: { description: 'The version read, for If-Match', schema: { type: 'string' } } } })
  async get(@Req() req: GatewayRequest, @Param('id') id: string): Promise<IncidentView> {
    const ref = await parseInput(IncidentRefDto, { id });
    return this.rpc.request(RpcSubject.IncidentsGet, metaOf(req), ref);
  }

  @Patch(':id')
  @idParam
  @ApiOperation({ summary: 'Update an incident; status changes follow the state machine' })
  @ApiBodyOf(UpdateIncidentDto)
  @ApiData('IncidentView', { headers: { ETag: { description: 'The new version', schema: { type: 'string' } } } })
  @ApiErrors(ErrorCode.INVALID_TRANSITION)
  @ApiIfMatch()
  async patch(@Req() req: GatewayRequest, @Param('id') id: string, @Body() body: unknown): Promise<IncidentView> {
    return this.update(req, id, body);
  }

  @Put(':id')
  @idParam
  @ApiOperation({ summary: 'Update an incident (same as PATCH)' })
  @ApiBodyOf(UpdateIncidentDto)
  @ApiData('IncidentView', { headers: { ETag: { description: 'The new version', schema: { type: 'string' } } } })
  @ApiErrors(ErrorCode.INVALID_TRANSITION)
  @ApiIfMatch()
  async put(@Req() req: GatewayRequest, @Param('id') id: string, @Body() body: unknown): Promise<IncidentView> {
    return this.update(req, id, body);
  }

  private async update(req: GatewayRequest, id: string, body: unknown): Promise<IncidentView> {
    const ref = await parseInput(IncidentRefDto, { id });
    const patch = await parseInput(UpdateIncidentDto, normalizeKeys(body));
    return this.rpc.request(RpcSubject.IncidentsUpdate, metaOf(req), { id: ref.id, patch });
  }

  @Get(':id/comments')
  @idParam
  @ApiOperation({ summary: "An incident's comments, oldest first" })
  @ApiQueryOf(IncidentPageQueryDto)
  @ApiData('CommentView', { page: true })
  async comments(@Req() req: GatewayRequest, @Param('id') id: string, @Query() query: unknown): Promise<Page<CommentView>> {
    const ref = await parseInput(IncidentRefDto, { id });
    const page = await parseInput(IncidentPageQueryDto, query);
    return this.rpc.request(RpcSubject.IncidentsListComments, metaOf(req), { id: ref.id, page });
  }

  @Post(':id/comments')
  @idParam
  @ApiOperation({ summary: 'Comment on an incident. Safe to retry with an Idempotency-Key header' })
  @ApiBodyOf(AddCommentDto)
  @IdempotencyKeyHeader()
  @ApiData('CommentView', { status: 201 })
  async addComment(@Req() req: GatewayRequest, @Param('id') id: string, @Body() body: unknown): Promise<CommentView> {
    const ref = await parseInput(IncidentRefDto, { id });
    const comment = await parseInput(AddCommentDto, normalizeKeys(body));
    return this.rpc.request(RpcSubject.IncidentsAddComment, metaOf(req), { id: ref.id, comment });
  }

  @Get(':id/timeline')
  @idParam
  @ApiOperation({ summary: 'Every change of an incident, who made it and when' })
  @ApiQueryOf(IncidentPageQueryDto)
  @ApiData('TimelineEntryView', { page: true })
  async timeline(@Req() req: GatewayRequest, @Param('id') id: string, @Query() query: unknown): Promise<Page<TimelineEntryView>> {
    const ref = await parseInput(IncidentRefDto, { id });
    const page = await parseInput(IncidentPageQueryDto, query);
    return this.rpc.request(RpcSubject.IncidentsTimeline, metaOf(req), { id: ref.id, page });
  }
}
