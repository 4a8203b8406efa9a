import { ClassConstructor, plainToInstance } from 'class-transformer';
import { validate, ValidationError } from 'class-validator';
import { AppError, FieldError } from './app-error';

/** Flattens class-validator's nested errors into `field.path: message` pairs. */
export function toFieldErrors(errors: ValidationError[], parent = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const e of errors) {
    const field = parent ? `${parent}.${e.property}` : e.property;
    if (e.constraints) {
      for (const message of Object.values(e.constraints)) out.push({ field, message });
    }
    if (e.children?.length) out.push(...toFieldErrors(e.children, field));
  }
  return out;
}

/**
 * Turns an untrusted plain object into a validated instance of `cls`, or throws a
 * VALIDATION_ERROR naming every failing field. Unknown properties are stripped.
 */
export async function parseInput<T extends object>(cls: ClassConstructor<T>, input: unknown): Promise<T> {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw AppError.validation([{ field: 'body', message: 'body must be a JSON object' }]);
  }
  const instance = plainToInstance(cls, input, { exposeDefaultValues: true });
  const errors = await validate(instance, { whitelist: true, forbidUnknownValues: false });
  if (errors.length) throw AppError.validation(toFieldErrors(errors));
  return instance;
}
