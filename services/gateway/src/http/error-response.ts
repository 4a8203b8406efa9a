import { HttpException, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AppError, ErrorCode, ErrorEnvelope, httpStatusOf } from '@opsplane/errors';

const log = new Logger('Gateway');

/** Longest path parameter the router accepts (longer ones are a 422, never the router's own answer). */
export const MAX_PARAM_LENGTH = 512;

export interface ErrorResponse {
  status: number;
  body: ErrorEnvelope;
  headers: Record<string, string>;
}

function fromCode(code: ErrorCode, message: string, traceId: string, details?: ErrorEnvelope['details']): ErrorResponse {
  const body: ErrorEnvelope = { error: message, code, trace_id: traceId };
  if (details !== undefined) body.details = details;
  return { status: httpStatusOf(code), body, headers: {} };
}

interface FrameworkError {
  statusCode?: number;
  code?: string;
  message?: string;
}

/**
 * Every failure becomes the contract's error envelope. Known errors keep their message; anything
 * else is a 500 whose id is logged with the stack and shown to the client, which never sees a
 * stack trace or SQL.
 */
export function toErrorResponse(e: unknown, traceId: string): ErrorResponse {
  if (e instanceof AppError) {
    const details = e.details?.fields ?? (e.details && Object.keys(e.details).length ? e.details : undefined);
    const r = fromCode(e.code, e.message, traceId, details);
    if (e.code === ErrorCode.RATE_LIMIT) r.headers['retry-after'] = String(e.details?.retry_after_s ?? 1);
    else if (e.code === ErrorCode.UNAVAILABLE && typeof e.details?.retry_after_s === 'number') r.headers['retry-after'] = String(e.details.retry_after_s);
    return r;
  }
  const status = e instanceof HttpException ? e.getStatus() : (e as FrameworkError)?.statusCode;
  const fcode = (e as FrameworkError)?.code;
  // zlib's refusal of a Content-Encoding: gzip body that is not gzip.
  if (typeof fcode === 'string' && fcode.startsWith('Z_')) {
    return fromCode(ErrorCode.VALIDATION_ERROR, 'The body does not decompress as its Content-Encoding says', traceId, [{ field: 'body', message: 'must be valid gzip or deflate data' }]);
  }
  // The router's own refusals, answered without repeating the URL.
  if (fcode === 'FST_ERR_BAD_URL') {
    return fromCode(ErrorCode.VALIDATION_ERROR, 'The path is not a valid URL (bad percent-encoding)', traceId, [{ field: 'path', message: 'must be valid percent-encoded UTF-8' }]);
  }
  if (fcode === 'FST_ERR_MAX_PARAM_LENGTH') {
    return fromCode(ErrorCode.VALIDATION_ERROR, 'A path parameter is too long', traceId, [{ field: 'path', message: `a path parameter must be at most ${MAX_PARAM_LENGTH} characters` }]);
  }
  if (typeof status === 'number' && status < 500) {
    if (status === 401) return fromCode(ErrorCode.UNAUTHORIZED, 'Missing or invalid credentials', traceId);
    if (status === 403) return fromCode(ErrorCode.FORBIDDEN, 'Insufficient permissions', traceId);
    if (status === 404) return fromCode(ErrorCode.NOT_FOUND, 'Route not found', traceId);
    if (status === 413 || fcode === 'FST_ERR_CTP_BODY_TOO_LARGE') return fromCode(ErrorCode.PAYLOAD_TOO_LARGE, 'Request body is too large', traceId);
    if (status === 415 || fcode === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return fromCode(ErrorCode.VALIDATION_ERROR, 'The body must be sent as JSON with the header content-type: application/json', traceId, [
        { field: 'content-type', message: 'must be application/json' },
      ]);
    }
    if (status === 429) return fromCode(ErrorCode.RATE_LIMIT, 'Too many requests', traceId);
    if (fcode === 'FST_ERR_CTP_EMPTY_JSON_BODY' || fcode === 'FST_ERR_CTP_INVALID_JSON_BODY' || e instanceof SyntaxError || status === 400) {
      return fromCode(ErrorCode.VALIDATION_ERROR, 'Malformed JSON body', traceId, [{ field: 'body', message: 'must be valid JSON' }]);
    }
    return fromCode(ErrorCode.VALIDATION_ERROR, 'Bad request', traceId);
  }
  const id = randomUUID();
  log.error(`[${id}] trace ${traceId}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  return fromCode(ErrorCode.ERROR, `Internal error (id ${id})`, traceId);
}
