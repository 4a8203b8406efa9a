import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Put, Query, Req } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import {
  ApiTokenView,
  CreateApiTokenDto,
  CreatedApiTokenView,
  LoginDto,
  MeView,
  ListApiTokensQueryDto,
  RefreshDto,
  RevokeApiTokenDto,
  RpcSubject,
  TokenIdDto,
  TokenPairView,
} from '@opsplane/contracts';
import { AppError, Page, parseInput } from '@opsplane/errors';
import { RpcClient } from '@opsplane/messaging';
import { Access, Area, Public } from '../auth/decorators';
import { normalizeKeys } from '../http/case-mapping';
import { GatewayRequest, headerOf, metaOf, stateOf } from '../http/gateway-request';
import { ApiBodyOf, ApiData, ApiPublic, ApiQueryOf, IdempotencyKeyHeader } from '../openapi/openapi';
import { RPC_CLIENT } from './tokens';

@ApiTags('auth')
@Controller('api/auth')
export class AuthRoutes {
  constructor(@Inject(RPC_CLIENT) private readonly rpc: RpcClient) {}

  @Public()
  @Post('token')
  @HttpCode(200)
  @ApiOperation({ summary: 'Log in with email and password for the tenant in x-tenant-id' })
  @ApiBodyOf(LoginDto)
  @ApiPublic()
  @ApiHeader({ name: 'x-tenant-id', required: true, description: 'The tenant to log in to', schema: { type: 'string', format: 'uuid' } })
  @ApiData('TokenPairView')
  async login(@Req() req: GatewayRequest, @Body() body: unknown): Promise<TokenPairView> {
    const tenant = headerOf(req, 'x-tenant-id')?.trim().toLowerCase();
    if (!tenant) throw AppError.validation([{ field: 'x-tenant-id', message: 'the x-tenant-id header is required to log in' }]);
    const dto = await parseInput(LoginDto, normalizeKeys(body));
    return this.rpc.request(RpcSubject.AuthLogin, { tenant_id: tenant, actor: null, traceparent: stateOf(req).traceparent }, dto);
  }

  @Public()
  @Post('refresh')
  @HttpCode(200)
  @ApiOperation({ summary: 'Exchange a refresh token for a new token pair (rotating; reuse revokes the session)' })
  @ApiBodyOf(RefreshDto)
  @ApiPublic()
  @ApiData('TokenPairView')
  async refresh(@Req() req: GatewayRequest, @Body() body: unknown): Promise<TokenPairView> {
    const dto = await parseInput(RefreshDto, normalizeKeys(body));
    return this.rpc.request(RpcSubject.AuthRefresh, { tenant_id: '', actor: null, traceparent: stateOf(req).traceparent }, dto);
  }

  @Get('me')
  @ApiOperation({ summary: 'The authenticated user and how they authenticated' })
  @ApiData('MeView')
  async me(@Req() req: GatewayRequest): Promise<MeView> {
    return this.rpc.request(RpcSubject.AuthMe, metaOf(req), {});
  }

  @Get('tokens')
  @Area('auth')
  @ApiOperation({ summary: "The caller's API tokens, newest first (never the secrets)" })
  @ApiQueryOf(ListApiTokensQueryDto)
  @ApiData('ApiTokenView', { page: true })
  async listTokens(@Req() req: GatewayRequest, @Query() query: unknown): Promise<Page<ApiTokenView>> {
    const q = await parseInput(ListApiTokensQueryDto, query);
    return this.rpc.request(RpcSubject.AuthListApiTokens, metaOf(req), q);
  }

  @Post('tokens')
  @Area('auth')
  @Access('read')
  @ApiOperation({ summary: 'Create an API token; the token is shown in this answer only (and to a retry with the same Idempotency-Key)' })
  @ApiBodyOf(CreateApiTokenDto)
  @IdempotencyKeyHeader()
  @ApiData('CreatedApiTokenView', { status: 201 })
  async createToken(@Req() req: GatewayRequest, @Body() body: unknown): Promise<CreatedApiTokenView> {
    const dto = await parseInput(CreateApiTokenDto, normalizeKeys(body));
    return this.rpc.request(RpcSubject.AuthCreateApiToken, metaOf(req), dto);
  }

  @Put('tokens')
  @Area('auth')
  @Access('read')
  @ApiOperation({ summary: 'Revoke an API token: {"action": "revoke", "token_id": "..."}' })
  @ApiBodyOf(RevokeApiTokenDto)
  @ApiData('ApiTokenView')
  async revokeToken(@Req() req: GatewayRequest, @Body() body: unknown): Promise<ApiTokenView> {
    const dto = await parseInput(RevokeApiTokenDto, normalizeKeys(body));
    return this.rpc.request(RpcSubject.AuthRevokeApiToken, metaOf(req), dto);
  }

  @Post('tokens/:id/revoke')
  @HttpCode(200)
  @Area('auth')
  @Access('read')
  @ApiOperation({ summary: 'Revoke an API token by id' })
  @ApiData('ApiTokenView')
  async revokeTokenById(@Req() req: GatewayRequest, @Param('id') id: string): Promise<ApiTokenView> {
    const dto = await parseInput(TokenIdDto, { id });
    return this.rpc.request(RpcSubject.AuthRevokeApiToken, metaOf(req), { action: 'revoke', token_id: dto.id });
  }

  @Delete('tokens')
  @Area('auth')
  @Access('read')
  @ApiOperation({ summary: 'Delete an API token: ?id=...' })
  @ApiQuery({ name: 'id', required: true, schema: { type: 'string', format: 'uuid' } })
  @ApiData('DeletedView')
  async deleteToken(@Req() req: GatewayRequest, @Query() query: unknown): Promise<unknown> {
    const dto = await parseInput(TokenIdDto, query);
    return this.rpc.request(RpcSubject.AuthDeleteApiToken, metaOf(req), dto);
  }

  @Delete('tokens/:id')
  @Area('auth')
  @Access('read')
  @ApiOperation({ summary: 'Delete an API token by id' })
  @ApiData('DeletedView')
  async deleteTokenById(@Req() req: GatewayRequest, @Param('id') id: string): Promise<unknown> {
    const dto = await parseInput(TokenIdDto, { id });
    return this.rpc.request(RpcSubject.AuthDeleteApiToken, metaOf(req), dto);
  }
}
