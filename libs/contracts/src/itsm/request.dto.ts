import { PRIORITIES, Priority } from '../incidents/incident.model';
import { SLA_FILTERS, SlaFilter } from '../sla/sla.dto';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { IsOptionalNonNull } from '../common/optional';
import { ChangedSinceQueryDto, CommaList } from '../common/pagination';
import { CHANGE_APPROVAL_ACTIONS, ChangeApprovalAction } from './change.model';
import { REQUEST_STATUSES, RequestStatus, TASK_STATUSES, TaskStatus } from './request.model';

const CODE = /^[a-z0-9][a-z0-9._-]{0,63}$/i;
const UUID_OR_CODE = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[a-z0-9][a-z0-9._-]{0,63})$/i;

export class CatalogApprovalDto {
  @IsBoolean()
  required!: boolean;

  @IsOptionalNonNull()
  @IsInt()
  @Min(1)
  @Max(10)
  approvals?: number;

  @IsOptionalNonNull()
  @IsInt()
  @Min(0)
  @Max(10)
  manager_approvals?: number;

  @IsOptionalNonNull()
  @IsArray()
  @ArrayMaxSize(50)
  @IsUUID('all', { each: true })
  approver_ids?: string[];
}

export class FulfilmentTaskTemplateDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(300)
  title!: string;

  @IsOptional()
  @IsString()
  @MaxLength(5000)
  description?: string | null;

  @IsOptional()
  @IsString()
  @MaxLength(320)
  assignee?: string | null;
}

class CatalogItemFieldsDto {
  @IsOptional()
  @Matches(CODE, { message: 'code must be 1-64 letters, digits, dots, dashes or underscores' })
  code?: string | null;

  @IsOptionalNonNull()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  category?: string;

  @IsOptionalNonNull()
  @IsString()
  @MaxLength(20000)
  description?: string;

  /** A JSON Schema for the request's fields (checked to be a valid schema). */
  @IsOptionalNonNull()
  @IsObject()
  form_schema?: Record<string, unknown>;

  @IsOptionalNonNull()
  @IsObject()
  @ValidateNested()
  @Type(() => CatalogApprovalDto)
  approval?: CatalogApprovalDto;

  @IsOptionalNonNull()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => FulfilmentTaskTemplateDto)
  fulfilment_tasks?: FulfilmentTaskTemplateDto[];

  @IsOptionalNonNull()
  @IsBoolean()
  active?: boolean;
}

export class CreateCatalogItemDto extends CatalogItemFieldsDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;
}

export class UpdateCatalogItemDto extends CatalogItemFieldsDto {
  @IsOptionalNonNull()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name?: string;
}

export class CatalogItemRefDto {
  /** A uuid or the item's code. */
  @IsString()
  @Matches(UUID_OR_CODE, { message: 'id must be a uuid or a catalog item code' })
  id!: string;
}

export class UpdateCatalogItemCommand extends CatalogItemRefDto {
  @IsObject()
  @ValidateNested()
  @Type(() => UpdateCatalogItemDto)
  patch!: UpdateCatalogItemDto;
}

export class ListCatalogQueryDto extends ChangedSinceQueryDto {
  @IsOptional()
  @IsString()
  @MaxLength(100)
  category?: string;

  /** Default: active items only; `false` the retired ones, `all` both. */
  @IsOptional()
  @IsIn(['true', 'false', 'all'])
  active?: 'true' | 'false' | 'all';

  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;
}

/** Orders a catalog item (`catalog_item_id`: its uuid or code). */
export class CreateServiceRequestDto {
  @IsString()
  @Matches(UUID_OR_CODE, { message: 'catalog_item_id must be a uuid or a catalog item code' })
  catalog_item_id!: string;

  @IsOptional()
  @IsString()
  @MaxLength(320)
  requested_by?: string | null;

  /** The form's answers (validated against the item's form schema). */
  @IsOptionalNonNull()
  @IsObject()
  fields?: Record<string, unknown>;

  /** Sets the SLA targets; default medium. */
  @IsOptionalNonNull()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toLowerCase() : value))
  @IsIn(PRIORITIES)
  priority?: Priority;
}

export class ServiceRequestRefDto {
  /** A uuid or a reference such as REQ-00000001. */
  @IsString()
  @Matches(/^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|REQ-\d{1,12})$/i, {
    message: 'id must be a uuid or a reference like REQ-00000001',
  })
  id!: string;
}

/** Cancels a request, or marks one without open tasks fulfilled. */
export class UpdateServiceRequestDto {
  @IsOptionalNonNull()
  @IsIn(['cancelled', 'fulfilled'])
  status?: 'cancelled' | 'fulfilled';

  /** A new priority moves the SLA targets (time consumed stays). */
  @IsOptionalNonNull()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toLowerCase() : value))
  @IsIn(PRIORITIES)
  priority?: Priority;

  @IsOptionalNonNull()
  @IsString()
  @MaxLength(20000)
  comment?: string;
}

export class UpdateServiceRequestCommand extends ServiceRequestRefDto {
  @IsObject()
  @ValidateNested()
  @Type(() => UpdateServiceRequestDto)
  patch!: UpdateServiceRequestDto;
}

export class RequestApprovalDto {
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toLowerCase() : value))
  @IsIn(CHANGE_APPROVAL_ACTIONS)
  action!: ChangeApprovalAction;

  @IsOptionalNonNull()
  @IsString()
  @MaxLength(20000)
  comments?: string;
}

export class RequestApprovalCommand extends ServiceRequestRefDto {
  @IsObject()
  @ValidateNested()
  @Type(() => RequestApprovalDto)
  decision!: RequestApprovalDto;
}

export class UpdateTaskDto {
  @IsIn(TASK_STATUSES)
  status!: TaskStatus;

  @IsOptionalNonNull()
  @IsString()
  @MaxLength(20000)
  notes?: string;
}

export class TaskRefDto {
  @IsUUID()
  task_id!: string;
}

export class UpdateTaskCommand extends ServiceRequestRefDto {
  @IsUUID()
  task_id!: string;

  @IsObject()
  @ValidateNested()
  @Type(() => UpdateTaskDto)
  patch!: UpdateTaskDto;
}

export class ListServiceRequestsQueryDto extends ChangedSinceQueryDto {
  @IsOptionalNonNull()
  @CommaList()
  @IsIn(REQUEST_STATUSES, { each: true })
  status?: RequestStatus[];

  @IsOptional()
  @IsString()
  @MaxLength(100)
  catalog_item_id?: string;

  @IsOptional()
  @IsString()
  @MaxLength(320)
  requested_by?: string;

  /** Words of the item's name. */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;

  @IsOptionalNonNull()
  @CommaList()
  @IsIn(PRIORITIES, { each: true })
  priority?: Priority[];

  /** breached: a timer passed its target; at_risk: a running timer passed its at-risk share (none breached). */
  @IsOptional()
  @IsIn(SLA_FILTERS)
  sla?: SlaFilter;
}
