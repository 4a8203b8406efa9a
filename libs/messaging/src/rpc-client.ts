import { ClientProxy, NatsRecordBuilder } from '@nestjs/microservices';
import { headers as natsHeaders } from 'nats';
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
      let payload: unknown = message;
      if (this.opts.nats) {
        const h = natsHeaders();
        if (traceparent) h.set('traceparent', traceparent);
        if (meta.tenant_id) h.set('x-tenant-id', meta.tenant_id);
        payload = new NatsRecordBuilder(message).setHeaders(h).build();
      }
      let reply: ReplyEnvelope<T>;
      try {
        reply = await firstValueFrom(this.proxy.send<ReplyEnvelope<T>>(subject, payload).pipe(timeout(timeoutMs)));
      } catch (e) {
        const service = subject.split('.')[1];
        if (e instanceof TimeoutError) throw new AppError(ErrorCode.UNAVAILABLE, `The ${service} service did not answer in time`);
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
}
