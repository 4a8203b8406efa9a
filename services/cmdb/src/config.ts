import { Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { CommonConfig } from '@opsplane/config';

/** The cmdb service's settings (environment variables, checked once at start). */
export class CmdbConfig extends CommonConfig {
  /**
   * How many relationships the impact analysis keeps in memory, over all tenants (the least recently used tenants'
   * graphs are dropped past it; about 150 bytes each). A tenant's graph larger than this is walked all the same, and
   * dropped after the request.
   */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(100_000_000)
  IMPACT_GRAPH_CACHE_EDGES = 2_000_000;
}
