import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsNotEmpty, IsObject, IsOptional, IsString, Matches, MaxLength, ValidateNested } from 'class-validator';
import { IsOptionalNonNull } from '../common/optional';
import { ChangedSinceQueryDto, CommaList } from '../common/pagination';
import { PRIORITIES, Priority } from './incident.model';
import { PROBLEM_STATUSES, ProblemStatus } from './problem.model';

const lower = () => Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toLowerCase() : value));
const INCIDENT_REF = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|INC-\d{1,12})$/i;

class ProblemFieldsDto {
  @IsOptionalNonNull()
  @IsString()
  @MaxLength(20000)
  description?: string;

  @IsOptionalNonNull()
  @lower()
  @IsIn(PRIORITIES)
  priority?: Priority;

  @IsOptional()
  @IsString()
  @MaxLength(320)
  assigned_to?: string | null;

  /** Incidents of the tenant, by id or reference (INC-00000001); an unknown one is a 422. */
  @IsOptionalNonNull()
  @IsArray()
  @ArrayMaxSize(500)
  @Matches(INCIDENT_REF, { each: true, message: 'each related incident must be a uuid or a reference like INC-00000001' })
  related_incidents?: string[];

  @IsOptional()
  @IsString()
  @MaxLength(20000)
  root_cause?: string | null;

  @IsOptional()
  @IsString()
  @MaxLength(20000)
  workaround?: string | null;

  @IsOptional()
  @IsString()
  @MaxLength(20000)
  solution?: string | null;

  @IsOptionalNonNull()
  @IsBoolean()
  known_error?: boolean;
}

export class CreateProblemDto extends ProblemFieldsDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  title!: string;
}

export class UpdateProblemDto extends ProblemFieldsDto {
  @IsOptionalNonNull()
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  title?: string;

  @IsOptionalNonNull()
  @lower()
  @IsIn(PROBLEM_STATUSES)
  status?: ProblemStatus;
}

export class ProblemRefDto {
  /** A uuid or a reference such as PRB-00000001. */
  @IsString()
  @Matches(/^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|PRB-\d{1,12})$/i, { message: 'id must be a uuid or a reference like PRB-00000001' })
  id!: string;
}

export class UpdateProblemCommand extends ProblemRefDto {
  @IsObject()
  @ValidateNested()
  @Type(() => UpdateProblemDto)
  patch!: UpdateProblemDto;
}

export class LinkIncidentDto {
  /** The incident's id or reference. */
  @IsString()
  @Matches(INCIDENT_REF, { message: 'incident_id must be a uuid or a reference like INC-00000001' })
  incident_id!: string;
}

export class LinkIncidentCommand extends ProblemRefDto {
  @IsObject()
  @ValidateNested()
  @Type(() => LinkIncidentDto)
  link!: LinkIncidentDto;
}

export class ListProblemsQueryDto extends ChangedSinceQueryDto {
  @IsOptionalNonNull()
  @CommaList()
  @IsIn(PROBLEM_STATUSES, { each: true })
  status?: ProblemStatus[];

  @IsOptionalNonNull()
  @CommaList()
  @IsIn(PRIORITIES, { each: true })
  priority?: Priority[];

  @IsOptional()
  @IsString()
  @MaxLength(320)
  assigned_to?: string;

  @IsOptional()
  @IsIn(['true', 'false'])
  known_error?: 'true' | 'false';

  /** Problems linked to this incident (id). */
  @IsOptional()
  @Matches(INCIDENT_REF)
  incident_id?: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;
}
