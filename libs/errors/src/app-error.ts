/**
 * The platform's error codes: one enum, mapped once per transport (see http-status.ts).
 * Every error a service raises on purpose is an AppError with one of these codes.
 */
export enum ErrorCode {
  UNAUTHORIZED = 'UNAUTHORIZED',
  FORBIDDEN = 'FORBIDDEN',
  NOT_FOUND = 'NOT_FOUND',
  VALIDATION_ERROR = 'VALIDATION_ERROR',
  RATE_LIMIT = 'RATE_LIMIT',
  INVALID_TRANSITION = 'INVALID_TRANSITION',
  QUOTA_EXCEEDED = 'QUOTA_EXCEEDED',
  CONFLICT = 'CONFLICT',
  METHOD_NOT_ALLOWED = 'METHOD_NOT_ALLOWED',
  PRECONDITION_FAILED = 'PRECONDITION_FAILED',
  PAYLOAD_TOO_LARGE = 'PAYLOAD_TOO_LARGE',
  UNAVAILABLE = 'UNAVAILABLE',
  ERROR = 'ERROR',
}

export interface FieldError {
  field: string;
  message: string;
}

export interface AppErrorDetails {
  fields?: FieldError[];
  allowed?: string[];
  retry_after_s?: number;
  [key: string]: unknown;
}

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: AppErrorDetails,
  ) {
    super(message);
    this.name = 'AppError';
  }

  static notFound(what: string): AppError {
    return new AppError(ErrorCode.NOT_FOUND, `${what} not found`);
  }

  static validation(fields: FieldError[]): AppError {
    const names = fields.map((f) => f.field).join(', ');
    return new AppError(ErrorCode.VALIDATION_ERROR, `Validation failed: ${names}`, { fields });
  }

  static forbidden(message = 'Insufficient permissions'): AppError {
    return new AppError(ErrorCode.FORBIDDEN, message);
  }

  static unauthorized(message = 'Missing or invalid credentials'): AppError {
    return new AppError(ErrorCode.UNAUTHORIZED, message);
  }

  static conflict(message: string): AppError {
    return new AppError(ErrorCode.CONFLICT, message);
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}

export function assertUnreachable(x: never): never {
  throw new Error(`Unhandled case: ${String(x)}`);
}
