import { Controller } from '@nestjs/common';
import { ProvisionTenantDto, RequestMeta, RpcSubject, SetTenantStatusDto } from '@opsplane/contracts';
import { RpcHandler } from '@opsplane/messaging';
import { TenantsService } from './tenants.service';

/** Tenant provisioning and status, for the platform only; bodies validated here, at the boundary. */
@Controller()
export class TenantsController {
  constructor(private readonly tenants: TenantsService) {}

  /** Internal: only the platform itself (CLI, control plane) provisions tenants. */
  @RpcHandler(RpcSubject.AuthProvisionTenant, { body: ProvisionTenantDto, requires: 'system' })
  provision(_meta: RequestMeta, dto: ProvisionTenantDto) {
    return this.tenants.provision(dto);
  }

  /** Internal: the control plane suspends and resumes tenants. */
  @RpcHandler(RpcSubject.AuthSetTenantStatus, { body: SetTenantStatusDto, requires: 'system' })
  setTenantStatus(_meta: RequestMeta, dto: SetTenantStatusDto) {
    return this.tenants.setStatus(dto);
  }
}
