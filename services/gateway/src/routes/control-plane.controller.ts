import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  CpAuditView,
  CpLoginDto,
  CpTokenView,
  CreatePlanDto,
  CreateTenantDto,
  ListAuditQueryDto,
  ListPlansQueryDto,
  ListTenantsQueryDto,
  Operator,
  PlanNameDto,
  PlanView,
  RequestMeta,
  RpcSubject,
  TenantIdDto,
  TenantUsageCommand,
  TenantUsageQueryDto,
  TenantUsageView,
  TenantView,
  UpdatePlanDto,
  UpdateTenantDto,
} from '@opsplane/contracts';
import { AppError, ErrorCode, Page, parseInput } from '@opsplane/errors';
import { RpcClient } from '@opsplane/messaging';
import { ControlPlaneGuard, ControlPlanePublic } from '../auth/control-plane.guard';
import { Public } from '../auth/decorators';
import { normalizeKeys } from '../http/case-mapping';
import { GatewayRequest, idempotencyKeyOf, stateOf } from '../http/gateway-request';
import { ApiBodyOf, ApiData, ApiPublic, ApiQueryOf, IdempotencyKeyHeader } from '../openapi/openapi';
import { RPC_CLIENT } from './tokens';

function cpMeta(req: GatewayRequest): RequestMeta {
  const s = stateOf(req) as { operator?: Operator; traceparent?: string };
  if (!s.operator) throw new AppError(ErrorCode.UNAUTHORIZED, 'A valid control-plane operator token is required');
  return { tenant_id: '', actor: null, operator: s.operator, traceparent: s.traceparent, request_id: req.id, idempotency_key: idempotencyKeyOf(req) };
}

/**
 * The control plane, for operators: served under /cp/api (and at /api on the CP_HOST). Public to
 * the tenant-plane guard; the ControlPlaneGuard demands an operator token instead.
 */
@ApiTags('control plane')
@Public()
@UseGuards(ControlPlaneGuard)
@Controller('cp/api')
export class ControlPlaneRoutes {
  constructor(@Inject(RPC_CLIENT) private readonly rpc: RpcClient) {}

  @ControlPlanePublic()
  @Post('auth/token')
  @HttpCode(200)
  @ApiOperation({ summary: 'Operator login: a control-plane token' })
  @ApiBodyOf(CpLoginDto)
  @ApiPublic()
  @ApiData('CpTokenView')
  async login(@Req() req: GatewayRequest, @Body() body: unknown): Promise<CpTokenView> {
    const dto = await parseInput(CpLoginDto, normalizeKeys(body));
    return this.rpc.request(RpcSubject.CpLogin, { tenant_id: '', actor: null, traceparent: stateOf(req).traceparent }, dto);
  }

  @Post('tenants')
  @ApiOperation({ summary: 'Provision a tenant and its owner (the owner can log in when this returns). Safe to retry with an Idempotency-Key header' })
  @ApiBodyOf(CreateTenantDto)
  @IdempotencyKeyHeader()
  @ApiData('CreatedTenantView', { status: 201, headers: { Location: { description: 'The new tenant', schema: { type: 'string' } } } })
  async createTenant(@Req() req: GatewayRequest, @Res({ passthrough: true }) reply: FastifyReply, @Body() body: unknown): Promise<TenantView> {
    const dto = await parseInput(CreateTenantDto, normalizeKeys(body));
    const view = await this.rpc.request<TenantView>(RpcSubject.CpCreateTenant, cpMeta(req), dto, 30_000);
    void reply.header('location', `/cp/api/tenants/${view.id}`);
    return view;
  }

  @Get('tenants')
  @ApiOperation({ summary: 'Tenants, with filters and pagination' })
  @ApiQueryOf(ListTenantsQueryDto)
  @ApiData('TenantView', { page: true })
  async listTenants(@Req() req: GatewayRequest, @Query() query: unknown): Promise<Page<TenantView>> {
    return this.rpc.request(RpcSubject.CpListTenants, cpMeta(req), await parseInput(ListTenantsQueryDto, query));
  }

  @Get('tenants/:id')
  @ApiOperation({ summary: 'A tenant, with its plan and effective limits' })
  @ApiData('TenantView')
  async getTenant(@Req() req: GatewayRequest, @Param('id') id: string): Promise<TenantView> {
    return this.rpc.request(RpcSubject.CpGetTenant, cpMeta(req), await parseInput(TenantIdDto, { id }));
  }

