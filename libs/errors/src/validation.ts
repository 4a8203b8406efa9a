import { ClassConstructor, plainToInstance } from 'class-transformer';
import { validate, ValidationError } from 'class-validator';
import { AppError, FieldError } from './app-error';
import { cacheValidationMetadata } from './validation-cache';

cacheValidationMetadata();

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

/** Paths of strings holding a NUL character, which PostgreSQL text cannot store. */
function nulFields(value: unknown, path: string, out: FieldError[], depth = 0): void {
  if (depth > 20 || out.length > 20) return;
  if (typeof value === 'string') {
    if (value.includes('\u0000')) out.push({ field: path || 'body', message: `${path || 'body'} must not contain NUL characters` });
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => nulFields(v, `${path}[${i}]`, out, depth + 1));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) nulFields(v, path ? `${path}.${k}` : k, out, depth + 1);
  }
}

/**
 * Turns an untrusted plain object into a validated instance of `cls`, or throws a
 * VALIDATION_ERROR naming every failing field. Unknown properties are stripped.
 */
export async function parseInput<T extends object>(cls: ClassConstructor<T>, input: unknown): Promise<T> {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw AppError.validation([{ field: 'body', message: 'body must be a JSON object' }]);
  }
  const nul: FieldError[] = [];
  nulFields(input, '', nul);
  const instance = plainToInstance(cls, input, { exposeDefaultValues: true });
  const errors = await validate(instance, { whitelist: true, forbidUnknownValues: false });
  if (errors.length || nul.length) throw AppError.validation([...toFieldErrors(errors), ...nul]);
  return instance;
}
