import { Controller, Get, HttpCode, Inject, Param, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { gunzipSync } from 'node:zlib';
import { PromApiEndpoint, PromApiReplyView, RpcSubject } from '@opsplane/contracts';
import { RpcClient } from '@opsplane/messaging';
import { Access, Area } from '../auth/decorators';
import { GatewayRequest, metaOf } from '../http/gateway-request';
import { RPC_CLIENT } from './tokens';

/** A PromQL query may take this long (the telemetry service stops evaluating at 60 s). */
const PROM_TIMEOUT_MS = 65_000;

/**
 * The Prometheus HTTP API (https://prometheus.io/docs/prometheus/latest/querying/api/) under `/api/prom`, for Grafana's
 * Prometheus data source and other PromQL clients: `query`, `query_range`, `series`, `labels` and
 * `label/<name>/values`, by GET (query string) or POST (form). Answers and errors are Prometheus's JSON, not the
 * envelope; the telemetry service evaluates. (`POST /api/prom/api/v1/write`, remote_write, is with the OTLP routes.)
 */
@ApiExcludeController()
@Area('telemetry')
@Controller('api/prom/api/v1')
export class PromRoutes {
  constructor(@Inject(RPC_CLIENT) private readonly rpc: RpcClient) {}

  @Get('query')
  queryGet(@Req() req: GatewayRequest, @Res() reply: FastifyReply) {
    return this.call('query', req, reply);
  }

  @Access('read')
  @Post('query')
  @HttpCode(200)
  queryPost(@Req() req: GatewayRequest, @Res() reply: FastifyReply) {
    return this.call('query', req, reply);
  }

  @Get('query_range')
  rangeGet(@Req() req: GatewayRequest, @Res() reply: FastifyReply) {
    return this.call('query_range', req, reply);
  }

  @Access('read')
  @Post('query_range')
  @HttpCode(200)
  rangePost(@Req() req: GatewayRequest, @Res() reply: FastifyReply) {
    return this.call('query_range', req, reply);
  }

  @Get('series')
  seriesGet(@Req() req: GatewayRequest, @Res() reply: FastifyReply) {
    return this.call('series', req, reply);
  }

  @Access('read')
  @Post('series')
  @HttpCode(200)
  seriesPost(@Req() req: GatewayRequest, @Res() reply: FastifyReply) {
    return this.call('series', req, reply);
  }

  @Get('labels')
  labelsGet(@Req() req: GatewayRequest, @Res() reply: FastifyReply) {
    return this.call('labels', req, reply);
  }

  @Access('read')
  @Post('labels')
  @HttpCode(200)
  labelsPost(@Req() req: GatewayRequest, @Res() reply: FastifyReply) {
    return this.call('labels', req, reply);
  }

  @Get('label/:name/values')
  labelValues(@Req() req: GatewayRequest, @Res() reply: FastifyReply, @Param('name') name: string) {
    return this.call('label_values', req, reply, name);
  }

  /** What Grafana asks to learn which Prometheus it talks to (the PromQL this API implements is Prometheus 2.x's). */
  @Get('status/buildinfo')
  buildinfo(@Res() reply: FastifyReply) {
    void reply.status(200).send({ status: 'success', data: { version: '2.42.0', revision: 'opsplane', branch: 'opsplane', buildUser: 'opsplane', buildDate: '', goVersion: '' } });
  }

  private async call(endpoint: PromApiEndpoint, req: GatewayRequest, reply: FastifyReply, label?: string): Promise<void> {
    const params: Record<string, string | string[]> = {};
    const add = (source: unknown) => {
      if (!source || typeof source !== 'object' || Buffer.isBuffer(source)) return;
      for (const [k, v] of Object.entries(source as Record<string, unknown>)) {
        const values = (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string');
        const prior = params[k];
        const merged = [...(prior === undefined ? [] : Array.isArray(prior) ? prior : [prior]), ...values];
        params[k] = merged.length === 1 ? merged[0] : merged;
      }
    };
    add(req.query);
    add(req.body);
    const r = await this.rpc.request<PromApiReplyView>(RpcSubject.TelemetryPromApi, metaOf(req), { endpoint, label, params }, PROM_TIMEOUT_MS);
    void reply.status(r.status_code).header('content-type', 'application/json');
    if (r.gzip_base64 === undefined) return void reply.send(r.json_text ?? '');
    const gz = Buffer.from(r.gzip_base64, 'base64');
    if (/\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) return void reply.header('content-encoding', 'gzip').send(gz);
    void reply.send(gunzipSync(gz));
  }
}
