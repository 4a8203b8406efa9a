import { Controller, HttpCode, Inject, OnModuleDestroy, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { randomUUID } from 'node:crypto';
import { AppError, ErrorCode } from '@opsplane/errors';
import { INGEST_MAX_MESSAGE_BYTES, IngestQueue, IngestUnavailableError, openIngestQueue, RpcClient } from '@opsplane/messaging';
import { decodeOtlp, decodeRemoteWrite, encodeOtlpRequest, encodeOtlpResponse, encodeRemoteWrite, OtlpDecodeError, OtlpRequest, OtlpRequests, OtlpSignal, PromSeriesSamples, recordTimes } from '@opsplane/otlp';
import { Access, Area } from '../auth/decorators';
import { GatewayRequest, metaOf } from '../http/gateway-request';
import { otlpFormatOf } from '../http/otlp';
import { GATEWAY_CONFIG } from '../auth/strategies';
import { RPC_CLIENT } from './tokens';
import { TelemetryQuota } from './telemetry-quota';
import { GatewayConfig } from '../config';

/** The repeated field of each signal's request, and of the levels below it, used to split a request too big for one message. */
const LEVELS: Record<OtlpSignal, [string, string, string]> = {
  logs: ['resourceLogs', 'scopeLogs', 'logRecords'],
  traces: ['resourceSpans', 'scopeSpans', 'spans'],
  metrics: ['resourceMetrics', 'scopeMetrics', 'metrics'],
};

type Node = Record<string, unknown>;

/**
 * An OTLP request as protobuf messages of at most `max` bytes each: split by resource, then by scope, then by
 * record, keeping each part's resource and scope. (A single record over the limit is refused: 413.)
 */
export function splitOtlp(signal: OtlpSignal, req: OtlpRequest, max: number): Buffer[] {
  const whole = encodeOtlpRequest(signal, req);
  if (whole.length <= max) return [whole];
  const [top, mid, leaf] = LEVELS[signal];
  const parts: Buffer[] = [];
  const emit = (resources: Node[]) => parts.push(encodeOtlpRequest(signal, { [top]: resources } as OtlpRequest));
  const size = (resources: Node[]) => encodeOtlpRequest(signal, { [top]: resources } as OtlpRequest).length;
  const halves = <T>(list: T[], fits: (l: T[]) => boolean, alone: (x: T) => void, out: (l: T[]) => void) => {
    const go = (l: T[]) => {
      if (!l.length) return;
      if (fits(l)) return out(l);
      if (l.length === 1) return alone(l[0]);
      go(l.slice(0, l.length >> 1));
      go(l.slice(l.length >> 1));
    };
    go(list);
  };
  const resources = ((req as unknown as Node)[top] as Node[]) ?? [];
  halves(
    resources,
    (l) => size(l) <= max,
    (res) => {
      const scopes = (res[mid] as Node[]) ?? [];
      halves(
        scopes,
        (l) => size([{ ...res, [mid]: l }]) <= max,
        (scope) =>
          halves(
            (scope[leaf] as Node[]) ?? [],
            (l) => size([{ ...res, [mid]: [{ ...scope, [leaf]: l }] }]) <= max,
            () => {
              throw new AppError(ErrorCode.PAYLOAD_TOO_LARGE, `One ${signal === 'logs' ? 'log record' : signal === 'traces' ? 'span' : 'metric'} of the request is larger than ${max} bytes`);
            },
            (l) => emit([{ ...res, [mid]: [{ ...scope, [leaf]: l }] }]),
          ),
        (l) => emit([{ ...res, [mid]: l }]),
      );
    },
    (l) => emit(l),
  );
  return parts;
}

/**
 * OTLP/HTTP ingestion (https://opentelemetry.io/docs/specs/otlp/#otlphttp): `POST /v1/logs`, `/v1/traces` and `/v1/metrics`,
 * binary protobuf or JSON, gzip or not, with an API token (the tenant is the token's). The request is decoded (a body
 * that does not decode is a 400 and nothing is kept), stored in the ingest queue (JetStream) and answered once stored;
 * the telemetry service writes it to the database. A full or unreachable queue answers 503 with Retry-After, so
 * SDKs and Collectors retry.
 */
@ApiExcludeController()
@Area('telemetry')
@Controller()
export class OtlpRoutes implements OnModuleDestroy {
  private queue?: Promise<IngestQueue>;
  private readonly quota: TelemetryQuota;

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(RPC_CLIENT) rpc: RpcClient,
  ) {
    this.quota = new TelemetryQuota(rpc);
  }

  private queueOf(): Promise<IngestQueue> {
    this.queue ??= openIngestQueue(this.config.NATS_URL, 'opsplane-gateway-ingest').catch((e: unknown) => {
      this.queue = undefined;
      throw new IngestUnavailableError(`The ingest queue is unreachable: retry later (${String(e).slice(0, 100)})`);
    });
    return this.queue;
  }

  async onModuleDestroy(): Promise<void> {
    const q = await this.queue?.catch(() => undefined);
    // The all-in-one process's queue belongs to the process (its telemetry service closes it).
    if (q && this.config.NATS_URL) await q.close();
  }

  @Post('v1/logs')
  @HttpCode(200)
  @Access('write')
  logs(@Req() req: GatewayRequest, @Res() reply: FastifyReply) {
    return this.ingest('logs', req, reply);
  }

  @Post('v1/traces')
  @HttpCode(200)
  @Access('write')
  traces(@Req() req: GatewayRequest, @Res() reply: FastifyReply) {
    return this.ingest('traces', req, reply);
  }

  @Post('v1/metrics')
  @HttpCode(200)
  @Access('write')
  metrics(@Req() req: GatewayRequest, @Res() reply: FastifyReply) {
    return this.ingest('metrics', req, reply);
  }

  /**
   * Prometheus remote_write 1.0 (a snappy-compressed `prometheus.WriteRequest`), as a Prometheus server's
   * `remote_write` sends it: decoded (400 if it does not), queued, 204 once stored; 429/503 with Retry-After make
   * Prometheus retry.
   */
  @Post('api/prom/api/v1/write')
  @HttpCode(204)
  @Access('write')
  async promWrite(@Req() req: GatewayRequest, @Res() reply: FastifyReply): Promise<void> {
    const meta = metaOf(req);
    const body = req.body === undefined || req.body === null ? Buffer.alloc(0) : req.body;
    if (!Buffer.isBuffer(body)) throw AppError.validation([{ field: 'body', message: 'must be a remote_write request (snappy-compressed protobuf, Content-Type application/x-protobuf)' }]);
    let series: PromSeriesSamples[];
    try {
      series = decodeRemoteWrite(body, { maxBytes: this.config.TELEMETRY_BODY_LIMIT_BYTES });
    } catch (e) {
      if (e instanceof OtlpDecodeError) {
        if (e.reason === 'too_large') throw new AppError(ErrorCode.PAYLOAD_TOO_LARGE, e.message);
        throw AppError.validation([{ field: 'body', message: e.message }]);
      }
      throw e;
    }
    await this.enqueue(meta.tenant_id, 'prom', splitSeries(series, body, INGEST_MAX_MESSAGE_BYTES));
    void reply.status(204).send();
  }

  /** Stores the parts of one request in the ingest queue once the tenant's quota admits them (503 when the queue cannot). */
  private async enqueue(tenantId: string, kind: string, parts: Buffer[]) {
    const allowance = await this.quota.admit(
      tenantId,
      parts.reduce((n, p) => n + p.length, 0),
    );
    const queue = await this.queueOf().catch((e: unknown) => {
      throw unavailable(e);
    });
    const receivedAt = Date.now();
    const id = randomUUID();
    try {
      await Promise.all(parts.map((data, i) => queue.append({ id: `${id}:${i}`, tenantId, kind, data, receivedAt })));
    } catch (e) {
      throw unavailable(e);
    }
    return { allowance, receivedAt };
  }

  private async ingest(signal: OtlpSignal, req: GatewayRequest, reply: FastifyReply): Promise<void> {
    const meta = metaOf(req);
    const format = otlpFormatOf(req);
    const body = req.body === undefined || req.body === null ? Buffer.alloc(0) : req.body;
    if (!Buffer.isBuffer(body)) throw AppError.validation([{ field: 'body', message: 'must be an OTLP request (application/x-protobuf or application/json)' }]);
    let decoded: OtlpRequest;
    try {
      decoded = decodeOtlp(signal, format, body);
    } catch (e) {
      if (e instanceof OtlpDecodeError) throw AppError.validation([{ field: 'body', message: e.message }]);
      throw e;
    }
    // A protobuf request small enough is queued as it came (it decoded: re-encoding it would give the same message).
    const parts = format === 'protobuf' && body.length <= INGEST_MAX_MESSAGE_BYTES ? [body] : splitOtlp(signal, decoded, INGEST_MAX_MESSAGE_BYTES);
    const { allowance, receivedAt } = await this.enqueue(meta.tenant_id, signal, parts);
    const rejected = allowance ? outsideRetention(signal, decoded, receivedAt, allowance.retention_days) : 0;
    void reply
      .status(200)
      .header('content-type', format === 'json' ? 'application/json' : 'application/x-protobuf')
      .send(
        encodeOtlpResponse(
          signal,
          format,
          rejected
            ? { rejected, message: `${rejected} ${signal === 'logs' ? 'log records' : signal === 'traces' ? 'spans' : 'data points'} older than the retention (${allowance!.retention_days} days) or more than a day ahead are not kept` }
            : undefined,
        ),
      );
  }
}

