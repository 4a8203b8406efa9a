import { ClientProxy } from '@nestjs/microservices';
import { randomUUID } from 'node:crypto';
import { headers as natsHeaders, NatsConnection } from 'nats';
import { firstValueFrom, timeout, TimeoutError } from 'rxjs';
import { AppError, ErrorCode, ReplyEnvelope } from '@opsplane/errors';
import { RequestMeta, RpcMessage, RpcSubject } from '@opsplane/contracts';
import { trace } from '@opentelemetry/api';
import { currentTraceparent, inSpanFrom, SpanKind } from '@opsplane/observability';

export interface RpcClientOptions {
  timeoutMs: number;
  /** true when the proxy is a NATS client (headers are added then). */
  nats: boolean;
}

/**
 * The one way services and the gateway call each other. Adds the tenant and the trace context
 * (in the payload and as NATS headers), always bounds the wait, and turns the reply envelope
 * back into a value or an AppError.
 */
export class RpcClient {
  constructor(
    private readonly proxy: ClientProxy,
    private readonly opts: RpcClientOptions,
  ) {}

  async request<T>(subject: RpcSubject, meta: RequestMeta, body: unknown, timeoutMs = this.opts.timeoutMs): Promise<T> {
    // Parent: the active span when there is one (a service handling a message), else the caller's
    // trace context carried in meta (the gateway keeps its request span on the request object).
    const parent = trace.getActiveSpan() ? undefined : meta.traceparent;
    return inSpanFrom(parent, `rpc ${subject}`, SpanKind.CLIENT, async () => {
      const traceparent = currentTraceparent() ?? meta.traceparent;
      const message: RpcMessage = { meta: { ...meta, traceparent }, body };
      let reply: ReplyEnvelope<T>;
      try {
        reply = this.opts.nats ? await this.natsRequest<T>(subject, message, traceparent, meta.tenant_id, timeoutMs) : await firstValueFrom(this.proxy.send<ReplyEnvelope<T>>(subject, message).pipe(timeout(timeoutMs)));
      } catch (e) {
        const service = subject.split('.')[1];
        if (e instanceof TimeoutError || (e as { code?: unknown })?.code === 'TIMEOUT') throw new AppError(ErrorCode.UNAVAILABLE, `The ${service} service did not answer in time`);
        const text = e instanceof Error ? e.message : typeof e === 'string' ? e : JSON.stringify(e);
        if (/no subscribers|no responders|503|closed|CONNECTION|disconnect/i.test(text)) {
          throw new AppError(ErrorCode.UNAVAILABLE, `The ${service} service is not available`);
        }
        throw new AppError(ErrorCode.ERROR, `The ${service} service failed`);
      }
      if (!reply || typeof reply !== 'object' || !('status' in reply)) throw new AppError(ErrorCode.ERROR, 'Malformed reply');
      if (reply.status === 'error') throw new AppError(reply.error.code, reply.error.message, reply.error.details);
      return reply.value;
    });
  }

  /**
   * One request over NATS in the message format of Nest's NATS transport (`{pattern, data, id}` out, `{err, response}`
   * back), which the services' Nest servers answer, sent through the connection's shared reply subscription (nats.js's
   * request): Nest's own client subscribes and unsubscribes a fresh inbox for every request, two more protocol
   * messages and a socket write each time. The connection is the proxy's (its status and reconnection are Nest's).
   */
  private async natsRequest<T>(subject: RpcSubject, message: RpcMessage, traceparent: string | undefined, tenantId: string, timeoutMs: number): Promise<ReplyEnvelope<T>> {
    const nc = await this.connection(timeoutMs);
    const h = natsHeaders();
    if (traceparent) h.set('traceparent', traceparent);
    if (tenantId) h.set('x-tenant-id', tenantId);
    const msg = await nc.request(subject, encoder.encode(JSON.stringify({ pattern: subject, data: message, id: randomUUID() })), { timeout: timeoutMs, headers: h });
    if (!msg.data.length) throw new Error(`empty reply to ${subject}`);
    const packet = JSON.parse(decoder.decode(msg.data)) as { err?: unknown; response?: ReplyEnvelope<T> };
    if (packet.err !== undefined && packet.err !== null) throw packet.err;
    return packet.response as ReplyEnvelope<T>;
  }

  /** The proxy's connection (connecting on first use, refused while it is lost), waited for `timeoutMs` at most. */
  private connection(timeoutMs: number): Promise<NatsConnection> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error('NATS connection timeout'), { code: 'TIMEOUT' })), timeoutMs);
    });
    return Promise.race([this.proxy.connect() as Promise<NatsConnection>, late]).finally(() => clearTimeout(timer));
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
