import { Type } from 'class-transformer';
import { IsIn, IsInt, Max, Min } from 'class-validator';
import { JwtConfig } from '@opsplane/config';

export class GatewayConfig extends JwtConfig {
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 8080;

  @IsIn(['0.0.0.0', '127.0.0.1', '::', '::1', 'localhost'])
  HOST: string = '0.0.0.0';

  /** Largest accepted request body. */
  @Type(() => Number)
  @IsInt()
  @Min(1024)
  @Max(64 * 1024 * 1024)
  BODY_LIMIT_BYTES = 1024 * 1024;

  /** How long a verified (or rejected) API token is remembered: revocation takes effect within this. */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(60_000)
  API_TOKEN_CACHE_MS = 5000;

  @IsIn(['true', 'false'])
  TRUST_PROXY: 'true' | 'false' = 'false';
}
