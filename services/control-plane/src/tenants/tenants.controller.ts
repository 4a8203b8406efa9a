import { Controller } from '@nestjs/common';
import { CreateTenantDto, ListTenantsQueryDto, RequestMeta, RpcSubject, TenantIdDto, UpdateTenantCommand } from '@opsplane/contracts';
import { RpcHandler } from '@opsplane/messaging';
import { TenantsService } from './tenants.service';

@Controller()
export class TenantsController {
  constructor(private readonly tenants: TenantsService) {}

  @RpcHandler(RpcSubject.CpCreateTenant, { body: CreateTenantDto, requires: 'operator' })
  create(meta: RequestMeta, dto: CreateTenantDto) {
    return this.tenants.create(meta, dto);
  }

  @RpcHandler(RpcSubject.CpListTenants, { body: ListTenantsQueryDto, requires: 'operator' })
  list(_meta: RequestMeta, q: ListTenantsQueryDto) {
    return this.tenants.list(q);
  }

  @RpcHandler(RpcSubject.CpGetTenant, { body: TenantIdDto, requires: 'operator' })
  get(_meta: RequestMeta, ref: TenantIdDto) {
    return this.tenants.get(ref.id.toLowerCase());
  }

  @RpcHandler(RpcSubject.CpUpdateTenant, { body: UpdateTenantCommand, requires: 'operator' })
  update(meta: RequestMeta, cmd: UpdateTenantCommand) {
    return this.tenants.update(meta, cmd.id.toLowerCase(), cmd.patch);
  }

  @RpcHandler(RpcSubject.CpSuspendTenant, { body: TenantIdDto, requires: 'operator' })
  suspend(meta: RequestMeta, ref: TenantIdDto) {
    return this.tenants.setStatus(meta, ref.id.toLowerCase(), 'suspended');
  }

  @RpcHandler(RpcSubject.CpResumeTenant, { body: TenantIdDto, requires: 'operator' })
  resume(meta: RequestMeta, ref: TenantIdDto) {
    return this.tenants.setStatus(meta, ref.id.toLowerCase(), 'active');
  }

  @RpcHandler(RpcSubject.CpDeleteTenant, { body: TenantIdDto, requires: 'operator' })
  delete(meta: RequestMeta, ref: TenantIdDto) {
    return this.tenants.delete(meta, ref.id.toLowerCase());
  }

  /** Internal: the gateways read the tenants that are shut out. */
  @RpcHandler(RpcSubject.CpTenantStatuses, { requires: 'platform' })
  statuses() {
    return this.tenants.statuses();
  }

  /** Internal: the gateways' rate limits come from the tenant's plan. */
  @RpcHandler(RpcSubject.CpTenantLimits, { body: TenantIdDto, requires: 'platform' })
  async limits(_meta: RequestMeta, ref: TenantIdDto) {
    return (await this.tenants.get(ref.id.toLowerCase())).limits;
  }
}
