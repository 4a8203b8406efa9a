import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { PlansController } from './plans.controller';
import { PlansService } from './plans.service';

/** Plans and their limits. */
@Module({ imports: [AuditModule], controllers: [PlansController], providers: [PlansService], exports: [PlansService] })
export class PlansModule {}
