import { TenantTx } from '@opsplane/db';
import { serviceOf, StoredSpan, TopologyLookups } from './topology.domain';

/** Parents and children are looked for this far around the batch's spans (clocks of services differ; traces last). */
const AROUND_US = 86_400_000_000;

const iso = (us: number) => new Date(Math.floor(us / 1000)).toISOString();
const bytes = (hex: string[]) => hex.map((h) => Buffer.from(h, 'hex'));

/**
 * The stored spans related to a batch, in one statement: the parents its spans name that it does not hold, and the
 * spans whose parent is one of its spans (stored before it), each with its service and its resource's environment.
 * Only the batch's traces are read (`spans_trace_idx`), in the day partitions around its spans.
 */
export async function relatedStoredSpans(tx: TenantTx, l: TopologyLookups): Promise<StoredSpan[]> {
  const rows = (await tx.query(
    `SELECT encode(s.trace_id, 'hex') AS trace_id, encode(s.span_id, 'hex') AS span_id, encode(s.parent_span_id, 'hex') AS parent_span_id, s.service,
            r.attributes -> 'deployment.environment.name' AS env_name, r.attributes -> 'deployment.environment' AS env
       FROM spans s LEFT JOIN resources r ON r.tenant_id = s.tenant_id AND r.fp = s.resource_fp
      WHERE s.tenant_id = current_setting('app.tenant_id')::uuid
        AND s.start_time >= $1::timestamptz AND s.start_time < $2::timestamptz
        AND s.trace_id = ANY($3::bytea[])
        AND (s.span_id = ANY($4::bytea[]) OR (s.parent_span_id = ANY($5::bytea[]) AND NOT s.span_id = ANY($5::bytea[])))`,
    // The ids as values the planner sees (it then reads by trace, spans_trace_idx), not as a subquery's result.
    [iso(l.fromUs - AROUND_US), iso(l.toUs + AROUND_US), bytes(l.traceIds), bytes(l.parentIds), bytes(l.spanIds)],
  )) as { trace_id: string; span_id: string; parent_span_id: string | null; service: string; env_name: unknown; env: unknown }[];
  return rows.map((r) => ({
    trace_id: r.trace_id,
    span_id: r.span_id,
    parent_span_id: r.parent_span_id,
    service: serviceOf(r.service, { 'deployment.environment.name': r.env_name, 'deployment.environment': r.env }),
  }));
}
