import * as protobuf from 'protobufjs';
import { TelemetryDecodeError } from './errors';
import { fromOtlpJson, JsonFieldError } from './otlp-json';
import { finish, otlpSchema } from './schema';
import { OtlpFormat, OtlpRequests, OtlpSignal } from './types';

/** What the server could not accept of a request (OTLP partial success). */
export interface OtlpPartialSuccess {
  /** Rejected log records, spans or data points. */
  rejected: number;
  message: string;
}

function requestType(signal: OtlpSignal): protobuf.Type {
  const s = otlpSchema();
  return signal === 'logs' ? s.logsRequest : signal === 'traces' ? s.traceRequest : s.metricsRequest;
}

/**
 * Decodes an OTLP/HTTP export request body (`ExportLogsServiceRequest`, `ExportTraceServiceRequest`
 * or `ExportMetricsServiceRequest`) with the official schema. An empty body is an empty request.
 * @throws TelemetryDecodeError when the body is not a valid request of the signal in that format.
 */
export function decodeOtlp<S extends OtlpSignal>(signal: S, format: OtlpFormat, body: Buffer): OtlpRequests[S] {
  const type = requestType(signal);
  const req = format === 'json' ? decodeJson(type, body) : decodeProtobuf(type, body);
  checkIds(signal, req as OtlpRequests[OtlpSignal]);
  return req as OtlpRequests[S];
}

function decodeProtobuf(type: protobuf.Type, body: Buffer): object {
  try {
    return type.decode(body);
  } catch (e) {
    throw new TelemetryDecodeError(`invalid OTLP protobuf ${type.name}: ${(e as Error).message}`);
  }
}

function decodeJson(type: protobuf.Type, body: Buffer): object {
  if (body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (e) {
    throw new TelemetryDecodeError(`invalid OTLP JSON: ${(e as Error).message}`);
  }
  try {
    return fromOtlpJson(type, parsed);
  } catch (e) {
    if (!(e instanceof JsonFieldError)) throw e;
    throw new TelemetryDecodeError(`invalid OTLP JSON ${type.name}: ${formatPath(e.path)}${e.message}`);
  }
}

function formatPath(path: (string | number)[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${p}` : p;
  return out ? `${out}: ` : '';
}

/** Encodes a request (decoded from either format) as OTLP protobuf, e.g. to publish it onwards. */
export function encodeOtlpRequest<S extends OtlpSignal>(signal: S, req: OtlpRequests[S]): Buffer {
  return finish(requestType(signal).encode(req));
}

const REJECTED_FIELD: Record<OtlpSignal, string> = { logs: 'rejectedLogRecords', traces: 'rejectedSpans', metrics: 'rejectedDataPoints' };

/**
 * The body of a successful export answer (`ExportXServiceResponse`), with `partialSuccess` when
 * part of the request was rejected.
 */
export function encodeOtlpResponse(signal: OtlpSignal, format: OtlpFormat, partial?: OtlpPartialSuccess): Buffer {
  const field = REJECTED_FIELD[signal];
  if (format === 'json') {
    // int64 as a decimal string, as the protobuf JSON mapping writes it.
    const json = partial ? { partialSuccess: { [field]: String(partial.rejected), errorMessage: partial.message } } : {};
    return Buffer.from(JSON.stringify(json));
  }
  const s = otlpSchema();
  const type = signal === 'logs' ? s.logsResponse : signal === 'traces' ? s.traceResponse : s.metricsResponse;
  return finish(type.encode(partial ? { partialSuccess: { [field]: partial.rejected, errorMessage: partial.message } } : {}));
}

/**
 * The body of a failed export answer: a `google.rpc.Status` (OTLP/HTTP "Failures"), `code` being a
 * gRPC status code (3 INVALID_ARGUMENT for a malformed body, 8 RESOURCE_EXHAUSTED when throttled).
 */
export function encodeOtlpStatus(format: OtlpFormat, code: number, message: string): Buffer {
  if (format === 'json') return Buffer.from(JSON.stringify({ code, message }));
  return finish(otlpSchema().status.encode({ code, message }));
}

// Ids of another length than 16 (trace) or 8 (span) bytes are refused, as the Collector does;
// the JSON decoder checks them as it reads, the protobuf ones are checked here.
function checkIds(signal: OtlpSignal, req: OtlpRequests[OtlpSignal]): void {
  if (signal === 'logs') checkLogIds(req as OtlpRequests['logs']);
  else if (signal === 'traces') checkSpanIds(req as OtlpRequests['traces']);
  // Metrics: exemplar ids are not read (see metricPoints), so they are not checked.
}

function checkLogIds(req: OtlpRequests['logs']): void {
  const rls = req.resourceLogs ?? [];
  for (let i = 0; i < rls.length; i++) {
    const sls = rls[i].scopeLogs ?? [];
    for (let j = 0; j < sls.length; j++) {
      const lrs = sls[j].logRecords ?? [];
      for (let k = 0; k < lrs.length; k++) {
        const bad = idProblem(lrs[k].traceId, lrs[k].spanId);
        if (bad) throw new TelemetryDecodeError(`invalid OTLP resourceLogs[${i}].scopeLogs[${j}].logRecords[${k}]: ${bad}`);
      }
    }
  }
}

function checkSpanIds(req: OtlpRequests['traces']): void {
  const rss = req.resourceSpans ?? [];
  for (let i = 0; i < rss.length; i++) {
    const sss = rss[i].scopeSpans ?? [];
    for (let j = 0; j < sss.length; j++) {
      const spans = sss[j].spans ?? [];
      for (let k = 0; k < spans.length; k++) {
        const sp = spans[k];
        let bad = idProblem(sp.traceId, sp.spanId) ?? idProblem(undefined, sp.parentSpanId);
        for (const link of sp.links ?? []) bad ??= idProblem(link.traceId, link.spanId);
        if (bad) throw new TelemetryDecodeError(`invalid OTLP resourceSpans[${i}].scopeSpans[${j}].spans[${k}]: ${bad}`);
      }
    }
  }
}

function idProblem(traceId: Uint8Array | null | undefined, spanId: Uint8Array | null | undefined): string | null {
  if (traceId && traceId.length !== 0 && traceId.length !== 16) return `trace id of ${traceId.length} bytes (16 expected)`;
  if (spanId && spanId.length !== 0 && spanId.length !== 8) return `span id of ${spanId.length} bytes (8 expected)`;
  return null;
}
