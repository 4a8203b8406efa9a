import { Body, Controller, Get, Inject, Put, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { OrganizationView, RpcSubject, UpdateOrganizationDto } from '@opsplane/contracts';
import { parseInput } from '@opsplane/errors';
import { RpcClient } from '@opsplane/messaging';
import { Area } from '../auth/decorators';
import { normalizeKeys } from '../http/case-mapping';
import { GatewayRequest, metaOf } from '../http/gateway-request';
import { ApiBodyOf, ApiData } from '../openapi/openapi';
import { RPC_CLIENT } from './tokens';

/** The caller's organization (auth service). GET /api/organization/stats is the incidents service's. */
@ApiTags('organization')
@Area('auth')
@Controller('api/organization')
export class OrganizationRoutes {
  constructor(@Inject(RPC_CLIENT) private readonly rpc: RpcClient) {}

  @Get()
  @ApiOperation({ summary: 'The organization: name, slug, status and settings' })
  @ApiData('OrganizationView')
  async get(@Req() req: GatewayRequest): Promise<OrganizationView> {
    return this.rpc.request(RpcSubject.AuthGetOrganization, metaOf(req), {});
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
