import { AuthInit1763900000001 } from './1763900000001-auth-init';
import { AuthInvitations1764000000002 } from './1764000000002-auth-invitations';

/** Every auth migration, oldest first. */
export const AUTH_MIGRATIONS = [AuthInit1763900000001, AuthInvitations1764000000002];
