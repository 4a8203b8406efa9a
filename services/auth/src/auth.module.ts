import { DynamicModule, Module } from '@nestjs/common';
import { RpcSubject } from '@opsplane/contracts';
import { healthController, tenantPurgeController, runtimeProvider, tenantLimitsConsumer, usageController, ServiceDefinition, ServiceRuntime } from '@opsplane/runtime';
import { AccessController } from './access/access.controller';
import { AccessService } from './access/access.service';
import { ApiTokensService } from './api-tokens/api-tokens.service';
import { auditLogConsumer } from './audit/audit-log.consumer';
import { AuditController } from './audit/audit.controller';
import { AuditService } from './audit/audit.service';
import { AuthController } from './auth.controller';
import { AUTH_ENTITIES } from './auth.entities';
import { AuthConfig } from './config';
import { AUTH_MIGRATIONS } from './migrations';
import { OrganizationController } from './organization/organization.controller';
import { OrganizationService } from './organization/organization.service';
import { SessionsService } from './sessions/sessions.service';
import { InvitationsService } from './team/invitations.service';
import { TeamController } from './team/team.controller';
import { TeamService } from './team/team.service';
import { TenantsService } from './tenants/tenants.service';
import { UsersService } from './users/users.service';

@Module({})
export class AuthModule {
  static forRuntime(runtime: ServiceRuntime): DynamicModule {
    return {
      module: AuthModule,
      controllers: [AuthController, AccessController, TeamController, OrganizationController, AuditController, tenantPurgeController(RpcSubject.AuthPurgeTenant),
        usageController(RpcSubject.AuthUsage, { table: 'users', current: 'true' }),
        healthController('auth', RpcSubject.AuthHealth)],
      providers: [
        runtimeProvider(runtime),
        AccessService,
        SessionsService,
        ApiTokensService,
        UsersService,
        TenantsService,
        TeamService,
        InvitationsService,
        OrganizationService,
        AuditService,
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
