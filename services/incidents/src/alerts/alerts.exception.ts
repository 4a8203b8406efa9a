import { AppError, ErrorCode } from '@opsplane/errors';

/** The alert intake's errors, as AppError codes the transports already map. */
export const AlertErrors = {
  readOnly: () => new AppError(ErrorCode.FORBIDDEN, 'This credential cannot write (viewer role or read-only token)'),
  adminOnly: () => new AppError(ErrorCode.FORBIDDEN, 'Only admins and owners change the alert settings'),
};
