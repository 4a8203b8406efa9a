import { Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { JwtConfig } from '@opsplane/config';

export class AuthConfig extends JwtConfig {
  @Type(() => Number)
  @IsInt()
  @Min(3600)
  @Max(90 * 86400)
  REFRESH_TTL_S = 30 * 86400;

  /** Failed logins (per tenant and e-mail) before each further try must wait. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  LOGIN_MAX_FAILURES = 5;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(3650)
  API_TOKEN_DEFAULT_TTL_DAYS = 90;

  /** How long an invitation can be accepted. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(90)
  INVITATION_TTL_DAYS = 7;
}
