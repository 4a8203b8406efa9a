import { Body, Controller, Get, HttpCode, Inject, Post, Put, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { AlertIntakeDto, AlertIntakeView, AlertSettingsDto, AlertSettingsView, RpcSubject } from '@opsplane/contracts';
import { ErrorCode, parseInput } from '@opsplane/errors';
import { RpcClient } from '@opsplane/messaging';
import { Area } from '../auth/decorators';
import { GatewayRequest, metaOf } from '../http/gateway-request';
import { ApiBodyOf, ApiData, ApiErrors } from '../openapi/openapi';
import { RPC_CLIENT } from './tokens';

/**
 * Alerts into incidents: Prometheus Alertmanager's webhook (a `webhook_configs` receiver with an API token as its
 * bearer credential) or a plain JSON alert. The body is taken as sent (Alertmanager's own field names; label and
 * annotation keys are never renamed).
 */
@ApiTags('alerts')
@Area('incidents')
@Controller('api/alerts')
export class AlertsRoutes {
  constructor(@Inject(RPC_CLIENT) private readonly rpc: RpcClient) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary:
      "Receive alerts: Alertmanager's webhook payload (version 4) or the plain form (dedup_key). Firing alerts open one incident per fingerprint (status triggered); repeats are counted on it; an alert firing again while its incident is open, or within the re-open window after it was resolved, goes to the same incident; resolved alerts are noted on it (and resolve it when the alert settings say so). Safe to retry: one delivery is all or nothing",
  })
  @ApiBodyOf(AlertIntakeDto)
  @ApiData('AlertIntakeView')
  @ApiErrors(ErrorCode.QUOTA_EXCEEDED)
  async ingest(@Req() req: GatewayRequest, @Body() body: unknown): Promise<AlertIntakeView> {
    return this.rpc.request(RpcSubject.IncidentsIngestAlerts, metaOf(req), await parseInput(AlertIntakeDto, body));
  }

  @Get('settings')
  @ApiOperation({ summary: "The tenant's alert settings: severity mapping, CI labels, auto-resolve, re-open window" })
  @ApiData('AlertSettingsView')
  async getSettings(@Req() req: GatewayRequest): Promise<AlertSettingsView> {
    return this.rpc.request(RpcSubject.IncidentsGetAlertSettings, metaOf(req), {});
  }

  @Put('settings')
  @ApiOperation({ summary: "Replace the tenant's alert settings (admins); a field left out takes its default" })
  @ApiBodyOf(AlertSettingsDto)
  @ApiData('AlertSettingsView')
  async setSettings(@Req() req: GatewayRequest, @Body() body: unknown): Promise<AlertSettingsView> {
    return this.rpc.request(RpcSubject.IncidentsSetAlertSettings, metaOf(req), await parseInput(AlertSettingsDto, body));
  }
}
