import { AppError } from '@opsplane/errors';

/** Organization errors. */
export const OrganizationErrors = {
  notFound: () => AppError.notFound('Organization'),
  notAdmin: () => AppError.forbidden('Only an admin or an owner can change the organization'),
};
