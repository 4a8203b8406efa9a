import { listPolicyRows, SlaRecordState, withDefault } from '@opsplane/sla';
import { SlaPolicyView } from '@opsplane/contracts';
import { TenantTx } from '@opsplane/db';
import { ServiceRequestEntity } from '../requests/request.entity';
import { requestReferenceOf } from '../requests/request.mapper';

/**
 * A service request as its SLA sees it: responded once an approver decided or a task moved (the
 * desk acted on it), resolved when fulfilled, cancelled when rejected or cancelled (its clock stops
 * without a verdict), paused in the statuses the policy names (by default, waiting for approval),
 * matched to policies by its catalog item's category.
 */
export function requestSlaState(r: ServiceRequestEntity, catalogCategory: string | null = null): SlaRecordState {
  return {
    type: 'service_request',
    id: r.id,
    tenantId: r.tenantId,
    reference: requestReferenceOf(r.number),
    priority: r.priority,
    responded: r.approvals.length > 0 || r.tasks.some((t) => t.status !== 'open'),
    resolution: r.status === 'fulfilled' ? 'resolved' : r.status === 'rejected' || r.status === 'cancelled' ? 'cancelled' : 'open',
    states: [r.status],
    subject: { type: 'service_request', catalogCategory },
  };
}

/** The tenant's policies as this service knows them (its copy, and the default until the copy has one). */
export async function requestPolicies(tx: TenantTx): Promise<SlaPolicyView[]> {
  return withDefault(tx.tenant, await listPolicyRows(tx), new Date());
}
