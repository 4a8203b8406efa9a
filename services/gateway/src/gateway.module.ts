import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { RpcClient } from '@opsplane/messaging';
import { ApiTokenCache } from './auth/api-token-cache';
import { API_TOKEN_CACHE, ApiTokenStrategy, GATEWAY_CONFIG, JwtStrategy } from './auth/strategies';
import { TenantPlaneGuard } from './auth/tenant-plane.guard';
import { ControlPlaneJwtStrategy } from './auth/control-plane.guard';
import { AccessBus } from '@opsplane/messaging';
import { AccessGuard, AccessState } from './auth/access-state';
import { UsageMeter } from './usage/usage-meter';
import { GatewayConfig } from './config';
import { HealthController } from './health/health.controller';
import { EnvelopeExceptionFilter, EnvelopeInterceptor } from './http/envelope';
import { rateLimitProviders } from './rate-limit';
import { ROUTE_CONTROLLERS } from './routes';
import { ACCESS_BUS, RPC_CLIENT, TRANSPORT_STATE, TransportState } from './routes/tokens';

@Module({})
export class GatewayModule {
  static forRoot(config: GatewayConfig, rpc: RpcClient, transport: TransportState, access: AccessBus): DynamicModule {
    return {
      module: GatewayModule,
      imports: [PassportModule],
      controllers: [HealthController, ...ROUTE_CONTROLLERS],
      providers: [
        { provide: GATEWAY_CONFIG, useValue: config },
        { provide: RPC_CLIENT, useValue: rpc },
        { provide: TRANSPORT_STATE, useValue: transport },
        { provide: ACCESS_BUS, useValue: access },
        { provide: API_TOKEN_CACHE, useValue: new ApiTokenCache(rpc, config.API_TOKEN_CACHE_MS) },
        JwtStrategy,
        ApiTokenStrategy,
        ...rateLimitProviders,
        { provide: APP_GUARD, useClass: TenantPlaneGuard },
        ControlPlaneJwtStrategy,
        AccessState,
        UsageMeter,
        { provide: APP_GUARD, useClass: AccessGuard },
        { provide: APP_INTERCEPTOR, useClass: EnvelopeInterceptor },
        { provide: APP_FILTER, useClass: EnvelopeExceptionFilter },
      ],
    };
  }
}
