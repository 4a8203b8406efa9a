import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from '@opsplane/db';
import {
  CatalogApprovalView,
  FulfilmentTaskTemplateView,
  FulfilmentTaskView,
  RequestApprovalView,
  RequestStatus,
  ServiceRequestView,
} from '@opsplane/contracts';
import type { Priority } from '@opsplane/contracts';


/** An item of the service catalog. */
@Entity({ name: 'catalog_items' })
export class CatalogItemEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'tenant_id' })
  tenantId!: string;

  @Column('text', { nullable: true })
  code!: string | null;

  @Column('text')
  name!: string;

  @Column('text')
  category!: string;

  @Column('text', { default: '' })
  description!: string;

  @Column('jsonb', { name: 'form_schema' })
  formSchema!: Record<string, unknown>;

  @Column('jsonb')
  approval!: CatalogApprovalView;

  @Column('jsonb', { name: 'fulfilment_tasks', default: () => "'[]'" })
  fulfilmentTasks!: FulfilmentTaskTemplateView[];

  @Column('boolean', { default: true })
  active!: boolean;

  @Column('uuid', { name: 'created_by', nullable: true })
  createdBy!: string | null;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt!: Date;

  @Column('integer', { default: 1 })
  version!: number;
}

/** A service request: the order of a catalog item, its approvals and fulfilment tasks. */
@Entity({ name: 'service_requests' })
export class ServiceRequestEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'tenant_id' })
  tenantId!: string;

  @Column('bigint', { transformer: bigintAsNumber })
  number!: number;

  @Column('uuid', { name: 'catalog_item_id' })
  catalogItemId!: string;

  @Column('text', { name: 'catalog_item_name' })
  catalogItemName!: string;

  @Column('text', { name: 'requested_by', nullable: true })
  requestedBy!: string | null;

  @Column('jsonb')
  fields!: Record<string, unknown>;

  @Column('text')
  status!: RequestStatus;

  @Column('text', { name: 'approval_status' })
  approvalStatus!: ServiceRequestView['approval_status'];

  /** The item's approval rule when the request was submitted. */
  @Column('jsonb', { name: 'approval_rule' })
  approvalRule!: CatalogApprovalView;

  @Column('jsonb', { default: () => "'[]'" })
  approvals!: RequestApprovalView[];

  /** The item's task templates when submitted (the tasks are created from them once approved). */
  @Column('jsonb', { name: 'task_templates', default: () => "'[]'" })
  taskTemplates!: FulfilmentTaskTemplateView[];

  @Column('jsonb', { default: () => "'[]'" })
  tasks!: FulfilmentTaskView[];

  @Column('uuid', { name: 'created_by', nullable: true })
  createdBy!: string | null;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt!: Date;

  @Column('timestamptz', { name: 'approved_at', nullable: true })
  approvedAt!: Date | null;

  @Column('timestamptz', { name: 'fulfilled_at', nullable: true })
  fulfilledAt!: Date | null;

  @Column('timestamptz', { name: 'closed_at', nullable: true })
  closedAt!: Date | null;

  @Column('integer', { default: 1 })
  version!: number;

  /** Sets the SLA targets. */
  @Column('text', { default: 'medium' })
  priority!: Priority;
}
