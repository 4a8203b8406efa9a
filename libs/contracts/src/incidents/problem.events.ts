import { IsArray, IsBoolean, IsIn, IsInt, IsObject, IsOptional, IsString, IsUUID, Matches, Min, ValidateNested } from 'class-validator';
import { Type } from 'class-transformer';
import { IsRfc3339DateTime } from '../common/time';
import { PRIORITIES } from './incident.model';
import { PROBLEM_STATUSES, ProblemEventData, ProblemStatus, ProblemView } from './problem.model';

export class ProblemEventProblem implements ProblemView {
  @IsUUID() id!: string;
  @Matches(/^PRB-\d{8,}$/) reference!: string;
  @IsString() title!: string;
  @IsString() description!: string;
  @IsIn(PROBLEM_STATUSES) status!: ProblemStatus;
  @IsIn(PRIORITIES) priority!: ProblemView['priority'];
  @IsOptional() @IsString() assigned_to!: string | null;
  @IsArray() @IsUUID('all', { each: true }) related_incidents!: string[];
  @IsOptional() @IsString() root_cause!: string | null;
  @IsOptional() @IsString() workaround!: string | null;
  @IsOptional() @IsString() solution!: string | null;
  @IsBoolean() known_error!: boolean;
  @IsOptional() @IsUUID() created_by!: string | null;
  @IsRfc3339DateTime() created_at!: string;
  @IsRfc3339DateTime() updated_at!: string;
  @IsOptional() @IsRfc3339DateTime() resolved_at!: string | null;
  @IsOptional() @IsRfc3339DateTime() closed_at!: string | null;
  @IsInt() @Min(1) version!: number;
}

/** `incidents.problem.created|updated|resolved.v1`. */
export class ProblemEventV1 implements ProblemEventData {
  @IsObject() @ValidateNested() @Type(() => ProblemEventProblem) problem!: ProblemEventProblem;
  @IsObject() changes!: Record<string, { from: unknown; to: unknown }>;
}
