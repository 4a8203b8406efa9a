import { AppError, ErrorCode } from '@opsplane/errors';

/** API token errors. */
export const ApiTokensErrors = {
  badApiToken: () => new AppError(ErrorCode.UNAUTHORIZED, 'Invalid, expired or revoked API token'),
  tokenNotFound: () => new AppError(ErrorCode.NOT_FOUND, 'API token not found'),
  forbidden: (message: string) => new AppError(ErrorCode.FORBIDDEN, message),
};
