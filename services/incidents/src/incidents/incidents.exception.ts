import { AppError, ErrorCode } from '@opsplane/errors';
import { IncidentStatus } from '@opsplane/contracts';

/** The incident domain's errors, all as AppError codes the transports already map. */
export const IncidentErrors = {
  notFound: (ref: string) => new AppError(ErrorCode.NOT_FOUND, `Incident ${ref} not found`),
  invalidTransition: (from: IncidentStatus, to: IncidentStatus, allowed: IncidentStatus[]) =>
    new AppError(
      ErrorCode.INVALID_TRANSITION,
      allowed.length
        ? `Cannot move an incident from ${from} to ${to}; allowed next states: ${allowed.join(', ')}`
        : `Cannot move an incident from ${from} to ${to}; ${from} is final`,
      { from, to, allowed },
    ),
  closed: () => new AppError(ErrorCode.INVALID_TRANSITION, 'The incident is closed; closed is final', { from: 'closed', allowed: [] }),
  priorityConflict: (message: string) => AppError.validation([{ field: 'priority', message }]),
  holdWhenResolved: () => AppError.validation([{ field: 'hold_reason', message: 'a resolved or closed incident awaits nothing: reopen it first' }]),
  readOnly: () => new AppError(ErrorCode.FORBIDDEN, 'This credential cannot write (viewer role or read-only token)'),
};
