import { Controller } from '@nestjs/common';
import {
  AcceptInvitationRequestDto,
  ChangeMemberRoleDto,
  InviteMemberDto,
  ListInvitationsQueryDto,
  ListTeamQueryDto,
  MemberIdDto,
  RequestMeta,
  RpcSubject,
} from '@opsplane/contracts';
import { parseInput } from '@opsplane/errors';
import { RpcHandler } from '@opsplane/messaging';
import { InvitationsService } from './invitations.service';
import { TeamService } from './team.service';
import { unknownIfTenantGone } from '../auth.exception';
import { TeamErrors } from './team.rules';

/** Team members and invitations over request/reply; bodies validated here, at the boundary. */
@Controller()
export class TeamController {
  constructor(
    private readonly team: TeamService,
    private readonly invitations: InvitationsService,
  ) {}

  @RpcHandler(RpcSubject.AuthListTeam)
  async list(meta: RequestMeta, body: unknown) {
    return this.team.list(meta, await parseInput(ListTeamQueryDto, body));
  }

  @RpcHandler(RpcSubject.AuthUpdateMemberRole)
  async changeRole(meta: RequestMeta, body: unknown) {
    return this.team.changeRole(meta, await parseInput(ChangeMemberRoleDto, body));
  }

  @RpcHandler(RpcSubject.AuthRemoveMember)
  async remove(meta: RequestMeta, body: unknown) {
    return this.team.remove(meta, (await parseInput(MemberIdDto, body)).id);
  }

  @RpcHandler(RpcSubject.AuthInviteMember)
  async invite(meta: RequestMeta, body: unknown) {
    return this.invitations.invite(meta, await parseInput(InviteMemberDto, body));
  }

  @RpcHandler(RpcSubject.AuthListInvitations)
  async listInvitations(meta: RequestMeta, body: unknown) {
    return this.invitations.listPending(meta, await parseInput(ListInvitationsQueryDto, body));
  }

  @RpcHandler(RpcSubject.AuthRevokeInvitation)
  async revokeInvitation(meta: RequestMeta, body: unknown) {
    return this.invitations.revoke(meta, (await parseInput(MemberIdDto, body)).id);
  }

  /** Public: the invitation token is the credential (and names the tenant). */
  @RpcHandler(RpcSubject.AuthAcceptInvitation)
  async accept(meta: RequestMeta, body: unknown) {
    return unknownIfTenantGone(this.invitations.accept(await parseInput(AcceptInvitationRequestDto, body), meta.idempotency_key), TeamErrors.badInvitation);
  }
}
