import { Controller } from '@nestjs/common';
import { MetricQueryDto, PromApiRequestDto, RequestMeta, RpcSubject } from '@opsplane/contracts';
import { RpcHandler } from '@opsplane/messaging';
import { MetricsService } from './metrics.service';

/** Metrics: GET /api/metrics/query and the Prometheus HTTP API under /api/prom. */
@Controller()
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @RpcHandler(RpcSubject.TelemetryQueryMetrics, { body: MetricQueryDto, requires: 'read' })
  query(meta: RequestMeta, q: MetricQueryDto) {
    return this.metrics.query(meta, q);
  }

  @RpcHandler(RpcSubject.TelemetryPromApi, { body: PromApiRequestDto, requires: 'read' })
  prom(meta: RequestMeta, r: PromApiRequestDto) {
    return this.metrics.promApi(meta, r);
  }
}
