import { DynamicModule, Module } from '@nestjs/common';
import { RpcSubject } from '@opsplane/contracts';
import { healthController, tenantPurgeController, RuntimeModule, tenantLimitsConsumer, usageController, ServiceDefinition, ServiceRuntime } from '@opsplane/runtime';
import { AccessModule } from './access/access.module';
import { ApiTokenEntity } from './api-tokens/api-token.entity';
import { ApiTokensModule } from './api-tokens/api-tokens.module';
import { auditLogConsumer } from './audit/audit-log.consumer';
import { AuditModule } from './audit/audit.module';
import { AuthConfig } from './config';
import { AUTH_MIGRATIONS } from './migrations';
import { OrganizationEntity } from './organization/organization.entity';
import { OrganizationModule } from './organization/organization.module';
import { RefreshTokenEntity } from './sessions/refresh-token.entity';
import { SessionsModule } from './sessions/sessions.module';
import { InvitationEntity } from './team/invitation.entity';
import { TeamModule } from './team/team.module';
import { TenantsModule } from './tenants/tenants.module';
import { UserEntity } from './users/user.entity';
import { UsersModule } from './users/users.module';

export const AUTH_ENTITIES = [OrganizationEntity, UserEntity, RefreshTokenEntity, ApiTokenEntity, InvitationEntity];

/** The auth service: one module per feature (sessions, users, api-tokens, tenants, organization, team, audit, access). */
@Module({})
export class AuthModule {
  static forRuntime(runtime: ServiceRuntime): DynamicModule {
    return {
      module: AuthModule,
      imports: [
        RuntimeModule.forRoot(runtime),
        SessionsModule,
        UsersModule,
        ApiTokensModule,
        TenantsModule,
        OrganizationModule,
        TeamModule,
        AuditModule,
        AccessModule,
      ],
      controllers: [
        tenantPurgeController(RpcSubject.AuthPurgeTenant),
        usageController(RpcSubject.AuthUsage, { table: 'users', current: 'true' }),
        healthController('auth', RpcSubject.AuthHealth),
      ],
    };
  }
}

export const authService: ServiceDefinition<AuthConfig> = {
  name: 'auth',
  schema: 'auth',
  config: AuthConfig,
  entities: AUTH_ENTITIES,
  migrations: AUTH_MIGRATIONS,
  module: (rt) => AuthModule.forRuntime(rt as unknown as ServiceRuntime),
  consumers: [auditLogConsumer, tenantLimitsConsumer],
};
