import { AppError } from '@opsplane/errors';

const camelToSnake = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * Requests accept the second document's camelCase names (`assignedTo`, `affectedServices`, ...)
 * for the same fields as the snake_case ones. Only top-level keys are renamed: free-form objects
 * (attributes, settings) keep their keys. `aliases` maps a resource's other names of a field onto
 * the contract's. Giving two names of one field with different values is a 422.
 */
export function normalizeKeys(body: unknown, aliases: Readonly<Record<string, string>> = {}): unknown {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return body;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
    const snake = camelToSnake(k);
    // Another document's name of the same field (e.g. rollback_plan for backout_plan).
    const key = aliases[snake] ?? snake;
    if (key in out && JSON.stringify(out[key]) !== JSON.stringify(v)) {
      throw AppError.validation([{ field: key, message: `${key} and ${k} name the same field with different values` }]);
    }
    out[key] = v;
  }
  return out;
}
