import Ajv2020, { ErrorObject, ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { randomUUID } from 'node:crypto';
import type { Priority } from '@opsplane/contracts';
import {
  Actor,
  CatalogApprovalView,
  CreateCatalogItemDto,
  FulfilmentTaskView,
  isAdmin,
  RequestApprovalDto,
  RequestApprovalView,
  RequestStatus,
  TaskStatus,
  UpdateCatalogItemDto,
} from '@opsplane/contracts';
import { FieldError } from '@opsplane/errors';
import { CatalogItemEntity, ServiceRequestEntity } from './request.entity';
import { RequestsErrors } from './requests.exception';

/**
 * The catalog's and requests' rules, without I/O: form schemas (JSON Schema, checked with Ajv, a
 * maintained validator), approvals and fulfilment.
 */

/** The JSON Schema validator: draft 2020-12 (earlier drafts' keywords it shares), formats, every error at once. */
const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: true });
addFormats(ajv);

const ANY_OBJECT = { type: 'object' };

/** A form schema an admin sets: a valid JSON Schema for an object, compilable. */
export function assertFormSchema(schema: Record<string, unknown>): void {
  if (!ajv.validateSchema(schema)) {
    throw RequestsErrors.field('form_schema', `not a valid JSON Schema: ${ajv.errorsText(ajv.errors, { dataVar: 'form_schema' })}`);
  }
  if (schema.type !== undefined && schema.type !== 'object') throw RequestsErrors.field('form_schema.type', 'a request form is an object: type must be "object"');
  try {
    ajv.compile(schema);
  } catch (e) {
    throw RequestsErrors.field('form_schema', `cannot be used: ${(e as Error).message}`);
  }
}

/** Compiled validators, by item id and version (an edited form compiles again). */
const compiled = new Map<string, ValidateFunction>();

function validatorOf(item: CatalogItemEntity): ValidateFunction {
  const key = `${item.id}:${item.version}`;
  let v = compiled.get(key);
  if (!v) {
    if (compiled.size > 1000) compiled.clear();
    v = ajv.compile(item.formSchema);
    compiled.set(key, v);
  }
  return v;
}

/** Ajv's errors as the contract's field errors: `fields.<path>` and a message each. */
export function fieldErrors(errors: ErrorObject[]): FieldError[] {
  return errors.map((e) => {
    const path = e.instancePath.split('/').filter(Boolean).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
    if (e.keyword === 'required') path.push(String((e.params as { missingProperty: string }).missingProperty));
    if (e.keyword === 'additionalProperties') path.push(String((e.params as { additionalProperty: string }).additionalProperty));
    return { field: ['fields', ...path].join('.'), message: e.keyword === 'required' ? 'is required' : (e.message ?? 'is invalid') };
  });
}

/** A request's fields against the item's form: 422 naming each bad field. */
export function assertFields(item: CatalogItemEntity, fields: Record<string, unknown>): void {
  const validate = validatorOf(item);
  if (!validate(fields)) throw RequestsErrors.fields(fieldErrors(validate.errors ?? []));
}

export function approvalOf(a: CreateCatalogItemDto['approval'] | undefined): CatalogApprovalView {
  if (!a || !a.required) return { required: false, approvals: 0, manager_approvals: 0, approver_ids: [] };
  const approvals = a.approvals ?? 1;
  const manager = a.manager_approvals ?? 0;
  if (manager > approvals) throw RequestsErrors.field('approval.manager_approvals', 'cannot exceed approvals');
  const ids = [...new Set((a.approver_ids ?? []).map((x) => x.toLowerCase()))];
  if (ids.length && ids.length < approvals) throw RequestsErrors.field('approval.approver_ids', `names fewer approvers than the ${approvals} approvals it asks`);
  return { required: true, approvals, manager_approvals: manager, approver_ids: ids };
}

