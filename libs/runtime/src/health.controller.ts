import { Controller, Inject, Type } from '@nestjs/common';
import { RpcSubject } from '@opsplane/contracts';
import { RpcHandler } from '@opsplane/messaging';
import { RUNTIME, ServiceRuntime } from './service-runtime';

/** A service's health handler (the gateway's readiness asks it): answers only when its database answers. */
export function healthController(service: string, subject: RpcSubject): Type<unknown> {
  @Controller()
  class HealthController {
    constructor(@Inject(RUNTIME) readonly rt: ServiceRuntime) {}

    @RpcHandler(subject, { requires: 'platform' })
    async health() {
      await this.rt.tenantDb.ping();
      return { service, status: 'ok' };
    }
  }
  return HealthController;
}
