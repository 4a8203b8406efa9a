import { Controller, Inject } from '@nestjs/common';
import { RpcSubject } from '@opsplane/contracts';
import { RpcHandler } from '@opsplane/messaging';
import { RUNTIME, ServiceRuntime } from '@opsplane/runtime';

@Controller()
export class HealthController {
  constructor(@Inject(RUNTIME) private readonly rt: ServiceRuntime) {}

  /** Answers only when this service's database answers. */
  @RpcHandler(RpcSubject.AuthHealth)
  async health() {
    await this.rt.tenantDb.ping();
    return { service: 'auth', status: 'ok' };
  }
}
