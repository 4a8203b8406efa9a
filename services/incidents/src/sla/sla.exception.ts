import { AppError, ErrorCode } from '@opsplane/errors';

/** The SLA feature's errors. */
export const SlaErrors = {
  notFound: (id: string) => new AppError(ErrorCode.NOT_FOUND, `SLA policy ${id} not found`),
  field: (field: string, message: string) => AppError.validation([{ field, message }]),
  adminOnly: () => new AppError(ErrorCode.FORBIDDEN, 'Only an admin or the owner can change SLA policies'),
  defaultCannotGo: () => new AppError(ErrorCode.CONFLICT, 'The default policy cannot be deleted: make another policy the default first'),
  defaultStays: () => AppError.validation([{ field: 'is_default', message: 'a tenant always has a default policy: make another policy the default instead' }]),
};
