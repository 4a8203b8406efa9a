import { Type } from 'class-transformer';
import { IsEmail, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength, ValidateIf } from 'class-validator';
import { ControlPlaneJwtConfig, Sensitive } from '@opsplane/config';

export class ControlPlaneConfig extends ControlPlaneJwtConfig {
  /** The first operator, created at start when no operator with this e-mail exists. */
  @IsOptional()
  @IsEmail()
  CP_ADMIN_EMAIL?: string;

  @ValidateIf((c: ControlPlaneConfig) => c.CP_ADMIN_EMAIL !== undefined)
  @IsString()
  @MinLength(12, { message: 'CP_ADMIN_PASSWORD must be at least 12 characters' })
  @Sensitive()
  CP_ADMIN_PASSWORD?: string;

  /** The plan of a tenant created without one. */
  @Matches(/^[a-z0-9-]+$/)
  DEFAULT_PLAN = 'free';

  /** Failed operator logins (per e-mail) before each further try must wait. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  CP_LOGIN_MAX_FAILURES = 5;
}
