import { Controller } from '@nestjs/common';
import { RequestMeta, RpcSubject, TraceQueryDto, TraceRefDto } from '@opsplane/contracts';
import { RpcHandler } from '@opsplane/messaging';
import { TracesService } from './traces.service';

/** Traces: summaries (GET /api/traces) and one trace's span tree (GET /api/traces/:trace_id). */
@Controller()
export class TracesController {
  constructor(private readonly traces: TracesService) {}

  @RpcHandler(RpcSubject.TelemetryQueryTraces, { body: TraceQueryDto, requires: 'read' })
  query(meta: RequestMeta, q: TraceQueryDto) {
    return this.traces.query(meta, q);
  }

  @RpcHandler(RpcSubject.TelemetryGetTrace, { body: TraceRefDto, requires: 'read' })
  get(meta: RequestMeta, ref: TraceRefDto) {
    return this.traces.get(meta, ref.trace_id);
  }
}
