import { copyHex, copyText, jsonText } from '../copy-rows';

describe('COPY text format', () => {
  it('escapes backslashes, tabs and line breaks, writes NULL as \\N and drops NUL characters', () => {
    expect(copyText('plain')).toBe('plain');
    expect(copyText('a\tb\nc\rd\\e')).toBe('a\\tb\\nc\\rd\\\\e');
    expect(copyText('nul\u0000here')).toBe('nulhere');
    expect(copyText(null)).toBe('\\N');
    expect(copyText(undefined)).toBe('\\N');
    expect(copyText(42)).toBe('42');
  });

  it('writes bytea as escaped hex and JSON without NUL characters (jsonb refuses them)', () => {
    expect(copyHex('0a0b')).toBe('\\\\x0a0b');
    expect(copyHex(null)).toBe('\\N');
    expect(jsonText({ a: 'x\u0000y', b: ['\u0000'], c: 'back\\slash \\u0000 text' })).toBe(JSON.stringify({ a: 'xy', b: [''], c: 'back\\slash \\u0000 text' }));
    expect(jsonText({ n: 1 })).toBe('{"n":1}');
  });
});
