import { AppError, ErrorCode } from '@opsplane/errors';

/** The ETag of a record's version (strong: the version changes with every change of the record). */
export const etagOf = (version: number): string => `"${version}"`;

/**
 * If-Match on an update: the client says which version it read; if the record has changed since
 * (another person's update), the update is refused with 412 and writes nothing. `*` matches any
 * version; weak ETags (W/"3") are compared by their value. No If-Match: the update goes ahead.
 */
export function assertIfMatch(ifMatch: string | undefined, version: number, what: string): void {
  if (ifMatch === undefined) return;
  const tags = ifMatch.split(',').map((t) => t.trim().replace(/^W\//, ''));
  if (tags.includes('*') || tags.includes(etagOf(version))) return;
  throw new AppError(
    ErrorCode.PRECONDITION_FAILED,
    `The ${what} has changed since it was read (it is at version ${version}); read it again and retry with its new ETag`,
    { current_version: version },
  );
}
