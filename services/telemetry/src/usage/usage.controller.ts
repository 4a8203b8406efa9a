import { Controller, Inject } from '@nestjs/common';
import { IngestAllowanceView, RequestMeta, RpcSubject } from '@opsplane/contracts';
import { asTenantId } from '@opsplane/db';
import { RpcHandler } from '@opsplane/messaging';
import { RUNTIME, ServiceRuntime } from '@opsplane/runtime';
import { TelemetryConfig } from '../config';
import { tenantLimitsOf, usageOf } from './usage.repository';

/** The tenant's telemetry volume today against its plan: the gateways ask it (cached) before queuing more. */
@Controller()
export class UsageController {
  constructor(@Inject(RUNTIME) private readonly rt: ServiceRuntime<TelemetryConfig>) {}

  @RpcHandler(RpcSubject.TelemetryIngestAllowance, { requires: 'platform' })
  allowance(meta: RequestMeta): Promise<IngestAllowanceView> {
    const day = new Date().toISOString().slice(0, 10);
    return this.rt.tenantDb.run(asTenantId(meta.tenant_id), async (tx) => {
      const [used, limits] = await Promise.all([usageOf(tx, day), tenantLimitsOf(tx)]);
      const limit = limits?.telemetry_bytes_per_day;
      const retention = limits?.telemetry_retention_days;
      return {
        day,
        used_bytes: used,
        limit_bytes: typeof limit === 'number' ? limit : null,
        retention_days: typeof retention === 'number' ? retention : this.rt.config.TELEMETRY_RETENTION_DAYS,
      };
    });
  }
}
