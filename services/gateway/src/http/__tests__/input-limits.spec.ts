import { AppError } from '@opsplane/errors';
import { inputProblems, parseJsonBody } from '../input-limits';

const fieldsOf = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (e) {
    if (e instanceof AppError) return (e.details?.fields ?? []).map((f) => `${f.field}: ${f.message}`);
    throw e;
  }
  return [];
};

describe('gateway input limits', () => {
  it('treats an empty body as no body', () => {
    expect(parseJsonBody('')).toBeUndefined();
    expect(parseJsonBody('  \n')).toBeUndefined();
  });

  it('refuses 5,000 levels of nesting before parsing, without recursion', () => {
    const deep = '['.repeat(5000) + ']'.repeat(5000);
    expect(fieldsOf(() => parseJsonBody(deep))).toEqual(['body: body is nested more than 32 levels deep']);
    const deepObject = '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000);
    expect(fieldsOf(() => parseJsonBody(deepObject))).toEqual(['body: body is nested more than 32 levels deep']);
    // Brackets inside strings are not nesting.
    expect(parseJsonBody(JSON.stringify({ title: '['.repeat(100) + '\\"{' }))).toEqual({ title: '['.repeat(100) + '\\"{' });
  });

  it('names unpaired surrogates, NUL characters, inexact numbers and prototype keys, wherever they are', () => {
    expect(fieldsOf(() => parseJsonBody('{"title":"\\ud800 x"}'))).toEqual(['title: title must not contain unpaired UTF-16 surrogates (e.g. \\ud800 alone)']);
    expect(fieldsOf(() => parseJsonBody('{"a":{"b":["ok","\\udc00"]}}'))).toEqual(['a.b[1]: a.b[1] must not contain unpaired UTF-16 surrogates (e.g. \\ud800 alone)']);
    expect(fieldsOf(() => parseJsonBody('{"t":"a\\u0000b"}'))).toEqual(['t: t must not contain NUL characters']);
    expect(fieldsOf(() => parseJsonBody('{"n":1e400}'))).toHaveLength(1);
    expect(fieldsOf(() => parseJsonBody('{"n":99999999999999999999}'))).toHaveLength(1);
    expect(fieldsOf(() => parseJsonBody('{"__proto__":{"admin":true}}'))).toEqual(['__proto__: __proto__ is not an accepted name']);
    expect(fieldsOf(() => parseJsonBody('{"x":{"constructor":{"prototype":{}}}}'))).toEqual(['x.constructor: x.constructor is not an accepted name']);
    expect(fieldsOf(() => parseJsonBody('{"\\ud800":1}'))).toEqual(['body: a key of body must not contain unpaired UTF-16 surrogates (e.g. \\ud800 alone)']);
  });

  it('keeps what is valid: paired surrogates (emoji), control characters other than NUL, exact numbers', () => {
    const body = { title: 'db 🔥 down\ttab', n: 9007199254740991, m: -0.5, list: [null, true, 'x'] };
    expect(parseJsonBody(JSON.stringify(body))).toEqual(body);
  });

  it('says the body must be valid JSON without repeating it', () => {
    const [msg] = fieldsOf(() => parseJsonBody('{"password": "hunter2'));
    expect(msg).toMatch(/^body: body must be valid JSON/);
    expect(msg).not.toContain('hunter2');
  });

  it('checks query strings and path parameters the same way', () => {
    expect(inputProblems({ q: '\ud800', tag: ['a', 'b\u0000'] }, 'query').map((p) => p.field)).toEqual(['q', 'tag[1]']);
    expect(inputProblems({ id: 'INC-00000001' }, 'path')).toEqual([]);
  });
});