export function newCatalogItem(o: { id: string; tenantId: string; dto: CreateCatalogItemDto; createdBy: string | null; now: Date }): CatalogItemEntity {
  const schema = o.dto.form_schema ?? ANY_OBJECT;
  assertFormSchema(schema);
  return Object.assign(new CatalogItemEntity(), {
    id: o.id,
    tenantId: o.tenantId,
    code: o.dto.code?.trim() || null,
    name: o.dto.name.trim(),
    category: o.dto.category?.trim() || 'general',
    description: o.dto.description ?? '',
    formSchema: schema,
    approval: approvalOf(o.dto.approval),
    fulfilmentTasks: (o.dto.fulfilment_tasks ?? []).map((t) => ({ title: t.title.trim(), description: t.description ?? null, assignee: t.assignee?.trim() || null })),
    active: o.dto.active ?? true,
    createdBy: o.createdBy,
    createdAt: o.now,
    updatedAt: o.now,
    version: 1,
  } satisfies CatalogItemEntity);
}

/** Applies an admin's edit; true when something changed. */
export function applyCatalogPatch(item: CatalogItemEntity, p: UpdateCatalogItemDto): boolean {
  const before = JSON.stringify(item);
  if (p.name !== undefined) item.name = p.name.trim();
  if (p.code !== undefined) item.code = p.code?.trim() || null;
  if (p.category !== undefined) item.category = p.category.trim();
  if (p.description !== undefined) item.description = p.description;
  if (p.form_schema !== undefined) {
    assertFormSchema(p.form_schema);
    item.formSchema = p.form_schema;
  }
  if (p.approval !== undefined) item.approval = approvalOf(p.approval);
  if (p.fulfilment_tasks !== undefined) item.fulfilmentTasks = p.fulfilment_tasks.map((t) => ({ title: t.title.trim(), description: t.description ?? null, assignee: t.assignee?.trim() || null }));
  if (p.active !== undefined) item.active = p.active;
  return JSON.stringify(item) !== before;
}

const tasksFrom = (r: ServiceRequestEntity): FulfilmentTaskView[] =>
  r.taskTemplates.map((t) => ({ id: randomUUID(), title: t.title, description: t.description, assignee: t.assignee, status: 'open', completed_at: null, completed_by: null, notes: null }));

/** Who the request acts for, as a string the request records (e-mail, else user id). */
const nameOf = (a: Actor | null) => a?.email ?? a?.user_id ?? null;

/** A new request of an active item with valid fields: waiting for approval, or straight into fulfilment. */
export function newRequest(o: {
  id: string;
  tenantId: string;
  number: number;
  item: CatalogItemEntity;
  fields: Record<string, unknown>;
  requestedBy: string | null | undefined;
  priority?: Priority;
  actor: Actor | null;
  now: Date;
}): ServiceRequestEntity {
  if (!o.item.active) throw RequestsErrors.field('catalog_item_id', `${o.item.name} is no longer offered (inactive)`);
  assertFields(o.item, o.fields);
  const needsApproval = o.item.approval.required;
  const r = Object.assign(new ServiceRequestEntity(), {
    id: o.id,
    tenantId: o.tenantId,
    number: o.number,
    catalogItemId: o.item.id,
    catalogItemName: o.item.name,
    requestedBy: o.requestedBy?.trim() || nameOf(o.actor),
    fields: o.fields,
    status: (needsApproval ? 'pending_approval' : 'in_fulfilment') as RequestStatus,
    approvalStatus: needsApproval ? 'pending' : 'not_required',
    approvalRule: o.item.approval,
    approvals: [],
    taskTemplates: o.item.fulfilmentTasks,
    tasks: [] as FulfilmentTaskView[],
    createdBy: o.actor?.user_id ?? null,
    createdAt: o.now,
    updatedAt: o.now,
    approvedAt: null,
    fulfilledAt: null,
    closedAt: null,
    version: 1,
    priority: o.priority ?? 'medium',
  } satisfies ServiceRequestEntity);
  if (!needsApproval) r.tasks = tasksFrom(r);
  return r;
}

