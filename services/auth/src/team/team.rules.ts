import { Role } from '@opsplane/contracts';
import { AppError, ErrorCode } from '@opsplane/errors';

/**
 * Who may change whose membership. Pure: the caller loads the actor's and the target's current
 * rows (and counts owners) inside a transaction that serialises the tenant's team changes.
 */
export const TeamErrors = {
  notAdmin: () => new AppError(ErrorCode.FORBIDDEN, 'Only an admin or an owner can manage the team'),
  ownerOnly: (what: string) => new AppError(ErrorCode.FORBIDDEN, `Only an owner can ${what}`),
  lastOwner: (what: string) =>
    new AppError(ErrorCode.CONFLICT, `Cannot ${what} the last owner of the organization; make another member an owner first`),
  memberNotFound: () => AppError.notFound('Team member'),
  invitationNotFound: () => AppError.notFound('Invitation'),
  alreadyMember: () => new AppError(ErrorCode.CONFLICT, 'A member with this e-mail already exists in the organization'),
  badInvitation: () => new AppError(ErrorCode.UNAUTHORIZED, 'Invalid invitation token'),
  invitationUsed: () => new AppError(ErrorCode.UNAUTHORIZED, 'This invitation has already been used'),
  invitationRevoked: () => new AppError(ErrorCode.UNAUTHORIZED, 'This invitation has been revoked'),
  invitationAccepted: () => new AppError(ErrorCode.CONFLICT, 'This invitation has already been accepted'),
  invitationExpired: () => new AppError(ErrorCode.UNAUTHORIZED, 'This invitation has expired; ask for a new one'),
};

const isAdminRole = (r: Role) => r === 'owner' || r === 'admin';

/** May `actor` invite someone with `role`? */
export function checkInvite(actor: Role, role: Role): AppError | null {
  if (!isAdminRole(actor)) return TeamErrors.notAdmin();
  if (role === 'owner' && actor !== 'owner') return TeamErrors.ownerOnly('invite an owner');
  return null;
}

/** May `actor` move a member from `from` to `to`, with `owners` owners in the tenant now? */
export function checkRoleChange(actor: Role, from: Role, to: Role, owners: number): AppError | null {
  if (!isAdminRole(actor)) return TeamErrors.notAdmin();
  if ((from === 'owner' || to === 'owner') && from !== to && actor !== 'owner') return TeamErrors.ownerOnly('grant or remove the owner role');
  if (from === 'owner' && to !== 'owner' && owners <= 1) return TeamErrors.lastOwner('demote');
  return null;
}

/** May `actor` remove a member whose role is `target`, with `owners` owners in the tenant now? Removing oneself is a removal like any other. */
export function checkRemoval(actor: Role, target: Role, owners: number): AppError | null {
  if (!isAdminRole(actor)) return TeamErrors.notAdmin();
  if (target === 'owner' && actor !== 'owner') return TeamErrors.ownerOnly('remove an owner');
  if (target === 'owner' && owners <= 1) return TeamErrors.lastOwner('remove');
  return null;
}
