import { CatalogItemView, RecordSlaView, ServiceRequestView } from '@opsplane/contracts';
import { CatalogItemEntity, ServiceRequestEntity } from './request.entity';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export const requestReferenceOf = (n: number) => `REQ-${String(n).padStart(8, '0')}`;

export function toCatalogItemView(e: CatalogItemEntity): CatalogItemView {
  return {
    id: e.id,
    code: e.code,
    name: e.name,
    category: e.category,
    description: e.description,
    form_schema: e.formSchema,
    approval: e.approval,
    fulfilment_tasks: e.fulfilmentTasks,
    active: e.active,
    created_by: e.createdBy,
    created_at: e.createdAt.toISOString(),
    updated_at: e.updatedAt.toISOString(),
    version: e.version,
  };
}

export function toRequestView(e: ServiceRequestEntity, sla: RecordSlaView | null = null): ServiceRequestView {
  return {
    id: e.id,
    reference: requestReferenceOf(e.number),
    catalog_item_id: e.catalogItemId,
    catalog_item_name: e.catalogItemName,
    requested_by: e.requestedBy,
    fields: e.fields,
    status: e.status,
    priority: e.priority,
    approval_status: e.approvalStatus,
    approvals: e.approvals,
    tasks: e.tasks,
    created_by: e.createdBy,
    created_at: e.createdAt.toISOString(),
    updated_at: e.updatedAt.toISOString(),
    approved_at: iso(e.approvedAt),
    fulfilled_at: iso(e.fulfilledAt),
    closed_at: iso(e.closedAt),
    version: e.version,
    sla,
  };
}
