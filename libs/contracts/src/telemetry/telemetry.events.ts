import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsNotEmpty, IsObject, IsOptional, IsString, Matches, MaxLength, ValidateNested } from 'class-validator';

/** The most services, and the most calls, one `telemetry.topology.observed.v1` carries (more are split over several events). */
export const MAX_TOPOLOGY_SERVICES = 1000;
export const MAX_TOPOLOGY_CALLS = 1000;

/**
 * A service seen in spans: its resource's `service.name` and deployment environment (`deployment.environment.name`,
 * else `deployment.environment`; null when neither is set). The CMDB identifies it as a `service` item by
 * class + name (any case) + environment.
 */
export class TopologyServiceV1 {
  @IsString() @IsNotEmpty() @Matches(/\S/) @MaxLength(255) name!: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(100) environment!: string | null;
}

/** `caller` called `callee` (a span of the callee's has a span of the caller's as parent, or a client span of the caller names it in `peer.service`). */
export class TopologyCallV1 {
  @IsObject() @ValidateNested() @Type(() => TopologyServiceV1) caller!: TopologyServiceV1;
  @IsObject() @ValidateNested() @Type(() => TopologyServiceV1) callee!: TopologyServiceV1;
}

/**
 * `telemetry.topology.observed.v1`: the services and calls between services that the telemetry service saw in a
 * tenant's spans and had not announced in the last 24 hours (per replica: the same service or call can be announced
 * again, consumers treat it as idempotent). Written to the outbox with the spans it comes from.
 */
export class TelemetryTopologyObservedV1 {
  @IsArray() @ArrayMaxSize(MAX_TOPOLOGY_SERVICES) @ValidateNested({ each: true }) @Type(() => TopologyServiceV1) services!: TopologyServiceV1[];
  @IsArray() @ArrayMaxSize(MAX_TOPOLOGY_CALLS) @ValidateNested({ each: true }) @Type(() => TopologyCallV1) calls!: TopologyCallV1[];
}
