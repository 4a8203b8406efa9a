import type { FastifyReply, FastifyRequest } from 'fastify';
import { encodeOtlpStatus, OtlpFormat } from '@opsplane/otlp';
import { ErrorResponse } from './error-response';

/** The OTLP/HTTP routes (their answers and errors are OTLP's, not the envelope). */
export const isOtlpPath = (url: string | undefined) => !!url && /^\/v1\/(logs|traces|metrics)(\?|$)/.test(url);

/** OTLP/HTTP's two encodings: binary protobuf (`application/x-protobuf`) or OTLP/JSON (`application/json`). */
export function otlpFormatOf(req: FastifyRequest): OtlpFormat {
  const type = String(req.headers['content-type'] ?? '').toLowerCase();
  return type.startsWith('application/json') ? 'json' : 'protobuf';
}

const GRPC_CODE_OF_STATUS: Record<number, number> = { 400: 3, 401: 16, 402: 8, 403: 7, 404: 5, 413: 3, 415: 3, 422: 3, 429: 8, 503: 14 };

/**
 * An error on an OTLP route as the OTLP/HTTP specification has it: the status code (429 and 503 with Retry-After
 * are retried by clients, other 4xx are not) and a google.rpc.Status body in the request's encoding. A body the
 * gateway could not read (422 elsewhere) is OTLP's 400.
 */
export function sendOtlpError(reply: FastifyReply, req: FastifyRequest, r: ErrorResponse): void {
  const status = r.status === 422 || r.status === 415 ? 400 : r.status;
  const format = otlpFormatOf(req);
  const details = Array.isArray(r.body.details) ? ` (${r.body.details.map((d) => `${d.field}: ${d.message}`).join('; ')})` : '';
  const body = encodeOtlpStatus(format, GRPC_CODE_OF_STATUS[status] ?? 13, `${r.body.error}${details} [${r.body.code}, trace ${r.body.trace_id}]`);
  void reply
    .status(status)
    .headers(r.headers)
    .header('content-type', format === 'json' ? 'application/json' : 'application/x-protobuf')
    .send(body);
}