  @Patch('tenants/:id')
  @ApiOperation({ summary: "Change a tenant's name, plan, settings or limit overrides" })
  @ApiBodyOf(UpdateTenantDto)
  @ApiData('TenantView')
  async updateTenant(@Req() req: GatewayRequest, @Param('id') id: string, @Body() body: unknown): Promise<TenantView> {
    const ref = await parseInput(TenantIdDto, { id });
    const patch = await parseInput(UpdateTenantDto, normalizeKeys(body));
    return this.rpc.request(RpcSubject.CpUpdateTenant, cpMeta(req), { id: ref.id, patch });
  }

  @Post('tenants/:id/suspend')
  @HttpCode(200)
  @ApiOperation({ summary: "Suspend a tenant: its requests get 403 within seconds; nothing is deleted" })
  @ApiData('TenantView')
  async suspend(@Req() req: GatewayRequest, @Param('id') id: string): Promise<TenantView> {
    return this.rpc.request(RpcSubject.CpSuspendTenant, cpMeta(req), await parseInput(TenantIdDto, { id }));
  }

  @Post('tenants/:id/resume')
  @HttpCode(200)
  @ApiOperation({ summary: 'Resume a suspended tenant' })
  @ApiData('TenantView')
  async resume(@Req() req: GatewayRequest, @Param('id') id: string): Promise<TenantView> {
    return this.rpc.request(RpcSubject.CpResumeTenant, cpMeta(req), await parseInput(TenantIdDto, { id }));
  }

  @Delete('tenants/:id')
  @ApiOperation({ summary: "Delete a tenant and purge its data in every service (nothing of it is left)" })
  @ApiData('DeletedTenantView')
  async deleteTenant(@Req() req: GatewayRequest, @Param('id') id: string): Promise<unknown> {
    return this.rpc.request(RpcSubject.CpDeleteTenant, cpMeta(req), await parseInput(TenantIdDto, { id }), 120_000);
  }

  @Get('tenants/:id/usage')
  @ApiOperation({ summary: "A tenant's usage by UTC day: requests, incidents and users created (from/to: YYYY-MM-DD)" })
  @ApiQueryOf(TenantUsageQueryDto)
  @ApiData('TenantUsageView')
  async usage(@Req() req: GatewayRequest, @Param('id') id: string, @Query() query: unknown): Promise<TenantUsageView> {
    const q = await parseInput(TenantUsageCommand, { ...(query as object), id });
    return this.rpc.request(RpcSubject.CpTenantUsage, cpMeta(req), q);
  }

  @Get('plans')
  @ApiOperation({ summary: 'Plans and their limits' })
  @ApiQueryOf(ListPlansQueryDto)
  @ApiData('PlanView', { page: true })
  async listPlans(@Req() req: GatewayRequest, @Query() query: unknown): Promise<Page<PlanView>> {
    return this.rpc.request(RpcSubject.CpListPlans, cpMeta(req), await parseInput(ListPlansQueryDto, query));
  }

  @Post('plans')
  @ApiOperation({ summary: 'Create a plan. Safe to retry with an Idempotency-Key header' })
  @ApiBodyOf(CreatePlanDto)
  @IdempotencyKeyHeader()
  @ApiData('PlanView', { status: 201 })
  async createPlan(@Req() req: GatewayRequest, @Body() body: unknown): Promise<PlanView> {
    return this.rpc.request(RpcSubject.CpCreatePlan, cpMeta(req), await parseInput(CreatePlanDto, normalizeKeys(body)));
  }

  @Patch('plans/:name')
  @ApiOperation({ summary: "Change a plan's description or limits" })
  @ApiBodyOf(UpdatePlanDto)
  @ApiData('PlanView')
  async updatePlan(@Req() req: GatewayRequest, @Param('name') name: string, @Body() body: unknown): Promise<PlanView> {
    const ref = await parseInput(PlanNameDto, { name });
    const patch = await parseInput(UpdatePlanDto, normalizeKeys(body));
    return this.rpc.request(RpcSubject.CpUpdatePlan, cpMeta(req), { name: ref.name, patch });
  }

  @Get('audit')
  @ApiOperation({ summary: 'The control-plane audit log (append-only), newest first' })
  @ApiQueryOf(ListAuditQueryDto)
  @ApiData('CpAuditView', { page: true })
  async audit(@Req() req: GatewayRequest, @Query() query: unknown): Promise<Page<CpAuditView>> {
    return this.rpc.request(RpcSubject.CpListAudit, cpMeta(req), await parseInput(ListAuditQueryDto, query));
  }
}
