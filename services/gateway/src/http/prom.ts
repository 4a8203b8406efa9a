import type { FastifyReply } from 'fastify';
import { ErrorResponse } from './error-response';

/** The Prometheus HTTP API routes under /api/prom (their answers and errors are Prometheus's JSON, not the envelope). */
export const isPromApiPath = (url: string | undefined) => !!url && /^\/api\/prom\//.test(url);

/** A form body (`application/x-www-form-urlencoded`) as parameters; a repeated name (`match[]`) gives a list. */
export function formParams(body: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(body)) {
    const prior = out[k];
    out[k] = prior === undefined ? v : Array.isArray(prior) ? [...prior, v] : [prior, v];
  }
  return out;
}

const ERROR_TYPE_OF_STATUS: Record<number, string> = { 400: 'bad_data', 413: 'bad_data', 415: 'bad_data', 422: 'bad_data', 404: 'not_found', 503: 'unavailable', 504: 'timeout' };

/** An error on a Prometheus API route as Prometheus answers it: `{status: "error", errorType, error}` with the status. */
export function sendPromError(reply: FastifyReply, r: ErrorResponse): void {
  const details = Array.isArray(r.body.details) ? ` (${r.body.details.map((d) => `${d.field}: ${d.message}`).join('; ')})` : '';
  // Prometheus answers a request it cannot read with 400 (the envelope's 422).
  const status = r.status === 422 ? 400 : r.status;
  void reply
    .status(status)
    .headers(r.headers)
    .header('content-type', 'application/json')
    .send(JSON.stringify({ status: 'error', errorType: ERROR_TYPE_OF_STATUS[status] ?? (status < 500 ? r.body.code.toLowerCase() : 'internal'), error: `${r.body.error}${details}`, code: r.body.code, trace_id: r.body.trace_id }));
}
