import { Controller } from '@nestjs/common';
import { AlertIntakeDto, AlertSettingsDto, RequestMeta, RpcSubject } from '@opsplane/contracts';
import { RpcHandler } from '@opsplane/messaging';
import { AlertsService } from './alerts.service';

/** The alert intake's request/reply API. */
@Controller()
export class AlertsController {
  constructor(private readonly alerts: AlertsService) {}

  @RpcHandler(RpcSubject.IncidentsIngestAlerts, { body: AlertIntakeDto, requires: 'write' })
  ingest(meta: RequestMeta, dto: AlertIntakeDto) {
    return this.alerts.ingest(meta, dto);
  }

  @RpcHandler(RpcSubject.IncidentsGetAlertSettings, { requires: 'read' })
  getSettings(meta: RequestMeta) {
    return this.alerts.getSettings(meta);
  }

  @RpcHandler(RpcSubject.IncidentsSetAlertSettings, { body: AlertSettingsDto, requires: 'admin' })
  setSettings(meta: RequestMeta, dto: AlertSettingsDto) {
    return this.alerts.setSettings(meta, dto);
  }
}
