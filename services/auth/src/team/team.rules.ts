import { Role } from '@opsplane/contracts';
import { AppError } from '@opsplane/errors';
import { TeamErrors } from './team.exception';

/**
 * Who may change whose membership. Pure: the caller loads the actor's and the target's current
 * rows (and counts owners) inside a transaction that serialises the tenant's team changes.
 */
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
