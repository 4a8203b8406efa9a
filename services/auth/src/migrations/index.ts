import { AuthInit1763900000001 } from './1763900000001-auth-init';
import { AuthInvitations1764000000002 } from './1764000000002-auth-invitations';
import { AuthAuditLog1764100000003 } from './1764100000003-auth-audit-log';
import { AuthTenantLimits1764200000004 } from './1764200000004-auth-tenant-limits';
import { AuthIdempotencyKeys1764400000005 } from './1764400000005-idempotency-keys';
import { AuthTenantFence1764500000002 } from './1764500000002-tenant-fence';
import { AuthAccessRevocations1764500000004 } from './1764500000004-access-revocations';

/** Every auth migration, oldest first. */
export const AUTH_MIGRATIONS = [AuthInit1763900000001, AuthInvitations1764000000002, AuthAuditLog1764100000003, AuthTenantLimits1764200000004, AuthIdempotencyKeys1764400000005, AuthTenantFence1764500000002, AuthAccessRevocations1764500000004];
