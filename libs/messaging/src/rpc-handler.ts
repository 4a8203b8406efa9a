import { Logger } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { AppError, ErrorCode, errorReply, okReply, ReplyEnvelope } from '@opsplane/errors';
import { RequestMeta, RpcMessage, RpcSubject } from '@opsplane/contracts';
import { inSpanFrom, SpanKind } from '@opsplane/observability';
import { randomUUID } from 'node:crypto';

const logger = new Logger('Rpc');

function isRpcMessage(x: unknown): x is RpcMessage {
  return !!x && typeof x === 'object' && 'meta' in x && 'body' in x && typeof (x as RpcMessage).meta === 'object' && (x as RpcMessage).meta !== null;
}

/**
 * Marks a method as the handler of a request/reply subject. The method receives the request
 * meta (tenant, actor, trace) and the raw body, which it must validate (parseInput) itself.
 * Whatever it returns or throws becomes the reply envelope; an unexpected error is logged with
 * an id and answered as a generic ERROR (no stack or SQL crosses the wire).
 */
export function RpcHandler(subject: RpcSubject): MethodDecorator {
  return (target, key, descriptor: PropertyDescriptor) => {
    const original = descriptor.value as (meta: RequestMeta, body: unknown) => Promise<unknown>;
    const wrapped = async function (this: unknown, message: unknown): Promise<ReplyEnvelope<unknown>> {
      if (!isRpcMessage(message)) return errorReply(new AppError(ErrorCode.VALIDATION_ERROR, 'Malformed request message'));
      return inSpanFrom(message.meta.traceparent, `handle ${subject}`, SpanKind.SERVER, async (span) => {
        if (message.meta.tenant_id) span.setAttribute('opsplane.tenant_id', message.meta.tenant_id);
        try {
          return okReply(await original.call(this, message.meta, message.body));
        } catch (e) {
          if (e instanceof AppError) return errorReply(e);
          const id = randomUUID();
          logger.error(`[${id}] ${subject} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
          return errorReply(new AppError(ErrorCode.ERROR, `Internal error (id ${id})`));
        }
      });
    };
    Object.defineProperty(wrapped, 'name', { value: String(key) });
    descriptor.value = wrapped;
    MessagePattern(subject)(target, key, descriptor);
    return descriptor;
  };
}
