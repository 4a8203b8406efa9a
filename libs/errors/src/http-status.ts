import { assertUnreachable, ErrorCode } from './app-error';

/** The HTTP status of each error code (the API contract's table). Exhaustive by construction. */
export function httpStatusOf(code: ErrorCode): number {
  switch (code) {
    case ErrorCode.UNAUTHORIZED:
      return 401;
    case ErrorCode.FORBIDDEN:
      return 403;
    case ErrorCode.NOT_FOUND:
      return 404;
    case ErrorCode.VALIDATION_ERROR:
      return 422;
    case ErrorCode.RATE_LIMIT:
      return 429;
    case ErrorCode.INVALID_TRANSITION:
      return 400;
    case ErrorCode.QUOTA_EXCEEDED:
      return 402;
    case ErrorCode.CONFLICT:
      return 409;
    case ErrorCode.METHOD_NOT_ALLOWED:
      return 405;
    case ErrorCode.PRECONDITION_FAILED:
      return 412;
    case ErrorCode.PAYLOAD_TOO_LARGE:
      return 413;
    case ErrorCode.UNAVAILABLE:
      return 503;
    case ErrorCode.ERROR:
      return 500;
    default:
      return assertUnreachable(code);
  }
}
