import { AppError, ErrorCode } from '@opsplane/errors';

/** The cmdb's errors: each one an error code of the contract and a message for people. */
export const CmdbErrors = {
  notFound: (id: string) => new AppError(ErrorCode.NOT_FOUND, `Configuration item ${id} not found`),
  relationshipNotFound: (id: string) => new AppError(ErrorCode.NOT_FOUND, `Relationship ${id} not found`),
  classNotFound: (name: string) => new AppError(ErrorCode.NOT_FOUND, `Class ${name} not found (built-in classes cannot be removed)`),
  unknownClass: (field: string, cls: string) =>
    AppError.validation([{ field, message: `unknown class "${cls}": use a built-in class (GET /api/cmdb/classes) or add it with POST /api/cmdb/classes` }]),
  field: (field: string, message: string) => AppError.validation([{ field, message }]),
  duplicate: (what: string, existingId: string) => new AppError(ErrorCode.CONFLICT, `${what} is already item ${existingId}`),
  classExists: (name: string) => new AppError(ErrorCode.CONFLICT, `Class ${name} exists already`),
  classInUse: (name: string, n: number) => new AppError(ErrorCode.CONFLICT, `Class ${name} is used by ${n} item(s): change or delete them first`),
  edgeExists: (id: string) => new AppError(ErrorCode.CONFLICT, `This relationship exists already (${id})`),
  restoreClash: (id: string) => new AppError(ErrorCode.CONFLICT, `Another live item (${id}) has this item's identity: it cannot be restored`),
};
