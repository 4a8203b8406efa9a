import { AppError, FieldError } from '@opsplane/errors';

/**
 * Bounds on what any request may carry, checked at the gateway before anything else runs, so
 * that no hostile input reaches a parser's recursion, a validator or PostgreSQL: nesting depth,
 * number of values, numbers that are not exact, strings that PostgreSQL refuses (NUL, unpaired
 * UTF-16 surrogates), and keys that would reach an object's prototype.
 */
export const INPUT_LIMITS = {
  /** Objects and arrays inside each other. */
  maxDepth: 32,
  /** Values (objects, arrays, strings, numbers, ...) in one body. */
  maxValues: 200_000,
  /** Characters in one object key. */
  maxKeyLength: 256,
  /** Largest magnitude of a number: beyond it a JSON number is no longer exact. */
  maxNumber: Number.MAX_SAFE_INTEGER,
} as const;

const fail = (field: string, message: string): never => {
  throw AppError.validation([{ field, message }]);
};

/**
 * Measures the nesting of a JSON text without parsing it (linear, no recursion), so a
 * 5,000-level body is refused before JSON.parse or anything after it walks it.
 */
export function assertJsonDepth(text: string, maxDepth = INPUT_LIMITS.maxDepth): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) {
      inString = true;
    } else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (++depth > maxDepth) fail('body', `body is nested more than ${maxDepth} levels deep`);
    } else if (c === 125 /* } */ || c === 93 /* ] */) {
      depth--;
    }
  }
}

/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function stringProblem(s: string): string | undefined {
  if (s.includes('\u0000')) return 'must not contain NUL characters';
  if (LONE_SURROGATE.test(s)) return 'must not contain unpaired UTF-16 surrogates (e.g. \\ud800 alone)';
  return undefined;
}

const childPath = (parent: string, key: string | number) =>
  typeof key === 'number' ? `${parent}[${key}]` : parent ? `${parent}.${key}` : key;

/**
 * Walks a parsed value (iteratively) and lists every part outside the limits, naming its path.
 * `root` names the whole value in messages (`body`, `query`, `path`).
 */
export function inputProblems(value: unknown, root: string): FieldError[] {
  const out: FieldError[] = [];
  const stack: [unknown, string, number][] = [[value, '', 0]];
  let seen = 0;
  while (stack.length && out.length < 20) {
    const [v, path, depth] = stack.pop()!;
    const field = path || root;
    if (++seen > INPUT_LIMITS.maxValues) {
      out.push({ field: root, message: `${root} holds more than ${INPUT_LIMITS.maxValues} values` });
      break;
    }
    if (typeof v === 'string') {
      const p = stringProblem(v);
      if (p) out.push({ field, message: `${field} ${p}` });
    } else if (typeof v === 'number') {
      if (!Number.isFinite(v) || Math.abs(v) > INPUT_LIMITS.maxNumber) {
        out.push({ field, message: `${field} must be a number between -${INPUT_LIMITS.maxNumber} and ${INPUT_LIMITS.maxNumber}` });
      }
    } else if (v !== null && typeof v === 'object') {
      if (depth >= INPUT_LIMITS.maxDepth) {
        out.push({ field, message: `${field} is nested more than ${INPUT_LIMITS.maxDepth} levels deep` });
        continue;
      }
      if (Array.isArray(v)) {
        for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], childPath(path, i), depth + 1]);
        continue;
      }
      for (const key of Object.keys(v).reverse()) {
        const kp = childPath(path, key);
        const p = stringProblem(key);
        if (p) out.push({ field: path || root, message: `a key of ${path || root} ${p}` });
        else if (key.length > INPUT_LIMITS.maxKeyLength) out.push({ field: path || root, message: `a key of ${path || root} is longer than ${INPUT_LIMITS.maxKeyLength} characters` });
        else if (key === '__proto__' || (key === 'constructor' && typeof (v as Record<string, unknown>)[key] === 'object')) {
          out.push({ field: kp, message: `${kp} is not an accepted name` });
        } else stack.push([(v as Record<string, unknown>)[key], kp, depth + 1]);
      }
    }
  }
  return out;
}

/** Throws a VALIDATION_ERROR naming each part of the value outside the limits. */
export function assertWithinLimits(value: unknown, root: string): void {
  const problems = inputProblems(value, root);
  if (problems.length) throw AppError.validation(problems);
}

/**
 * The gateway's JSON body parser: an empty body is no body; otherwise the nesting is measured
 * first, then the text parsed and every value checked.
 */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  assertJsonDepth(text);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    // The parser's message may quote the input; only its position is repeated.
    const at = /position (\d+)/.exec(e instanceof Error ? e.message : '');
    return fail('body', `body must be valid JSON${at ? ` (error at character ${at[1]})` : ''}`);
  }
  assertWithinLimits(value, 'body');
  return value;
}
