import type { Priority } from '../incidents/incident.model';
import type { RecordSlaView } from '../sla/sla.model';
import type { ChangeApprovalAction } from './change.model';

/** Who must approve requests for a catalog item (none: fulfilled without approval). */
export interface CatalogApprovalView {
  required: boolean;
  /** How many approvers. */
  approvals: number;
  /** Of them, how many change managers (admins, owners, the CAB of the change policy). */
  manager_approvals: number;
  /** When not empty, only these users may approve. */
  approver_ids: string[];
}

export interface FulfilmentTaskTemplateView {
  title: string;
  description: string | null;
  /** A user id or e-mail the task goes to. */
  assignee: string | null;
}

/** An orderable item of the service catalog (a laptop, access to a system, a new database). */
export interface CatalogItemView {
  /** @format uuid */
  id: string;
  /** A short, stable name (e.g. `item-001`, `laptop`), unique in the tenant; usable wherever the id is. */
  code: string | null;
  name: string;
  category: string;
  description: string;
  /** The JSON Schema (draft 2020-12 or earlier) a request's `fields` must satisfy. */
  form_schema: Record<string, unknown>;
  approval: CatalogApprovalView;
  fulfilment_tasks: FulfilmentTaskTemplateView[];
  active: boolean;
  /** @format uuid */
  created_by: string | null;
  /** @format date-time */
  created_at: string;
  /** @format date-time */
  updated_at: string;
  version: number;
}

export const REQUEST_STATUSES = ['pending_approval', 'in_fulfilment', 'fulfilled', 'rejected', 'cancelled'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

export const TASK_STATUSES = ['open', 'done', 'skipped'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export interface FulfilmentTaskView {
  /** @format uuid */
  id: string;
  title: string;
  description: string | null;
  assignee: string | null;
  status: TaskStatus;
  /** @format date-time */
  completed_at: string | null;
  completed_by: string | null;
  notes: string | null;
}

export interface RequestApprovalView {
  approver_id: string | null;
  approver_email: string | null;
  /** Counted as a manager's (an admin or owner, or a member of the change policy's CAB). */
  manager: boolean;
  action: ChangeApprovalAction;
  comments: string | null;
  /** @format date-time */
  created_at: string;
}

/** A service request: an order of a catalog item, its approval and fulfilment. */
export interface ServiceRequestView {
  /** @format uuid */
  id: string;
  /** REQ-00000001: per tenant, sequential; usable wherever the id is. */
  reference: string;
  /** @format uuid */
  catalog_item_id: string;
  catalog_item_name: string;
  /** Who asked (an e-mail or a user id); the caller when not given. */
  requested_by: string | null;
  /** The form's answers, valid against the item's schema when submitted. */
  fields: Record<string, unknown>;
  status: RequestStatus;
  /** Sets the SLA targets (default medium). */
  priority: Priority;
  approval_status: 'not_required' | 'pending' | 'approved' | 'rejected';
  approvals: RequestApprovalView[];
  /** The fulfilment tasks (created once the request is approved). */
  tasks: FulfilmentTaskView[];
  /** @format uuid */
  created_by: string | null;
  /** @format date-time */
  created_at: string;
  /** @format date-time */
  updated_at: string;
  /** @format date-time */
  approved_at: string | null;
  /** @format date-time */
  fulfilled_at: string | null;
  /** @format date-time */
  closed_at: string | null;
  version: number;
  /** Its SLA timers (response: the first approval decision or task progress; resolution: fulfilment). */
  sla: RecordSlaView | null;
}

/** The data of `itsm.request.*` events: what a consumer needs to act, the rest is one GET away. */
export interface RequestEventData {
  request_id: string;
  reference: string;
  catalog_item_id: string;
  catalog_item_name: string;
  requested_by: string | null;
  status: RequestStatus;
  /** The status before (status changes). */
  from: RequestStatus | null;
}
