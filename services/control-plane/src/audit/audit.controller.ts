import { Controller } from '@nestjs/common';
import { ListAuditQueryDto, RequestMeta, RpcSubject } from '@opsplane/contracts';
import { RpcHandler } from '@opsplane/messaging';
import { AuditService } from './audit.service';

@Controller()
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @RpcHandler(RpcSubject.CpListAudit, { body: ListAuditQueryDto, requires: 'operator' })
  list(_meta: RequestMeta, q: ListAuditQueryDto) {
    return this.audit.list(q);
  }
}
