import { AppError, ErrorCode } from '@opsplane/errors';

/** Login and refresh errors. */
export const SessionsErrors = {
  badCredentials: () => new AppError(ErrorCode.UNAUTHORIZED, 'Invalid email or password'),
  tooManyAttempts: (retryAfterS: number) =>
    new AppError(ErrorCode.RATE_LIMIT, `Too many failed logins; try again in ${retryAfterS} s`, { retry_after_s: retryAfterS }),
  badRefresh: () => new AppError(ErrorCode.UNAUTHORIZED, 'Invalid or expired refresh token'),
  refreshReuse: () => new AppError(ErrorCode.UNAUTHORIZED, 'Refresh token reuse detected; the session has been revoked'),
};
