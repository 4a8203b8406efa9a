import { AppError, ErrorCode, FieldError } from './app-error';

/** HTTP success envelope. */
export interface DataEnvelope<T> {
  data: T;
}

/** HTTP error envelope. `details` carries field errors or allowed transitions when there are some. */
export interface ErrorEnvelope {
  error: string;
  code: ErrorCode;
  trace_id: string;
  details?: FieldError[] | Record<string, unknown>;
}

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

/** Request/reply envelope between services over NATS (or the in-process transport). */
export type ReplyEnvelope<T> =
  | { status: 'ok'; value: T; error?: undefined }
  | { status: 'error'; error: { code: ErrorCode; message: string; details?: AppError['details'] }; value?: undefined };

export function okReply<T>(value: T): ReplyEnvelope<T> {
  return { status: 'ok', value };
}

export function errorReply(err: AppError): ReplyEnvelope<never> {
  return { status: 'error', error: { code: err.code, message: err.message, details: err.details } };
}
