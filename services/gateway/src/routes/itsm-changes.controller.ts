import { Body, Controller, Delete, Get, Inject, Param, Patch, Post, Put, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import {
  CHANGE_FIELD_ALIASES,
  ChangeApprovalDto,
  ChangeApprovalPolicyDto,
  ChangeApprovalPolicyView,
  ChangeCalendarQueryDto,
  ChangeCalendarView,
  CreateFreezeWindowDto,
  FreezeWindowRefDto,
  FreezeWindowView,
  ListFreezeWindowsQueryDto,
  UpdateFreezeWindowDto,
  ChangePageQueryDto,
  ChangeRefDto,
  ChangeTimelineEntryView,
  ChangeView,
  CreateChangeDto,
  ListChangesQueryDto,
  RpcSubject,
  UpdateChangeDto,
} from '@opsplane/contracts';
import { ErrorCode, Page, parseInput } from '@opsplane/errors';
import { RpcClient } from '@opsplane/messaging';
import { Area } from '../auth/decorators';
import { normalizeKeys } from '../http/case-mapping';
import { GatewayRequest, metaOf } from '../http/gateway-request';
import { ApiBodyOf, ApiData, ApiErrors, ApiIfMatch, ApiQueryOf, IdempotencyKeyHeader } from '../openapi/openapi';
import { RPC_CLIENT } from './tokens';
import { WithAssigneeNames } from '../http/assignee-names';

const idParam = ApiParam({ name: 'id', description: 'Change uuid or reference (CHG-00000001)' });
const etag = (description: string) => ({ headers: { ETag: { description, schema: { type: 'string' } } } });
/** Either document's names of a change's fields, onto the contract's. */
const changeBody = (body: unknown) => normalizeKeys(body, CHANGE_FIELD_ALIASES);

/** Change requests: the first document's `/api/itsm/changes` and the second's `/api/changes` are the same records. */
@ApiTags('changes')
@WithAssigneeNames()
@Area('itsm')
@Controller(['api/itsm/changes', 'api/changes'])
export class ItsmChangesRoutes {
  constructor(@Inject(RPC_CLIENT) private readonly rpc: RpcClient) {}

  @Get()
  @ApiOperation({ summary: 'List changes with filters (status, type, risk, approval, assignee, CI, window, text), sorting and pagination' })
  @ApiQueryOf(ListChangesQueryDto)
  @ApiData('ChangeView', { page: true })
  async list(@Req() req: GatewayRequest, @Query() query: unknown): Promise<Page<ChangeView>> {
    return this.rpc.request(RpcSubject.ItsmListChanges, metaOf(req), await parseInput(ListChangesQueryDto, query));
  }

  @Post()
  @ApiOperation({
    summary:
      'Create a change (type standard, normal or emergency). Normal and emergency changes wait for approval under the tenant policy; standard changes are pre-approved. Safe to retry with an Idempotency-Key header',
  })
  @ApiBodyOf(CreateChangeDto)
  @IdempotencyKeyHeader()
  @ApiData('ChangeView', { status: 201, headers: { Location: { description: 'The new change', schema: { type: 'string' } } } })
  async create(@Req() req: GatewayRequest, @Res({ passthrough: true }) reply: FastifyReply, @Body() body: unknown): Promise<ChangeView> {
    const dto = await parseInput(CreateChangeDto, changeBody(body));
    const view = await this.rpc.request<ChangeView>(RpcSubject.ItsmCreateChange, metaOf(req), dto);
    void reply.header('location', `${req.url.split('?')[0].replace(/\/$/, '')}/${view.id}`);
    return view;
  }

  @Get('calendar')
  @ApiOperation({ summary: 'The changes (by their scheduled, else requested, window) and freeze windows between from and to (at most 366 days)' })
  @ApiQueryOf(ChangeCalendarQueryDto)
  @ApiData('ChangeCalendarView')
  async calendar(@Req() req: GatewayRequest, @Query() query: unknown): Promise<ChangeCalendarView> {
    return this.rpc.request(RpcSubject.ItsmChangeCalendar, metaOf(req), await parseInput(ChangeCalendarQueryDto, query));
  }

  @Get('policy')
  @ApiOperation({ summary: "The tenant's change approval policy: approvers per risk level for normal changes, for emergency changes, and the CAB" })
  @ApiData('ChangeApprovalPolicyView')
  async getPolicy(@Req() req: GatewayRequest): Promise<ChangeApprovalPolicyView> {
    return this.rpc.request(RpcSubject.ItsmGetChangePolicy, metaOf(req), {});
  }

  @Put('policy')
  @ApiOperation({ summary: "Replace the tenant's change approval policy (admins). Changes already waiting keep the rule they were submitted under" })
  @ApiBodyOf(ChangeApprovalPolicyDto)
  @ApiData('ChangeApprovalPolicyView')
  async setPolicy(@Req() req: GatewayRequest, @Body() body: unknown): Promise<ChangeApprovalPolicyView> {
    return this.rpc.request(RpcSubject.ItsmSetChangePolicy, metaOf(req), await parseInput(ChangeApprovalPolicyDto, body));
  }

  @Get(':id')
  @idParam
  @ApiOperation({ summary: 'Get a change by id or reference' })
  @ApiData('ChangeView', etag('The version read, for If-Match'))
  async get(@Req() req: GatewayRequest, @Param('id') id: string): Promise<ChangeView> {
    return this.rpc.request(RpcSubject.ItsmGetChange, metaOf(req), await parseInput(ChangeRefDto, { id }));
  }

  @Patch(':id')
  @idParam
  @ApiOperation({ summary: 'Update a change; status moves follow the state machine (approval is decided by POST .../approval)' })
  @ApiBodyOf(UpdateChangeDto)
  @ApiData('ChangeView', etag('The new version'))
  @ApiErrors(ErrorCode.INVALID_TRANSITION)
  @ApiIfMatch()
  async patch(@Req() req: GatewayRequest, @Param('id') id: string, @Body() body: unknown): Promise<ChangeView> {
    return this.update(req, id, body);
  }

  @Put(':id')
  @idParam
  @ApiOperation({ summary: 'Update a change (same as PATCH)' })
  @ApiBodyOf(UpdateChangeDto)
  @ApiData('ChangeView', etag('The new version'))
  @ApiErrors(ErrorCode.INVALID_TRANSITION)
  @ApiIfMatch()
  async put(@Req() req: GatewayRequest, @Param('id') id: string, @Body() body: unknown): Promise<ChangeView> {
    return this.update(req, id, body);
  }

  private async update(req: GatewayRequest, id: string, body: unknown): Promise<ChangeView> {
    const ref = await parseInput(ChangeRefDto, { id });
    const patch = await parseInput(UpdateChangeDto, changeBody(body));
    return this.rpc.request(RpcSubject.ItsmUpdateChange, metaOf(req), { id: ref.id, patch });
  }

  @Post(':id/approval')
  @idParam
  @ApiOperation({
    summary:
      'Approve or reject a change pending approval. The requester cannot approve their own change; each approver counts once; a rejection stops it; the change is approved when the policy is met. A change whose window collides with another change on its CIs or a freeze window is approved only by an admin giving an override_reason (409 otherwise)',
  })
  @ApiBodyOf(ChangeApprovalDto)
  @ApiData('ChangeView', etag('The new version'))
  @ApiErrors(ErrorCode.INVALID_TRANSITION, ErrorCode.CONFLICT)
  @ApiIfMatch()
  async approval(@Req() req: GatewayRequest, @Param('id') id: string, @Body() body: unknown): Promise<ChangeView> {
    const ref = await parseInput(ChangeRefDto, { id });
    const decision = await parseInput(ChangeApprovalDto, normalizeKeys(body));
    return this.rpc.request(RpcSubject.ItsmDecideChange, metaOf(req), { id: ref.id, decision });
  }

  @Get(':id/timeline')
  @idParam
  @ApiOperation({ summary: 'Every change of a change record: edits, moves, approvals, who made them and when' })
  @ApiQueryOf(ChangePageQueryDto)
  @ApiData('ChangeTimelineEntryView', { page: true })
  async timeline(@Req() req: GatewayRequest, @Param('id') id: string, @Query() query: unknown): Promise<Page<ChangeTimelineEntryView>> {
    const ref = await parseInput(ChangeRefDto, { id });
    const page = await parseInput(ChangePageQueryDto, query);
    return this.rpc.request(RpcSubject.ItsmChangeTimeline, metaOf(req), { id: ref.id, page });
  }
}

const freezeParam = ApiParam({ name: 'id', description: 'Freeze window uuid' });

/** Freeze (blackout) windows: periods without changes, for every CI or some; admins set them, everyone reads them. */
@ApiTags('changes')
@Area('itsm')
@Controller('api/itsm/freeze-windows')
export class ItsmFreezeWindowsRoutes {
  constructor(@Inject(RPC_CLIENT) private readonly rpc: RpcClient) {}

  @Get()
  @ApiOperation({ summary: 'List freeze windows overlapping from..to, earliest first' })
  @ApiQueryOf(ListFreezeWindowsQueryDto)
  @ApiData('FreezeWindowView', { page: true })
  async list(@Req() req: GatewayRequest, @Query() query: unknown): Promise<Page<FreezeWindowView>> {
    return this.rpc.request(RpcSubject.ItsmListFreezeWindows, metaOf(req), await parseInput(ListFreezeWindowsQueryDto, query));
  }

  @Post()
  @ApiOperation({ summary: 'Create a freeze window (admins). Safe to retry with an Idempotency-Key header' })
  @ApiBodyOf(CreateFreezeWindowDto)
  @IdempotencyKeyHeader()
  @ApiData('FreezeWindowView', { status: 201, headers: { Location: { description: 'The new freeze window', schema: { type: 'string' } } } })
  async create(@Req() req: GatewayRequest, @Res({ passthrough: true }) reply: FastifyReply, @Body() body: unknown): Promise<FreezeWindowView> {
    const view = await this.rpc.request<FreezeWindowView>(RpcSubject.ItsmCreateFreezeWindow, metaOf(req), await parseInput(CreateFreezeWindowDto, normalizeKeys(body)));
    void reply.header('location', `${req.url.split('?')[0].replace(/\/$/, '')}/${view.id}`);
    return view;
  }

  @Get(':id')
  @freezeParam
  @ApiOperation({ summary: 'Get a freeze window' })
  @ApiData('FreezeWindowView', etag('The version read, for If-Match'))
  async get(@Req() req: GatewayRequest, @Param('id') id: string): Promise<FreezeWindowView> {
    return this.rpc.request(RpcSubject.ItsmGetFreezeWindow, metaOf(req), await parseInput(FreezeWindowRefDto, { id }));
  }

  @Patch(':id')
  @freezeParam
  @ApiOperation({ summary: 'Update a freeze window (admins)' })
  @ApiBodyOf(UpdateFreezeWindowDto)
  @ApiData('FreezeWindowView', etag('The new version'))
  @ApiIfMatch()
  async patch(@Req() req: GatewayRequest, @Param('id') id: string, @Body() body: unknown): Promise<FreezeWindowView> {
    const ref = await parseInput(FreezeWindowRefDto, { id });
    const patch = await parseInput(UpdateFreezeWindowDto, normalizeKeys(body));
    return this.rpc.request(RpcSubject.ItsmUpdateFreezeWindow, metaOf(req), { id: ref.id, patch });
  }

  @Delete(':id')
  @freezeParam
  @ApiOperation({ summary: 'Delete a freeze window (admins)' })
  @ApiData('DeletedView')
  async remove(@Req() req: GatewayRequest, @Param('id') id: string): Promise<{ deleted: true }> {
    return this.rpc.request(RpcSubject.ItsmDeleteFreezeWindow, metaOf(req), await parseInput(FreezeWindowRefDto, { id }));
  }
}