/** An approver's decision (each counts once: a second one is `ignored`). */
export function decideRequest(
  r: ServiceRequestEntity,
  d: RequestApprovalDto,
  o: { actor: Actor; cab: string[]; now: Date },
): { ignored: true } | { ignored: false; approval: RequestApprovalView; from: RequestStatus } {
  const a = o.actor;
  if (!a.user_id) throw RequestsErrors.approverIsPerson();
  if (r.status !== 'pending_approval') throw RequestsErrors.notPendingApproval(r.status);
  const mine = [r.createdBy, r.requestedBy].filter(Boolean).map((x) => x!.toLowerCase());
  if (mine.includes(a.user_id.toLowerCase()) || (a.email && mine.includes(a.email.toLowerCase()))) throw RequestsErrors.selfApproval();
  if (r.approvalRule.approver_ids.length && !r.approvalRule.approver_ids.includes(a.user_id.toLowerCase())) throw RequestsErrors.notAnApprover();
  if (r.approvals.some((x) => x.approver_id === a.user_id)) return { ignored: true };
  const approval: RequestApprovalView = {
    approver_id: a.user_id,
    approver_email: a.email,
    manager: isAdmin(a) || o.cab.includes(a.user_id),
    action: d.action,
    comments: d.comments?.trim() || null,
    created_at: o.now.toISOString(),
  };
  r.approvals = [...r.approvals, approval];
  const from = r.status;
  if (d.action === 'reject') {
    r.status = 'rejected';
    r.approvalStatus = 'rejected';
    r.closedAt = o.now;
    return { ignored: false, approval, from };
  }
  const approvers = r.approvals.filter((x) => x.action === 'approve');
  if (approvers.length >= r.approvalRule.approvals && approvers.filter((x) => x.manager).length >= r.approvalRule.manager_approvals) {
    r.status = 'in_fulfilment';
    r.approvalStatus = 'approved';
    r.approvedAt = o.now;
    r.tasks = tasksFrom(r);
  }
  return { ignored: false, approval, from };
}

/** Moves a task; the request is fulfilled when no task is open. Returns whether it was fulfilled now. */
export function updateTask(r: ServiceRequestEntity, taskId: string, status: TaskStatus, notes: string | undefined, o: { actor: Actor | null; now: Date }): { changed: boolean; fulfilled: boolean } {
  if (r.status !== 'in_fulfilment') throw RequestsErrors.notInFulfilment(r.status);
  const t = r.tasks.find((x) => x.id === taskId);
  if (!t) throw RequestsErrors.taskNotFound(taskId);
  const note = notes?.trim() || null;
  if (t.status === status && (note === null || note === t.notes)) return { changed: false, fulfilled: false };
  const done = status !== 'open';
  r.tasks = r.tasks.map((x) =>
    x.id === taskId ? { ...x, status, notes: note ?? x.notes, completed_at: done ? o.now.toISOString() : null, completed_by: done ? nameOf(o.actor) : null } : x,
  );
  if (r.tasks.every((x) => x.status !== 'open')) {
    r.status = 'fulfilled';
    r.fulfilledAt = o.now;
    r.closedAt = o.now;
    return { changed: true, fulfilled: true };
  }
  return { changed: true, fulfilled: false };
}

const NEXT: Record<RequestStatus, RequestStatus[]> = {
  pending_approval: ['cancelled'],
  in_fulfilment: ['fulfilled', 'cancelled'],
  fulfilled: [],
  rejected: [],
  cancelled: [],
};

/** Cancels a request, or marks one whose tasks are all finished (or that has none) fulfilled. */
export function moveRequest(r: ServiceRequestEntity, to: 'cancelled' | 'fulfilled', now: Date): void {
  const allowed = NEXT[r.status];
  if (!allowed.includes(to)) throw RequestsErrors.invalidTransition(r.status, to, allowed);
  if (to === 'fulfilled' && r.tasks.some((t) => t.status === 'open')) {
    throw RequestsErrors.invalidTransition(r.status, to, ['cancelled'], 'its fulfilment tasks are still open: finish or skip them');
  }
  r.status = to;
  if (to === 'fulfilled') r.fulfilledAt = now;
  r.closedAt = now;
}
