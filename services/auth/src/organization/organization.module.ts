import { Module } from '@nestjs/common';
import { OrganizationController } from './organization.controller';
import { OrganizationService } from './organization.service';

/** The tenant's organization: name and settings. */
@Module({ controllers: [OrganizationController], providers: [OrganizationService] })
export class OrganizationModule {}
