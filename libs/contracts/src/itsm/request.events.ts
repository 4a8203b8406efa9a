import { IsIn, IsOptional, IsString, IsUUID, Matches } from 'class-validator';
import { REQUEST_STATUSES, RequestEventData, RequestStatus } from './request.model';

/** `itsm.request.created|approved|rejected|fulfilled|status_changed.v1`. */
export class ServiceRequestEventV1 implements RequestEventData {
  @IsUUID() request_id!: string;
  @Matches(/^REQ-\d{8,}$/) reference!: string;
  @IsUUID() catalog_item_id!: string;
  @IsString() catalog_item_name!: string;
  @IsOptional() @IsString() requested_by!: string | null;
  @IsIn(REQUEST_STATUSES) status!: RequestStatus;
  @IsOptional() @IsIn(REQUEST_STATUSES) from!: RequestStatus | null;
}
