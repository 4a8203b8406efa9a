import { Controller } from '@nestjs/common';
import { LogQueryDto, RequestMeta, RpcSubject } from '@opsplane/contracts';
import { RpcHandler } from '@opsplane/messaging';
import { LogsService } from './logs.service';

/** Log records: the query of the first document (GET /api/logs). */
@Controller()
export class LogsController {
  constructor(private readonly logs: LogsService) {}

  @RpcHandler(RpcSubject.TelemetryQueryLogs, { body: LogQueryDto, requires: 'read' })
  query(meta: RequestMeta, q: LogQueryDto) {
    return this.logs.query(meta, q);
  }
}
