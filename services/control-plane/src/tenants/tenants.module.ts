import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { PlansModule } from '../plans/plans.module';
import { TenantsController } from './tenants.controller';
import { TenantsService } from './tenants.service';

/** Tenants: provisioning, changes, suspension, deletion (purge in every service), the statuses the gateways read. */
@Module({ imports: [AuditModule, PlansModule], controllers: [TenantsController], providers: [TenantsService] })
export class TenantsModule {}
