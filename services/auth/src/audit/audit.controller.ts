import { Controller } from '@nestjs/common';
import { ListAuditEntriesQueryDto, RequestMeta, RpcSubject } from '@opsplane/contracts';
import { RpcHandler } from '@opsplane/messaging';
import { AuditService } from './audit.service';

/** The audit log over request/reply: reading only; nothing changes or deletes an entry. */
@Controller()
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @RpcHandler(RpcSubject.AuthListAudit, { body: ListAuditEntriesQueryDto, requires: 'read' })
  list(meta: RequestMeta, q: ListAuditEntriesQueryDto) {
    return this.audit.list(meta, q);
  }
}
