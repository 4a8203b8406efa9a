import { Inject, Injectable } from '@nestjs/common';
import { RequestMeta, TracePageView, TraceQueryDto, TraceView } from '@opsplane/contracts';
import { asTenantId } from '@opsplane/db';
import { AppError, ErrorCode } from '@opsplane/errors';
import { RUNTIME, ServiceRuntime } from '@opsplane/runtime';
import { InjectStore } from '../storage/storage.module';
import { TelemetryStore } from '../storage/telemetry-store';
import { windowOf } from '../storage/window';

@Injectable()
export class TracesService {
  constructor(
    @Inject(RUNTIME) private readonly rt: ServiceRuntime,
    @InjectStore() private readonly store: TelemetryStore,
  ) {}

  query(meta: RequestMeta, q: TraceQueryDto): Promise<TracePageView> {
    const window = windowOf(q);
    return this.rt.tenantDb.read(asTenantId(meta.tenant_id), (tx) => this.store.queryTraces(tx, q, window));
  }

  async get(meta: RequestMeta, traceId: string): Promise<TraceView> {
    const trace = await this.rt.tenantDb.read(asTenantId(meta.tenant_id), (tx) => this.store.trace(tx, traceId));
    if (!trace) throw new AppError(ErrorCode.NOT_FOUND, `Trace ${traceId.toLowerCase()} not found`);
    return trace;
  }
}
