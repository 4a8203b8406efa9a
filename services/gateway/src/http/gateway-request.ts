import type { Span } from '@opentelemetry/api';
import type { FastifyRequest } from 'fastify';
import { Actor, RequestMeta } from '@opsplane/contracts';
import { AppError, ErrorCode } from '@opsplane/errors';

/** What the gateway attaches to a request as it passes the hooks and guards. */
export interface GatewayState {
  span?: Span;
  traceparent?: string;
  traceId?: string;
  actor?: Actor;
  tenantId?: string;
  /** See Principal.credential_at. */
  credentialAt?: number;
}

export type GatewayRequest = FastifyRequest & { opsplane?: GatewayState; user?: unknown };

export function stateOf(req: GatewayRequest): GatewayState {
  req.opsplane ??= {};
  return req.opsplane;
}

/** The meta of an authenticated tenant-plane request, for forwarding to a service. */
export function metaOf(req: GatewayRequest): RequestMeta {
  const s = stateOf(req);
  if (!s.tenantId || !s.actor) throw new AppError(ErrorCode.UNAUTHORIZED, 'Authentication required');
  return { tenant_id: s.tenantId, actor: s.actor, traceparent: s.traceparent, request_id: req.id, idempotency_key: idempotencyKeyOf(req), if_match: ifMatchOf(req) };
}

const IF_MATCH = /^\s*(\*|(W\/)?"[\x21\x23-\x7e]{1,64}"(\s*,\s*(W\/)?"[\x21\x23-\x7e]{1,64}")*)\s*$/;

/** The request's If-Match: `*` or a list of ETags (`"3"`, `W/"3"`), or 422. */
export function ifMatchOf(req: FastifyRequest): string | undefined {
  const v = headerOf(req, 'if-match');
  if (v === undefined) return undefined;
  if (!IF_MATCH.test(v)) throw AppError.validation([{ field: 'If-Match', message: 'If-Match must be * or ETags as the API sent them, e.g. "3"' }]);
  return v.trim();
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** The request's `Idempotency-Key` (1 to 255 visible ASCII characters, e.g. a UUID), or 422. */
export function idempotencyKeyOf(req: FastifyRequest): string | undefined {
  const v = headerOf(req, 'idempotency-key');
  if (v === undefined) return undefined;
  if (!IDEMPOTENCY_KEY.test(v)) {
    throw AppError.validation([{ field: 'Idempotency-Key', message: 'Idempotency-Key must be 1 to 255 visible ASCII characters (e.g. a UUID)' }]);
  }
  return v;
}

export function headerOf(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
