import { isTenantGone } from '@opsplane/db';
import { AppError, ErrorCode } from '@opsplane/errors';

export const AuthErrors = {
  badCredentials: () => new AppError(ErrorCode.UNAUTHORIZED, 'Invalid email or password'),
  tooManyAttempts: (retryAfterS: number) =>
    new AppError(ErrorCode.RATE_LIMIT, `Too many failed logins; try again in ${retryAfterS} s`, { retry_after_s: retryAfterS }),
  badRefresh: () => new AppError(ErrorCode.UNAUTHORIZED, 'Invalid or expired refresh token'),
  refreshReuse: () => new AppError(ErrorCode.UNAUTHORIZED, 'Refresh token reuse detected; the session has been revoked'),
  badApiToken: () => new AppError(ErrorCode.UNAUTHORIZED, 'Invalid, expired or revoked API token'),
  tokenNotFound: () => new AppError(ErrorCode.NOT_FOUND, 'API token not found'),
  forbidden: (message: string) => new AppError(ErrorCode.FORBIDDEN, message),
  tenantSuspended: () => new AppError(ErrorCode.FORBIDDEN, 'The tenant is suspended'),
};

/**
 * A credential of a deleted tenant is answered like an unknown one (401, the same message), not
 * as the tenant's deletion: whoever presents it learns nothing about the tenant.
 */
export async function unknownIfTenantGone<T>(work: Promise<T>, unknown: () => AppError): Promise<T> {
  try {
    return await work;
  } catch (e) {
    if (isTenantGone(e)) throw unknown();
    throw e;
  }
}
