import { Module } from '@nestjs/common';
import { AuditController } from './audit.controller';
import { AuditService } from './audit.service';

/** The tenant's audit log: read here; appended by the audit-log consumer (every service's audit events). */
@Module({ controllers: [AuditController], providers: [AuditService] })
export class AuditModule {}
