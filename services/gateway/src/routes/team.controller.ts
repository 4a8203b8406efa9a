import { Body, Controller, Delete, Get, Inject, Param, Post, Put, Query, Req } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import {
  AcceptInvitationDto,
  CreatedInvitationView,
  InvitationView,
  InviteMemberDto,
  ListInvitationsQueryDto,
  ListTeamQueryDto,
  MemberIdDto,
  RemovedMemberView,
  RpcSubject,
  TeamMemberView,
  TokenPairView,
  UpdateMemberRoleDto,
} from '@opsplane/contracts';
import { ErrorCode, Page, parseInput } from '@opsplane/errors';
import { RpcClient } from '@opsplane/messaging';
import { Area, Public } from '../auth/decorators';
import { normalizeKeys } from '../http/case-mapping';
import { GatewayRequest, headerOf, idempotencyKeyOf, metaOf, stateOf } from '../http/gateway-request';
import { ApiBodyOf, ApiData, ApiErrors, ApiPublic, ApiQueryOf, IdempotencyKeyHeader } from '../openapi/openapi';
import { RPC_CLIENT } from './tokens';

const memberParam = ApiParam({ name: 'id', description: 'Team member (user) id', schema: { type: 'string', format: 'uuid' } });

/** Team members, roles and invitations (second document's "Team Management"). Admin rules are the auth service's. */
@ApiTags('team')
@Area('auth')
@Controller('api/team')
export class TeamRoutes {
  constructor(@Inject(RPC_CLIENT) private readonly rpc: RpcClient) {}

  @Get()
  @ApiOperation({ summary: 'Members of the organization' })
  @ApiQueryOf(ListTeamQueryDto)
  @ApiData('TeamMemberView', { page: true })
  async list(@Req() req: GatewayRequest, @Query() query: unknown): Promise<Page<TeamMemberView>> {
    const q = await parseInput(ListTeamQueryDto, query);
    return this.rpc.request(RpcSubject.AuthListTeam, metaOf(req), q);
  }

  @Post('invite')
  @ApiOperation({ summary: 'Invite someone (admin or owner); the invitation token is shown in this answer only (and to a retry with the same Idempotency-Key)' })
  @ApiBodyOf(InviteMemberDto)
  @IdempotencyKeyHeader()
  @ApiData('CreatedInvitationView', { status: 201 })
  @ApiErrors(ErrorCode.QUOTA_EXCEEDED)
  async invite(@Req() req: GatewayRequest, @Body() body: unknown): Promise<CreatedInvitationView> {
    const dto = await parseInput(InviteMemberDto, normalizeKeys(body));
    return this.rpc.request(RpcSubject.AuthInviteMember, metaOf(req), dto);
  }

  @Get('invitations')
  @ApiOperation({ summary: 'Pending invitations (admin or owner)' })
  @ApiQueryOf(ListInvitationsQueryDto)
  @ApiData('InvitationView', { page: true })
  async invitations(@Req() req: GatewayRequest, @Query() query: unknown): Promise<Page<InvitationView>> {
    const q = await parseInput(ListInvitationsQueryDto, query);
    return this.rpc.request(RpcSubject.AuthListInvitations, metaOf(req), q);
  }

  @Public()
  @Post('invitations/accept')
  @ApiOperation({ summary: 'Accept an invitation: {token, password, name?}; answers a token pair like login' })
  @ApiBodyOf(AcceptInvitationDto)
  @ApiPublic()
  @ApiData('TokenPairView', { status: 201 })
  @ApiErrors(ErrorCode.QUOTA_EXCEEDED)
  async accept(@Req() req: GatewayRequest, @Body() body: unknown): Promise<TokenPairView> {
    const dto = await parseInput(AcceptInvitationDto, normalizeKeys(body));
    const claimed = headerOf(req, 'x-tenant-id')?.trim();
    const meta = { tenant_id: '', actor: null, traceparent: stateOf(req).traceparent, idempotency_key: idempotencyKeyOf(req) };
    return this.rpc.request(RpcSubject.AuthAcceptInvitation, meta, { ...dto, ...(claimed ? { claimed_tenant_id: claimed } : {}) });
  }

  @Delete('invitations/:id')
  @ApiParam({ name: 'id', description: 'Invitation id', schema: { type: 'string', format: 'uuid' } })
  @ApiOperation({ summary: 'Revoke a pending invitation (admin or owner)' })
  @ApiData('InvitationView')
  async revokeInvitation(@Req() req: GatewayRequest, @Param('id') id: string): Promise<InvitationView> {
    const dto = await parseInput(MemberIdDto, { id });
    return this.rpc.request(RpcSubject.AuthRevokeInvitation, metaOf(req), dto);
  }

  @Put(':id/role')
  @memberParam
  @ApiOperation({ summary: "Change a member's role (admin or owner; only an owner grants or removes owner; the last owner stays)" })
  @ApiBodyOf(UpdateMemberRoleDto)
  @ApiData('TeamMemberView')
  async changeRole(@Req() req: GatewayRequest, @Param('id') id: string, @Body() body: unknown): Promise<TeamMemberView> {
    const { id: memberId } = await parseInput(MemberIdDto, { id });
    const dto = await parseInput(UpdateMemberRoleDto, normalizeKeys(body));
    return this.rpc.request(RpcSubject.AuthUpdateMemberRole, metaOf(req), { id: memberId, role: dto.role });
  }

  @Delete(':id')
  @memberParam
  @ApiOperation({ summary: 'Remove a member and revoke their sessions and API tokens (admin or owner; never the last owner)' })
  @ApiData('RemovedMemberView')
  async remove(@Req() req: GatewayRequest, @Param('id') id: string): Promise<RemovedMemberView> {
    const dto = await parseInput(MemberIdDto, { id });
    return this.rpc.request(RpcSubject.AuthRemoveMember, metaOf(req), dto);
  }
}
