import { EventSubject, systemActor } from '@opsplane/contracts';
import { TenantTx } from '@opsplane/db';
import { defineConsumer } from '@opsplane/runtime';
import { identityOf, naturalKey } from '../items/ci.domain';
import { existingEdges, identify } from '../items/items.repository';
import { importItems } from '../items/items.service';
import { DISCOVERED_CLASS, DISCOVERED_RELATIONSHIP, missingOf, TopologyPlan, planOf } from './topology.domain';

/**
 * The service topology the telemetry service sees in traces, in the CMDB: services as `service` items, calls as
 * `depends_on` relationships (caller → callee), so impact analysis walks the real call graph. What is missing is
 * written through the bulk import (its identification, its history, events and audit entry, by the system); what
 * exists is left alone, so a repeated or redelivered event writes nothing (see topology.domain.ts).
 */
export const topologyConsumer = defineConsumer({
  name: 'telemetry-topology',
  subjects: [EventSubject.TelemetryTopologyObserved],
  async handleBatch(tx, events) {
    await applyTopology(tx, planOf(events.map((e) => e.data)));
  },
});

export async function applyTopology(tx: TenantTx, plan: TopologyPlan): Promise<void> {
  if (!plan.services.length) return;
  const live = await identify(
    tx,
    plan.services.map((s) => ({ cls: DISCOVERED_CLASS, identity: identityOf({ class: DISCOVERED_CLASS, name: s.name, environment: s.environment }) })),
  );
  const existing = new Map(live.filter((e) => e.class === DISCOVERED_CLASS).map((e) => [naturalKey(e.class, e.name, e.environment), e.id]));
  const pairs = plan.calls.filter((c) => existing.has(c.caller) && existing.has(c.callee)).map((c) => ({ sourceId: existing.get(c.caller)!, targetId: existing.get(c.callee)! }));
  const edges = await existingEdges(tx, pairs, DISCOVERED_RELATIONSHIP);
  const missing = missingOf(plan, existing, (s, t) => edges.has(`${s}/${t}`));
  if (missing) await importItems(tx, { tenant_id: tx.tenant, actor: systemActor() }, missing);
}
