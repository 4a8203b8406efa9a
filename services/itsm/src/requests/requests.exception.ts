import { RequestStatus } from '@opsplane/contracts';
import { AppError, ErrorCode, FieldError } from '@opsplane/errors';

/** The catalog and requests feature's errors: a code of the contract and a message for people. */
export const RequestsErrors = {
  itemNotFound: (ref: string) => new AppError(ErrorCode.NOT_FOUND, `Catalog item ${ref} not found`),
  notFound: (ref: string) => new AppError(ErrorCode.NOT_FOUND, `Service request ${ref} not found`),
  taskNotFound: (id: string) => new AppError(ErrorCode.NOT_FOUND, `Task ${id} not found on this request`),
  fields: (fields: FieldError[]) => AppError.validation(fields),
  field: (field: string, message: string) => AppError.validation([{ field, message }]),
  invalidTransition: (from: RequestStatus, to: RequestStatus, allowed: RequestStatus[], why?: string) =>
    new AppError(
      ErrorCode.INVALID_TRANSITION,
      `Cannot move a service request from ${from} to ${to}${why ? ` (${why})` : ''}; ${allowed.length ? `allowed next states: ${allowed.join(', ')}` : `${from} is final`}`,
      { from, to, allowed },
    ),
  notPendingApproval: (status: RequestStatus) =>
    new AppError(ErrorCode.INVALID_TRANSITION, `Only a request pending approval can be approved or rejected; this one is ${status}`, { from: status, allowed: [] }),
  notInFulfilment: (status: RequestStatus) =>
    new AppError(ErrorCode.INVALID_TRANSITION, `Tasks are worked while the request is in fulfilment; this one is ${status}`, { from: status, allowed: [] }),
  readOnly: () => new AppError(ErrorCode.FORBIDDEN, 'This credential cannot write (viewer role or read-only token)'),
  adminOnly: () => new AppError(ErrorCode.FORBIDDEN, 'Only an admin or owner can change the service catalog'),
  selfApproval: () => new AppError(ErrorCode.FORBIDDEN, 'The requester cannot approve their own request'),
  notAnApprover: () => new AppError(ErrorCode.FORBIDDEN, "This catalog item's requests are approved by the approvers it names"),
  approverIsPerson: () => new AppError(ErrorCode.FORBIDDEN, 'Requests are approved by people: sign in as a user to approve'),
  inUse: () => new AppError(ErrorCode.CONFLICT, 'The catalog item has requests; deactivate it (active: false) instead of deleting it'),
  codeTaken: (code: string) => new AppError(ErrorCode.CONFLICT, `Another catalog item has the code ${code}`),
};
