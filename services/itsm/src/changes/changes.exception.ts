import { ChangeConflictView, ChangeStatus } from '@opsplane/contracts';
import { AppError, ErrorCode } from '@opsplane/errors';

/** The changes feature's errors: each one an error code of the contract and a message for people. */
export const ChangesErrors = {
  notFound: (ref: string) => new AppError(ErrorCode.NOT_FOUND, `Change ${ref} not found`),
  invalidTransition: (from: ChangeStatus, to: ChangeStatus, allowed: ChangeStatus[], why?: string) =>
    new AppError(
      ErrorCode.INVALID_TRANSITION,
      `Cannot move a change from ${from} to ${to}${why ? ` (${why})` : ''}; ${allowed.length ? `allowed next states: ${allowed.join(', ')}` : `${from} is final`}`,
      { from, to, allowed },
    ),
  notPendingApproval: (status: ChangeStatus) =>
    new AppError(ErrorCode.INVALID_TRANSITION, `Only a change pending approval can be approved or rejected; this one is ${status}`, {
      from: status,
      allowed: [],
    }),
  field: (field: string, message: string) => AppError.validation([{ field, message }]),
  readOnly: () => new AppError(ErrorCode.FORBIDDEN, 'This credential cannot write (viewer role or read-only token)'),
  selfApproval: () => new AppError(ErrorCode.FORBIDDEN, 'The requester of a change cannot approve it'),
  approverIsPerson: () => new AppError(ErrorCode.FORBIDDEN, 'Changes are approved by people: sign in as a user to approve'),
  conflicts: (conflicts: ChangeConflictView[]) =>
    new AppError(
      ErrorCode.CONFLICT,
      `The change's window collides with ${conflicts.map((c) => (c.kind === 'change' ? `change ${c.reference}` : `freeze window "${c.title}"`)).join(', ')}; an admin can approve it with an override_reason`,
      { conflicts },
    ),
  overrideAdminOnly: () => new AppError(ErrorCode.FORBIDDEN, 'Only an admin or owner can approve a change despite its conflicts'),
  freezeNotFound: (id: string) => new AppError(ErrorCode.NOT_FOUND, `Freeze window ${id} not found`),
  freezeAdminOnly: () => new AppError(ErrorCode.FORBIDDEN, 'Only an admin or owner can set freeze windows'),
  adminOnly: () => new AppError(ErrorCode.FORBIDDEN, 'Only an admin or owner can change the approval policy'),
};
