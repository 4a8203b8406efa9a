import { Controller, Get, Inject, Param, Query, Req } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { LogPageView, LogQueryDto, MetricQueryDto, MetricQueryView, RpcSubject, TracePageView, TraceQueryDto, TraceRefDto, TraceView } from '@opsplane/contracts';
import { AppError, parseInput } from '@opsplane/errors';
import { RpcClient } from '@opsplane/messaging';
import { Area } from '../auth/decorators';
import { GatewayRequest, metaOf } from '../http/gateway-request';
import { ApiData, ApiQueryOf } from '../openapi/openapi';
import { RPC_CLIENT } from './tokens';

/** `attr.<key>=<value>` and `resource.<key>=<value>` query parameters as the query's attribute conditions. */
function withAttributeFilters(query: unknown, prefixes: string[]): unknown {
  if (!query || typeof query !== 'object') return query;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(query as Record<string, unknown>)) {
    const prefix = prefixes.find((p) => k.startsWith(`${p}.`));
    if (!prefix) {
      out[k] = v;
      continue;
    }
    if (typeof v !== 'string') throw AppError.validation([{ field: k, message: `${k} must be given once, as a single value` }]);
    const group = (out[prefix] ??= {}) as Record<string, unknown>;
    if (typeof group !== 'object') throw AppError.validation([{ field: prefix, message: `${prefix} conditions are ${prefix}.<key>=<value> query parameters` }]);
    group[k.slice(prefix.length + 1)] = v;
  }
  return out;
}

/** Logs, metrics and traces as the first document queries them (the telemetry service answers). */
@ApiTags('telemetry')
@Area('telemetry')
@Controller('api')
export class TelemetryRoutes {
  constructor(@Inject(RPC_CLIENT) private readonly rpc: RpcClient) {}

  @Get('logs')
  @ApiOperation({
    summary:
      'Log records, newest first: service and level (comma-separated lists), from/to (RFC 3339; default the last 24 hours), q (words of the message), trace_id, span_id, attr.<key>=<value> (record attributes), resource.<key>=<value> (resource attributes such as host.name or k8s.namespace.name); cursor pagination (next_cursor)',
  })
  @ApiQueryOf(LogQueryDto)
  @ApiData('LogPageView')
  async logs(@Req() req: GatewayRequest, @Query() query: unknown): Promise<LogPageView> {
    return this.rpc.request(RpcSubject.TelemetryQueryLogs, metaOf(req), await parseInput(LogQueryDto, withAttributeFilters(query, ['attr', 'resource'])));
  }

  @Get('metrics/query')
  @ApiOperation({
    summary:
      'One metric in aligned buckets per series: metric_name (Prometheus name; OTLP metrics are stored under theirs), start/end (RFC 3339; default the last hour), step (bucket width, e.g. 60s, 5m; default 60s), labels (name=value pairs, comma-separated), agg (avg, sum, min, max, count, last; rate and increase for counters; p50/p90/p95/p99 from a histogram), limit (series). The PromQL used is answered too (the same at /api/prom/api/v1/query_range).',
  })
  @ApiQueryOf(MetricQueryDto)
  @ApiData('MetricQueryView')
  async metrics(@Req() req: GatewayRequest, @Query() query: unknown): Promise<MetricQueryView> {
    return this.rpc.request(RpcSubject.TelemetryQueryMetrics, metaOf(req), await parseInput(MetricQueryDto, query), 65_000);
  }

  @Get('traces')
  @ApiOperation({
    summary:
      'Trace summaries, newest first (traces whose root span started in the window): service and operation (a span of the trace), min_duration/max_duration (ms, of the root span), status (error: a failed span; ok: none), resource.<key>=<value> (of the root span); cursor pagination',
  })
  @ApiQueryOf(TraceQueryDto)
  @ApiData('TracePageView')
  async traces(@Req() req: GatewayRequest, @Query() query: unknown): Promise<TracePageView> {
    return this.rpc.request(RpcSubject.TelemetryQueryTraces, metaOf(req), await parseInput(TraceQueryDto, withAttributeFilters(query, ['resource'])));
  }

  @Get('traces/:trace_id')
  @ApiOperation({ summary: "A trace's spans as a tree (depth-first, a parent before its children), with attributes, events and links" })
  @ApiParam({ name: 'trace_id', description: 'The trace id: 32 hexadecimal digits' })
  @ApiData('TraceView')
  async trace(@Req() req: GatewayRequest, @Param('trace_id') traceId: string): Promise<TraceView> {
    return this.rpc.request(RpcSubject.TelemetryGetTrace, metaOf(req), await parseInput(TraceRefDto, { trace_id: traceId }));
  }
}
