import { Controller } from '@nestjs/common';
import {
  AcceptInvitationRequestDto,
  ChangeMemberRoleDto,
  InviteMemberDto,
  ListInvitationsQueryDto,
  ListTeamQueryDto,
  MemberIdDto,
  MemberNamesQueryDto,
  RequestMeta,
  RpcSubject,
} from '@opsplane/contracts';
import { RpcHandler } from '@opsplane/messaging';
import { InvitationsService } from './invitations.service';
import { TeamService } from './team.service';
import { unknownIfTenantGone } from '../auth.exception';
import { TeamErrors } from './team.exception';

/** Team members and invitations over request/reply; bodies validated here, at the boundary. */
@Controller()
export class TeamController {
  constructor(
    private readonly team: TeamService,
    private readonly invitations: InvitationsService,
  ) {}

  @RpcHandler(RpcSubject.AuthListTeam, { body: ListTeamQueryDto, requires: 'read' })
  list(meta: RequestMeta, q: ListTeamQueryDto) {
    return this.team.list(meta, q);
  }

  @RpcHandler(RpcSubject.AuthMemberNames, { body: MemberNamesQueryDto, requires: 'read' })
  names(meta: RequestMeta, q: MemberNamesQueryDto) {
    return this.team.names(meta, q);
  }

  @RpcHandler(RpcSubject.AuthUpdateMemberRole, { body: ChangeMemberRoleDto, requires: 'write' })
  changeRole(meta: RequestMeta, dto: ChangeMemberRoleDto) {
    return this.team.changeRole(meta, dto);
  }

  @RpcHandler(RpcSubject.AuthRemoveMember, { body: MemberIdDto, requires: 'write' })
  remove(meta: RequestMeta, dto: MemberIdDto) {
    return this.team.remove(meta, dto.id);
  }

  @RpcHandler(RpcSubject.AuthInviteMember, { body: InviteMemberDto, requires: 'write' })
  invite(meta: RequestMeta, dto: InviteMemberDto) {
    return this.invitations.invite(meta, dto);
  }

  @RpcHandler(RpcSubject.AuthListInvitations, { body: ListInvitationsQueryDto, requires: 'read' })
  listInvitations(meta: RequestMeta, q: ListInvitationsQueryDto) {
    return this.invitations.listPending(meta, q);
  }

  @RpcHandler(RpcSubject.AuthRevokeInvitation, { body: MemberIdDto, requires: 'write' })
  revokeInvitation(meta: RequestMeta, dto: MemberIdDto) {
    return this.invitations.revoke(meta, dto.id);
  }

  /** Public: the invitation token is the credential (and names the tenant). */
  @RpcHandler(RpcSubject.AuthAcceptInvitation, { body: AcceptInvitationRequestDto, requires: 'public' })
  accept(meta: RequestMeta, dto: AcceptInvitationRequestDto) {
    return unknownIfTenantGone(this.invitations.accept(dto, meta.idempotency_key), TeamErrors.badInvitation);
  }
}
