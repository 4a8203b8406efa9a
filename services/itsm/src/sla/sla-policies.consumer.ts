import { EventSubject } from '@opsplane/contracts';
import { defineConsumer } from '@opsplane/runtime';
import { fromSlaPolicyView, upsertPolicyRow } from '@opsplane/sla';

/**
 * The copy of the tenant's SLA policies (owned by the incidents service) that service requests'
 * timers start under: every sla.policy.* event carries the whole policy; an older version never
 * overwrites a newer one. Until the first event of a tenant arrives, its requests run under the
 * built-in default policy (the same the incidents service materialises, with the same id).
 */
export const slaPoliciesConsumer = defineConsumer({
  name: 'sla-policies',
  subjects: [EventSubject.SlaPolicyCreated, EventSubject.SlaPolicyUpdated, EventSubject.SlaPolicyDeleted],
  async handle(tx, e) {
    const p = e.data.policy;
    await upsertPolicyRow(tx, fromSlaPolicyView(tx.tenant, p, e.data.deleted ? new Date(p.updated_at) : null), true);
  },
});
