import { Controller } from '@nestjs/common';
import {
  CpLoginDto,
  CreatePlanDto,
  CreateTenantDto,
  ListAuditQueryDto,
  ListTenantsQueryDto,
  RecordUsageDto,
  RequestMeta,
  RpcSubject,
  TenantUsageCommand,
  TenantIdDto,
  UpdatePlanCommand,
  UpdateTenantCommand,
} from '@opsplane/contracts';
import { AppError, ErrorCode, parseInput } from '@opsplane/errors';
import { RpcHandler } from '@opsplane/messaging';
import { AuditService } from './audit/audit.service';
import { OperatorsService } from './operators/operators.service';
import { PlansService } from './plans/plans.service';
import { TenantsService } from './tenants/tenants.service';
import { UsageService } from './usage/usage.service';

/** Only requests that the gateway authenticated with an operator token reach these handlers. */
function requireOperator(meta: RequestMeta): void {
  if (!meta.operator?.operator_id) throw new AppError(ErrorCode.UNAUTHORIZED, 'A control-plane operator token is required');
}

@Controller()
export class ControlPlaneController {
  constructor(
    private readonly operators: OperatorsService,
    private readonly tenants: TenantsService,
    private readonly plans: PlansService,
    private readonly audit: AuditService,
    private readonly usage: UsageService,
  ) {}

  @RpcHandler(RpcSubject.CpLogin)
  async login(_meta: RequestMeta, body: unknown) {
    return this.operators.login(await parseInput(CpLoginDto, body));
  }

  @RpcHandler(RpcSubject.CpCreateTenant)
  async createTenant(meta: RequestMeta, body: unknown) {
    requireOperator(meta);
    return this.tenants.create(meta, await parseInput(CreateTenantDto, body));
  }

  @RpcHandler(RpcSubject.CpListTenants)
  async listTenants(meta: RequestMeta, body: unknown) {
    requireOperator(meta);
    return this.tenants.list(await parseInput(ListTenantsQueryDto, body));
  }

  @RpcHandler(RpcSubject.CpGetTenant)
  async getTenant(meta: RequestMeta, body: unknown) {
    requireOperator(meta);
    return this.tenants.get((await parseInput(TenantIdDto, body)).id.toLowerCase());
  }

  @RpcHandler(RpcSubject.CpUpdateTenant)
  async updateTenant(meta: RequestMeta, body: unknown) {
    requireOperator(meta);
    const cmd = await parseInput(UpdateTenantCommand, body);
    return this.tenants.update(meta, cmd.id.toLowerCase(), cmd.patch);
  }

  @RpcHandler(RpcSubject.CpSuspendTenant)
  async suspend(meta: RequestMeta, body: unknown) {
    requireOperator(meta);
    return this.tenants.setStatus(meta, (await parseInput(TenantIdDto, body)).id.toLowerCase(), 'suspended');
  }

  @RpcHandler(RpcSubject.CpResumeTenant)
  async resume(meta: RequestMeta, body: unknown) {
    requireOperator(meta);
    return this.tenants.setStatus(meta, (await parseInput(TenantIdDto, body)).id.toLowerCase(), 'active');
  }

  @RpcHandler(RpcSubject.CpDeleteTenant)
  async deleteTenant(meta: RequestMeta, body: unknown) {
    requireOperator(meta);
    return this.tenants.delete(meta, (await parseInput(TenantIdDto, body)).id.toLowerCase());
  }

  @RpcHandler(RpcSubject.CpListPlans)
  async listPlans(meta: RequestMeta) {
    requireOperator(meta);
    return this.plans.list();
  }

  @RpcHandler(RpcSubject.CpCreatePlan)
  async createPlan(meta: RequestMeta, body: unknown) {
    requireOperator(meta);
    return this.plans.create(meta, await parseInput(CreatePlanDto, body));
  }

  @RpcHandler(RpcSubject.CpUpdatePlan)
  async updatePlan(meta: RequestMeta, body: unknown) {
    requireOperator(meta);
    const cmd = await parseInput(UpdatePlanCommand, body);
    return this.plans.update(meta, cmd.name, cmd.patch);
  }

  @RpcHandler(RpcSubject.CpListAudit)
  async listAudit(meta: RequestMeta, body: unknown) {
    requireOperator(meta);
    return this.audit.list(await parseInput(ListAuditQueryDto, body));
  }

  @RpcHandler(RpcSubject.CpTenantUsage)
  async tenantUsage(meta: RequestMeta, body: unknown) {
    requireOperator(meta);
    const q = await parseInput(TenantUsageCommand, body);
    return this.usage.tenantUsage(q.id.toLowerCase(), q.from, q.to);
  }

  /** Internal: the gateways flush the requests they counted. */
  @RpcHandler(RpcSubject.CpRecordUsage)
  async recordUsage(_meta: RequestMeta, body: unknown) {
    return this.usage.record(await parseInput(RecordUsageDto, body));
  }

  /** Internal: the gateways' rate limits come from the tenant's plan. */
  @RpcHandler(RpcSubject.CpTenantLimits)
  async tenantLimits(_meta: RequestMeta, body: unknown) {
    return (await this.tenants.get((await parseInput(TenantIdDto, body)).id.toLowerCase())).limits;
  }

  /** Internal: the gateways poll the suspended tenants. */
  @RpcHandler(RpcSubject.CpTenantStatuses)
  async statuses() {
    return this.tenants.statuses();
  }
}
