import { AppError, ErrorCode } from '@opsplane/errors';

/** Team membership and invitation errors. */
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
