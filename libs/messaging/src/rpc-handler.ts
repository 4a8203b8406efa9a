import { Logger } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { AppError, ErrorCode, errorReply, okReply, parseInput, ReplyEnvelope } from '@opsplane/errors';
import { canWrite, isAdmin, RequestMeta, RpcMessage, RpcSubject } from '@opsplane/contracts';
import { inSpanFrom, rpcDuration, rpcRequests, SpanKind, withLogContext } from '@opsplane/observability';
import { randomUUID } from 'node:crypto';

const logger = new Logger('Rpc');

/**
 * Who may send a request:
 * - `public`: anyone (the credential is in the body: login, refresh, an invitation token);
 * - `platform`: the platform's own parts (the gateway, another service), never a user or operator;
 * - `system`: a service acting as the system actor (provisioning, purge, usage);
 * - `operator`: a control-plane operator;
 * - `read` / `write` / `admin`: a tenant-plane user or API token that may read / write / administer.
 */
export type Requirement = 'public' | 'platform' | 'system' | 'operator' | 'read' | 'write' | 'admin';

export interface RpcHandlerOptions<B extends object> {
  /** The class the body is validated against (unknown properties stripped); without one the body is `{}`. */
  body?: new () => B;
  requires: Requirement;
}

function isRpcMessage(x: unknown): x is RpcMessage {
  return !!x && typeof x === 'object' && 'meta' in x && 'body' in x && typeof (x as RpcMessage).meta === 'object' && (x as RpcMessage).meta !== null;
}

const TENANT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Refuses a request whose sender does not meet the requirement. */
export function assertRequirement(meta: RequestMeta, requires: Requirement): void {
  const actor = meta.actor;
  switch (requires) {
    case 'public':
      return;
    case 'platform':
      if (actor && actor.auth_method !== 'system') throw AppError.forbidden('This is a platform operation');
      if (meta.operator) throw AppError.forbidden('This is a platform operation');
      return;
    case 'system':
      if (actor?.auth_method !== 'system') throw AppError.forbidden('This is a platform operation');
      return;
    case 'operator':
      if (!meta.operator) throw new AppError(ErrorCode.UNAUTHORIZED, 'A control-plane operator is required');
      return;
    case 'read':
    case 'write':
    case 'admin':
      if (!actor || !TENANT_ID.test(meta.tenant_id)) throw new AppError(ErrorCode.UNAUTHORIZED, 'Authentication required');
      if (requires === 'write' && !canWrite(actor)) {
        throw AppError.forbidden(actor.role === 'viewer' ? 'The viewer role cannot make changes' : 'This API token does not have the write permission');
      }
      if (requires === 'admin' && !(isAdmin(actor) && canWrite(actor))) throw AppError.forbidden('Only an admin or owner may do this');
      return;
  }
}

/**
 * Declares the handler of a request/reply subject: which body class it accepts and who may send
 * it. The method receives the request meta (tenant, actor, trace) and the validated, typed body;
 * whatever it returns or throws becomes the reply envelope, and an unexpected error is logged
 * with an id and answered as a generic ERROR (no stack or SQL crosses the wire).
 */
export function RpcHandler<B extends object>(subject: RpcSubject, options: RpcHandlerOptions<B>): MethodDecorator {
  return (target, key, descriptor: PropertyDescriptor) => {
    const original = descriptor.value as (meta: RequestMeta, body: B) => Promise<unknown>;
    const wrapped = async function (this: unknown, message: unknown): Promise<ReplyEnvelope<unknown>> {
      if (!isRpcMessage(message)) return errorReply(new AppError(ErrorCode.VALIDATION_ERROR, 'Malformed request message'));
      const ids = { tenant_id: message.meta.tenant_id || undefined, request_id: message.meta.request_id };
      return withLogContext(ids, () => inSpanFrom(message.meta.traceparent, `handle ${subject}`, SpanKind.SERVER, async (span) => {
        if (message.meta.tenant_id) span.setAttribute('opsplane.tenant_id', message.meta.tenant_id);
        const done = rpcDuration.startTimer({ subject });
        try {
          assertRequirement(message.meta, options.requires);
          const body = options.body ? await parseInput(options.body, message.body) : ({} as B);
          const value = await original.call(this, message.meta, body);
          rpcRequests.inc({ subject, outcome: 'ok' });
          return okReply(value);
        } catch (e) {
          rpcRequests.inc({ subject, outcome: e instanceof AppError ? e.code : 'ERROR' });
          if (e instanceof AppError) return errorReply(e);
          const id = randomUUID();
          logger.error(`[${id}] ${subject} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
          return errorReply(new AppError(ErrorCode.ERROR, `Internal error (id ${id})`));
        } finally {
          done();
        }
      }));
    };
    Object.defineProperty(wrapped, 'name', { value: String(key) });
    descriptor.value = wrapped;
    MessagePattern(subject)(target, key, descriptor);
    return descriptor;
  };
}
