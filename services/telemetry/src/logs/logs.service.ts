import { Inject, Injectable } from '@nestjs/common';
import { LogPageView, LogQueryDto, RequestMeta } from '@opsplane/contracts';
import { asTenantId } from '@opsplane/db';
import { RUNTIME, ServiceRuntime } from '@opsplane/runtime';
import { InjectStore } from '../storage/storage.module';
import { TelemetryStore } from '../storage/telemetry-store';
import { windowOf } from '../storage/window';

@Injectable()
export class LogsService {
  constructor(
    @Inject(RUNTIME) private readonly rt: ServiceRuntime,
    @InjectStore() private readonly store: TelemetryStore,
  ) {}

  query(meta: RequestMeta, q: LogQueryDto): Promise<LogPageView> {
    const window = windowOf(q);
    return this.rt.tenantDb.read(asTenantId(meta.tenant_id), (tx) => this.store.queryLogs(tx, q, window));
  }
}
