import { AppError } from '@opsplane/errors';

/** A page's cursor: the sort key of its last row, opaque to clients (base64url), tagged with what it pages. */
export function encodeCursor(kind: string, key: string[]): string {
  return Buffer.from(JSON.stringify([kind, ...key])).toString('base64url');
}

export function decodeCursor(cursor: string, kind: string): string[] {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as unknown;
    // The first key is a time in microseconds (decimal); the second a sequence number (decimal) or a trace id (hex).
    const second = kind === 'traces' ? /^[0-9a-f]{32}$/ : /^\d{1,19}$/;
    if (Array.isArray(parsed) && parsed[0] === kind && parsed.length === 3 && typeof parsed[1] === 'string' && /^\d{1,16}$/.test(parsed[1]) && typeof parsed[2] === 'string' && second.test(parsed[2])) {
      return parsed.slice(1) as string[];
    }
  } catch {
    // answered below
  }
  throw AppError.validation([{ field: 'cursor', message: 'cursor must be the next_cursor of a previous page of the same query' }]);
}
