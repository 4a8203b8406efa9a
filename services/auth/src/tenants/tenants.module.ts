import { Module } from '@nestjs/common';
import { TenantsController } from './tenants.controller';
import { TenantsService } from './tenants.service';

/** Tenants: provisioning (organization and owner) and suspension; exports the service that adds users. */
@Module({ controllers: [TenantsController], providers: [TenantsService], exports: [TenantsService] })
export class TenantsModule {}
