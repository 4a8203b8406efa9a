import { ciNaturalKey } from '@opsplane/contracts';
import type { SpanRow } from '@opsplane/otlp';

/**
 * The service topology in spans, without I/O: which services a tenant's batch of spans shows, and which calls
 * between them. A call `caller → callee` is
 *  - a span whose parent span belongs to another service (the parent's service called the span's), the parent in
 *    the batch or already stored (`StoredSpan`; also the other way round: a stored span whose parent is in the batch,
 *    since a caller's span usually ends, and is exported, after its callee's);
 *  - a CLIENT or PRODUCER span with the attribute `peer.service` (the callee named by the caller; it has no resource
 *    of its own here, so it is taken to run in the caller's environment).
 * Services are identified as the CMDB identifies a `service` item: name (any case) + environment.
 */

/** A service: its `service.name` and its resource's deployment environment (null when none). */
export interface ServiceRef {
  name: string;
  environment: string | null;
}

export interface Call {
  caller: ServiceRef;
  callee: ServiceRef;
}

/** A span already stored, as the topology needs it. */
export interface StoredSpan {
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
  service: ServiceRef | null;
}

/** Where the stored spans related to a batch are found (see `TopologyRepository`). */
export interface TopologyLookups {
  /** The batch's traces. */
  traceIds: string[];
  /** Parents that are not in the batch. */
  parentIds: string[];
  /** The batch's spans (their stored children are looked for; they themselves are not wanted back). */
  spanIds: string[];
  /** The batch's start times (microseconds), to bound the search. */
  fromUs: number;
  toUs: number;
}

/** As the CMDB bounds an item's name and environment. */
const MAX_NAME = 255;
const MAX_ENVIRONMENT = 100;

const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v.trim() : null);

/**
 * The service a span's resource names, or null: no usable name (missing, the SDKs' `unknown_service[:process]`
 * default, longer than an item's name may be) or an environment longer than an item's may be.
 */
export function serviceOf(name: string, resource: Record<string, unknown>): ServiceRef | null {
  const n = text(name);
  if (!n || n.length > MAX_NAME || n === 'unknown_service' || n.startsWith('unknown_service:')) return null;
  const environment = text(resource['deployment.environment.name']) ?? text(resource['deployment.environment']);
  if (environment && environment.length > MAX_ENVIRONMENT) return null;
  return { name: n, environment };
}

/** A service's identity (the CMDB's natural key of a `service` item). */
export const serviceKey = (s: ServiceRef): string => ciNaturalKey('service', s.name, s.environment);

export const callKey = (c: Call): string => JSON.stringify([serviceKey(c.caller), serviceKey(c.callee)]);

const spanKey = (traceId: string, spanId: string) => `${traceId}/${spanId}`;

/** What to look up among the stored spans for a batch (nothing when no span has ids). */
export function lookupsOf(spans: SpanRow[]): TopologyLookups | null {
  const inBatch = new Set<string>();
  const traceIds = new Set<string>();
  const spanIds = new Set<string>();
  let fromUs = Infinity;
  let toUs = -Infinity;
  for (const s of spans) {
    if (!s.trace_id || !s.span_id) continue;
    inBatch.add(spanKey(s.trace_id, s.span_id));
    traceIds.add(s.trace_id);
    spanIds.add(s.span_id);
    fromUs = Math.min(fromUs, s.start_us);
    toUs = Math.max(toUs, s.start_us);
  }
  if (!traceIds.size) return null;
  const parentIds = new Set<string>();
  for (const s of spans) {
    if (s.trace_id && s.span_id && s.parent_span_id && !inBatch.has(spanKey(s.trace_id, s.parent_span_id))) parentIds.add(s.parent_span_id);
  }
  return { traceIds: [...traceIds], parentIds: [...parentIds], spanIds: [...spanIds], fromUs, toUs };
}

const KINDS_NAMING_PEERS = new Set(['client', 'producer']);

/** The services of a batch (its spans' and their callees') and the calls between services it shows, each once. */
export function topologyOf(spans: SpanRow[], stored: StoredSpan[] = []): { services: ServiceRef[]; calls: Call[] } {
  const services = new Map<string, ServiceRef>();
  const calls = new Map<string, Call>();
  const service = (s: ServiceRef): ServiceRef => {
    const k = serviceKey(s);
    const known = services.get(k);
    if (known) return known;
    services.set(k, s);
    return s;
  };
  const call = (caller: ServiceRef | null | undefined, callee: ServiceRef | null | undefined) => {
    if (!caller || !callee) return;
    const c = { caller: service(caller), callee: service(callee) };
    if (serviceKey(c.caller) === serviceKey(c.callee)) return;
    calls.set(callKey(c), calls.get(callKey(c)) ?? c);
  };

  const batch = new Map<string, ServiceRef | null>();
  const ofSpan = spans.map((s) => {
    const ref = serviceOf(s.service, s.resource);
    if (ref) service(ref);
    if (s.trace_id && s.span_id) batch.set(spanKey(s.trace_id, s.span_id), ref);
    return ref;
  });
  const storedById = new Map<string, ServiceRef | null>();
  for (const s of stored) storedById.set(spanKey(s.trace_id, s.span_id), s.service);

  spans.forEach((s, i) => {
    const self = ofSpan[i];
    if (s.trace_id && s.parent_span_id) {
      const k = spanKey(s.trace_id, s.parent_span_id);
      call(batch.has(k) ? batch.get(k) : storedById.get(k), self);
    }
    const peer = s.attributes['peer.service'];
    if (self && KINDS_NAMING_PEERS.has(s.kind) && typeof peer === 'string') {
      call(self, serviceOf(peer, { 'deployment.environment.name': self.environment }));
    }
  });
  // Stored spans whose parent arrived only now (a span in the batch is not wanted twice).
  for (const s of stored) {
    if (!s.parent_span_id || batch.has(spanKey(s.trace_id, s.span_id))) continue;
    const k = spanKey(s.trace_id, s.parent_span_id);
    if (batch.has(k)) call(batch.get(k), s.service);
  }
  return { services: [...services.values()], calls: [...calls.values()] };
}
