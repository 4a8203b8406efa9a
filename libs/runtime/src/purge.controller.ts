import { Controller, Inject, Type } from '@nestjs/common';
import { RequestMeta, RpcSubject, TenantIdDto } from '@opsplane/contracts';
import { asTenantId, purgeTenantRows } from '@opsplane/db';
import { RpcHandler } from '@opsplane/messaging';
import { RUNTIME, ServiceRuntime } from './service-runtime';

/** A service's tenant purge (the control plane calls it when a tenant is deleted). Platform-only. */
export function tenantPurgeController(subject: RpcSubject): Type<unknown> {
  @Controller()
  class TenantPurgeController {
    constructor(@Inject(RUNTIME) readonly rt: ServiceRuntime) {}

    @RpcHandler(subject, { body: TenantIdDto, requires: 'system' })
    async purge(_meta: RequestMeta, dto: TenantIdDto) {
      const tenant = asTenantId(dto.id.toLowerCase());
      const deleted = await this.rt.tenantDb.purge(tenant, (em) => purgeTenantRows(em, this.rt.schema, tenant));
      return { service: this.rt.name, tenant_id: tenant, deleted };
    }
  }
  return TenantPurgeController;
}
