import { isTenantGone } from '@opsplane/db';
import { AppError, ErrorCode } from '@opsplane/errors';

/** The errors several features share (each feature's own are in its `<feature>.exception.ts`). */
export const AuthErrors = {
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
