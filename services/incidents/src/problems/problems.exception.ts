import { ProblemStatus } from '@opsplane/contracts';
import { AppError, ErrorCode } from '@opsplane/errors';

/** The problems feature's errors. */
export const ProblemErrors = {
  notFound: (ref: string) => new AppError(ErrorCode.NOT_FOUND, `Problem ${ref} not found`),
  unknownIncidents: (refs: string[]) => AppError.validation([{ field: 'related_incidents', message: `no such incident in this tenant: ${refs.join(', ')}` }]),
  unknownIncident: (ref: string) => AppError.validation([{ field: 'incident_id', message: `no such incident in this tenant: ${ref}` }]),
  field: (field: string, message: string) => AppError.validation([{ field, message }]),
  invalidTransition: (from: ProblemStatus, to: ProblemStatus, allowed: ProblemStatus[]) =>
    new AppError(
      ErrorCode.INVALID_TRANSITION,
      allowed.length ? `Cannot move a problem from ${from} to ${to}; allowed next states: ${allowed.join(', ')}` : `Cannot move a problem from ${from} to ${to}; ${from} is final`,
      { from, to, allowed },
    ),
  readOnly: () => new AppError(ErrorCode.FORBIDDEN, 'This credential cannot write (viewer role or read-only token)'),
};
