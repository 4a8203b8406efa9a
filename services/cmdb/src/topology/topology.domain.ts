import { ciNaturalKey, ImportCisDto, TelemetryTopologyObservedV1 } from '@opsplane/contracts';

/**
 * What the CMDB makes of the topology seen in traces (`telemetry.topology.observed.v1`), without I/O: each service is
 * a `service` item identified as an import identifies it (class + name in any case + environment), each call a
 * `depends_on` relationship from the caller to the callee. Only what is missing is written: a service that a live item
 * already is stays as it is (nothing of it is overwritten, not even by `discovered_by`), an existing relationship too.
 * A new item gets `discovered_by: telemetry`. A deleted item is not a live item, so a service seen again after its
 * item was deleted is a new item (identification matches live items only; the deleted one keeps its history).
 */

export const DISCOVERED_CLASS = 'service';
export const DISCOVERED_RELATIONSHIP = 'depends_on';
export const DISCOVERED_ATTRIBUTES = { discovered_by: 'telemetry' } as const;

export interface TopologyService {
  /** Its natural key (ciNaturalKey). */
  key: string;
  name: string;
  environment: string | null;
}

/** The services and calls of some events, each once (by identity); a call of a service to itself is none. */
export interface TopologyPlan {
  services: TopologyService[];
  calls: { caller: string; callee: string }[];
}

const clean = (s: string | null | undefined) => s?.trim() || null;

export function planOf(events: TelemetryTopologyObservedV1[]): TopologyPlan {
  const services = new Map<string, TopologyService>();
  const service = (s: { name: string; environment: string | null }) => {
    const name = s.name.trim();
    const environment = clean(s.environment);
    const key = ciNaturalKey(DISCOVERED_CLASS, name, environment);
    if (!services.has(key)) services.set(key, { key, name, environment });
    return key;
  };
  const calls = new Map<string, { caller: string; callee: string }>();
  for (const e of events) {
    for (const s of e.services) service(s);
    for (const c of e.calls) {
      const call = { caller: service(c.caller), callee: service(c.callee) };
      if (call.caller !== call.callee) calls.set(JSON.stringify([call.caller, call.callee]), call);
    }
  }
  return { services: [...services.values()], calls: [...calls.values()] };
}

/**
 * The import that adds what is missing: `existing` maps a service's key to the live item it identifies; `edgeExists`
 * says whether a relationship between two live items exists. Null when nothing is missing.
 */
export function missingOf(plan: TopologyPlan, existing: Map<string, string>, edgeExists: (sourceId: string, targetId: string) => boolean): ImportCisDto | null {
  const fresh = plan.services.filter((s) => !existing.has(s.key));
  const ref = new Map(fresh.map((s, i) => [s.key, `service-${i}`]));
  const end = (key: string) => (existing.has(key) ? { id: existing.get(key)! } : { ref: ref.get(key)! });
  const relationships = plan.calls
    .filter((c) => !(existing.has(c.caller) && existing.has(c.callee) && edgeExists(existing.get(c.caller)!, existing.get(c.callee)!)))
    .map((c) => ({ source: end(c.caller), target: end(c.callee), type: DISCOVERED_RELATIONSHIP }) as const);
  if (!fresh.length && !relationships.length) return null;
  return {
    items: fresh.map((s) => ({ ref: ref.get(s.key)!, class: DISCOVERED_CLASS, name: s.name, environment: s.environment, attributes: { ...DISCOVERED_ATTRIBUTES } })),
    relationships,
  };
}
