import { Controller } from '@nestjs/common';
import { ListAuditEntriesQueryDto, RequestMeta, RpcSubject } from '@opsplane/contracts';
import { parseInput } from '@opsplane/errors';
import { RpcHandler } from '@opsplane/messaging';
import { AuditService } from './audit.service';

/** The audit log over request/reply: reading only; nothing changes or deletes an entry. */
@Controller()
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @RpcHandler(RpcSubject.AuthListAudit)
  async list(meta: RequestMeta, body: unknown) {
    return this.audit.list(meta, await parseInput(ListAuditEntriesQueryDto, body));
  }
}
