import { Controller } from '@nestjs/common';
import { RecordUsageDto, RequestMeta, RpcSubject, TenantUsageCommand } from '@opsplane/contracts';
import { RpcHandler } from '@opsplane/messaging';
import { UsageService } from './usage.service';

@Controller()
export class UsageController {
  constructor(private readonly usage: UsageService) {}

  @RpcHandler(RpcSubject.CpTenantUsage, { body: TenantUsageCommand, requires: 'operator' })
  tenantUsage(_meta: RequestMeta, q: TenantUsageCommand) {
    return this.usage.tenantUsage(q.id.toLowerCase(), q.from, q.to);
  }

  /** Internal: the gateways flush the requests they counted. */
  @RpcHandler(RpcSubject.CpRecordUsage, { body: RecordUsageDto, requires: 'platform' })
  record(_meta: RequestMeta, dto: RecordUsageDto) {
    return this.usage.record(dto);
  }
}