const DAY_US = 86_400_000_000;

/** A remote_write request as messages of at most `max` bytes: the body itself when small enough, else its series in halves, re-encoded. */
export function splitSeries(series: PromSeriesSamples[], body: Buffer, max: number): Buffer[] {
  if (body.length <= max) return [body];
  const parts: Buffer[] = [];
  const go = (list: PromSeriesSamples[]) => {
    if (!list.length) return;
    const encoded = encodeRemoteWrite(list);
    if (encoded.length <= max) return void parts.push(encoded);
    if (list.length > 1) {
      go(list.slice(0, list.length >> 1));
      go(list.slice(list.length >> 1));
      return;
    }
    const [one] = list;
    if (one.samples.length < 2) throw new AppError(ErrorCode.PAYLOAD_TOO_LARGE, `One series of the request is larger than ${max} bytes`);
    go([
      { labels: one.labels, samples: one.samples.slice(0, one.samples.length >> 1) },
      { labels: one.labels, samples: one.samples.slice(one.samples.length >> 1) },
    ]);
  };
  go(series);
  return parts;
}

/** How many records of the request the telemetry service will not keep (older than the retention, or a day ahead): OTLP's partial success. */
function outsideRetention(signal: OtlpSignal, req: OtlpRequest, receivedAt: number, retentionDays: number): number {
  const nowUs = receivedAt * 1000;
  const oldest = nowUs - retentionDays * DAY_US;
  let n = 0;
  for (const us of recordTimes(signal, req as OtlpRequests[typeof signal], nowUs)) if (us < oldest || us >= nowUs + DAY_US) n++;
  return n;
}

function unavailable(e: unknown): AppError {
  const retry = e instanceof IngestUnavailableError ? e.retryAfterS : 5;
  return new AppError(ErrorCode.UNAVAILABLE, e instanceof Error ? e.message : 'The ingest queue is unavailable: retry later', { retry_after_s: retry });
}
