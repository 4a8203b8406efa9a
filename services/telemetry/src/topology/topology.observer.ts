import { EventSubject, MAX_TOPOLOGY_CALLS, MAX_TOPOLOGY_SERVICES } from '@opsplane/contracts';
import { TenantTx } from '@opsplane/db';
import type { SpanRow } from '@opsplane/otlp';
import { AnnouncedCache } from './announced-cache';
import { Call, callKey, lookupsOf, ServiceRef, serviceKey, StoredSpan, TopologyLookups, topologyOf } from './topology.domain';
import { relatedStoredSpans } from './topology.repository';

/**
 * Announces the service topology that a tenant's spans show (`telemetry.topology.observed.v1`, which the CMDB turns
 * into `service` items and `depends_on` relationships): called in the unit of work that writes the spans, so the
 * event is written to the outbox with them or not at all. Only what this replica has not announced for the tenant in
 * the last 24 hours goes out; what was announced is remembered once the transaction has committed (a batch that
 * fails is announced when it is written again).
 */
export class TopologyObserver {
  constructor(
    private readonly announced = new AnnouncedCache(),
    private readonly related: (tx: TenantTx, l: TopologyLookups) => Promise<StoredSpan[]> = relatedStoredSpans,
    private readonly now: () => number = Date.now,
  ) {}

  async observe(tx: TenantTx, spans: SpanRow[]): Promise<void> {
    const lookups = lookupsOf(spans);
    const stored = lookups ? await this.related(tx, lookups) : [];
    const { services, calls } = topologyOf(spans, stored);
    const now = this.now();
    const fresh = <T>(items: T[], key: (x: T) => string) => items.filter((x) => !this.announced.has(tx.tenant, key(x), now));
    const newServices = fresh(services, (s) => `s:${serviceKey(s)}`);
    const newCalls = fresh(calls, (c) => `c:${callKey(c)}`);
    if (!newServices.length && !newCalls.length) return;
    for (let i = 0; i * MAX_TOPOLOGY_SERVICES < newServices.length || i * MAX_TOPOLOGY_CALLS < newCalls.length; i++) {
      await tx.emit(EventSubject.TelemetryTopologyObserved, {
        services: newServices.slice(i * MAX_TOPOLOGY_SERVICES, (i + 1) * MAX_TOPOLOGY_SERVICES).map(plain),
        calls: newCalls.slice(i * MAX_TOPOLOGY_CALLS, (i + 1) * MAX_TOPOLOGY_CALLS).map((c: Call) => ({ caller: plain(c.caller), callee: plain(c.callee) })),
      });
    }
    const tenant = tx.tenant;
    tx.afterCommit(() => this.announced.add(tenant, [...newServices.map((s) => `s:${serviceKey(s)}`), ...newCalls.map((c) => `c:${callKey(c)}`)], now));
  }
}

const plain = (s: ServiceRef): ServiceRef => ({ name: s.name, environment: s.environment });
