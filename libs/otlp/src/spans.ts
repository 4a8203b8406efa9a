import { attributes, Attributes, hexId, resourceInfo } from './attributes';
import { nanosToMicros } from './int64';
import { ExportTraceServiceRequest } from './types';

export type SpanKind = 'unspecified' | 'internal' | 'server' | 'client' | 'producer' | 'consumer';
export type SpanStatusCode = 'unset' | 'ok' | 'error';

/** One span, normalized (times in microseconds since the epoch, ids in lowercase hex). */
export interface SpanRow {
  trace_id: string | null;
  span_id: string | null;
  /** null for a root span. */
  parent_span_id: string | null;
  name: string;
  kind: SpanKind;
  start_us: number;
  end_us: number;
  /** end_us - start_us, 0 when the end precedes the start. */
  duration_us: number;
  status_code: SpanStatusCode;
  status_message: string;
  service: string;
  /** The resource's attributes (shared by the rows of one resource: do not mutate). */
  resource: Attributes;
  scope: string;
  attributes: Attributes;
  events: { time_us: number; name: string; attributes: Attributes }[];
  links: { trace_id: string | null; span_id: string | null; attributes: Attributes }[];
}

const KINDS: SpanKind[] = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];
const STATUS: SpanStatusCode[] = ['unset', 'ok', 'error'];

/** The rows of a traces export request, in request order. */
export function spanRows(req: ExportTraceServiceRequest): SpanRow[] {
  const rows: SpanRow[] = [];
  for (const rs of req.resourceSpans ?? []) {
    const res = resourceInfo(rs.resource);
    for (const ss of rs.scopeSpans ?? []) {
      const scope = ss.scope?.name ?? '';
      for (const sp of ss.spans ?? []) {
        const start = nanosToMicros(sp.startTimeUnixNano);
        const end = nanosToMicros(sp.endTimeUnixNano);
        rows.push({
          trace_id: hexId(sp.traceId),
          span_id: hexId(sp.spanId),
          parent_span_id: hexId(sp.parentSpanId),
          name: sp.name ?? '',
          kind: KINDS[sp.kind ?? 0] ?? 'unspecified',
          start_us: start,
          end_us: end,
          duration_us: Math.max(0, end - start),
          status_code: STATUS[sp.status?.code ?? 0] ?? 'unset',
          status_message: sp.status?.message ?? '',
          service: res.service,
          resource: res.attributes,
          scope,
          attributes: attributes(sp.attributes),
          events: (sp.events ?? []).map((e) => ({ time_us: nanosToMicros(e.timeUnixNano), name: e.name ?? '', attributes: attributes(e.attributes) })),
          links: (sp.links ?? []).map((l) => ({ trace_id: hexId(l.traceId), span_id: hexId(l.spanId), attributes: attributes(l.attributes) })),
        });
      }
    }
  }
  return rows;
}
