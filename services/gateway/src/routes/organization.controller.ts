import { Body, Controller, Get, Inject, Put, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ChangeStatsView, IncidentStatsView, OrganizationStatsView, OrganizationView, RequestMeta, RpcSubject, UpdateOrganizationDto } from '@opsplane/contracts';
import { Page, parseInput } from '@opsplane/errors';
import { RpcClient } from '@opsplane/messaging';
import { Area } from '../auth/decorators';
import { normalizeKeys } from '../http/case-mapping';
import { GatewayRequest, metaOf } from '../http/gateway-request';
import { ApiBodyOf, ApiData } from '../openapi/openapi';
import { RPC_CLIENT } from './tokens';
import { Coalescer } from '../http/coalesce';

/** The caller's organization (auth service), and its stats (auth, incidents and itsm, asked in parallel). */
@ApiTags('organization')
@Area('auth')
@Controller('api/organization')
export class OrganizationRoutes {
  /** A tenant's stats asked by several people at once: one computation, not one each (never an older one). */
  private readonly statsRuns = new Coalescer<OrganizationStatsView>();

  constructor(@Inject(RPC_CLIENT) private readonly rpc: RpcClient) {}

  @Get()
  @ApiOperation({ summary: 'The organization: name, slug, status and settings' })
  @ApiData('OrganizationView')
  async get(@Req() req: GatewayRequest): Promise<OrganizationView> {
    return this.rpc.request(RpcSubject.AuthGetOrganization, metaOf(req), {});
  }

  @Get('stats')
  @ApiOperation({
    summary: 'Organization metrics computed from the tenant\'s records',
    description: [
      'Durations are hours; rates are percentages (0-100, one decimal); a measure with nothing to measure is null. "Today" is in the organization\'s time zone (settings.timezone, UTC when unset).',
      '- total_members: active members of the organization.',
      '- open_incidents: incidents not resolved or closed; critical_incidents / high_priority_incidents: those of priority critical (P1) / high (P2).',
      '- incidents_resolved_today: incidents resolved since midnight.',
      '- average_resolution_time: mean hours from creation to resolution of the incidents resolved in the last 30 days.',
      '- mttr: mean time to restore: hours from detection (triggered, else opened) to resolution, incidents resolved in the last 90 days.',
      '- mtbf: mean time between failures: mean hours between the starts of consecutive critical or high incidents of the last 90 days.',
      '- sla_compliance_rate: share of the incidents resolved in the last 30 days whose resolution SLA timer was met (under the tenant\'s SLA policy: business hours, pauses); sla_breaches: incidents of the last 30 days with a breached response or resolution timer (resolved late, or still open past a target). Incidents from before SLA timers existed have none and count in neither.',
      '- active_problems: problems new, investigating or known errors; problem_backlog: those still new.',
      '- active_changes: changes pending approval, approved, scheduled or in progress; emergency_changes: those of type emergency.',
      '- change_success_rate: share of the changes finished in the last 90 days that completed rather than failed.',
      '- changes_scheduled_today: changes whose window starts today (not cancelled or rejected).',
    ].join('\n'),
  })
  @ApiData('OrganizationStatsView')
  stats(@Req() req: GatewayRequest): Promise<OrganizationStatsView> {
    const meta = metaOf(req);
    return this.statsRuns.run(meta.tenant_id, () => this.computeStats(meta));
  }

  private async computeStats(meta: RequestMeta): Promise<OrganizationStatsView> {
    const org = await this.rpc.request<OrganizationView>(RpcSubject.AuthGetOrganization, meta, {});
    const timezone = org.settings?.timezone || 'UTC';
    const [team, incidents, changes] = await Promise.all([
      this.rpc.request<Page<unknown>>(RpcSubject.AuthListTeam, meta, { limit: 1, offset: 0 }),
      this.rpc.request<IncidentStatsView>(RpcSubject.IncidentsStats, meta, { timezone }),
      this.rpc.request<ChangeStatsView>(RpcSubject.ItsmChangeStats, meta, { timezone }),
    ]);
    return { total_members: team.total, ...incidents, ...changes, timezone, computed_at: new Date().toISOString() };
  }

  @Put()
  @ApiOperation({ summary: 'Update the name and settings (admin or owner); settings are merged; timezone is an IANA name' })
  @ApiBodyOf(UpdateOrganizationDto)
  @ApiData('OrganizationView')
  async update(@Req() req: GatewayRequest, @Body() body: unknown): Promise<OrganizationView> {
    const dto = await parseInput(UpdateOrganizationDto, normalizeKeys(body));
    return this.rpc.request(RpcSubject.AuthUpdateOrganization, metaOf(req), dto);
  }
}
