/**
 * Label matchers with Prometheus's semantics: an absent label has the empty value, and regular
 * expressions are RE2 patterns fully anchored as `^(?s:<re>)$`, translated to JavaScript.
 */
import { badData } from './errors';
import { Labels } from './labels';

export type MatchType = '=' | '!=' | '=~' | '!~';

export interface Matcher {
  name: string;
  type: MatchType;
  value: string;
}

export interface CompiledMatcher extends Matcher {
  matches(value: string): boolean;
}

const regexCache = new Map<string, RegExp>();

export function compileMatcher(m: Matcher): CompiledMatcher {
  switch (m.type) {
    case '=':
      return { ...m, matches: (v) => v === m.value };
    case '!=':
      return { ...m, matches: (v) => v !== m.value };
    case '=~': {
      const re = compileAnchoredRegex(m.value);
      return { ...m, matches: (v) => re.test(v) };
    }
    case '!~': {
      const re = compileAnchoredRegex(m.value);
      return { ...m, matches: (v) => !re.test(v) };
    }
    default:
      throw badData(`invalid match type ${String((m as Matcher).type)}`);
  }
}

/** Whether `labels` satisfies every matcher (an absent label is matched as the empty string). */
export function matchesAll(labels: Labels, matchers: readonly CompiledMatcher[]): boolean {
  for (const m of matchers) if (!m.matches(labels.get(m.name))) return false;
  return true;
}

/** The RE2 pattern `re` as a JavaScript RegExp equivalent to Go's `^(?s:re)$`. */
export function compileAnchoredRegex(re: string): RegExp {
  const cached = regexCache.get(re);
  if (cached) return cached;
  const { source, flags, unicode } = translateRe2(re);
  let compiled: RegExp | undefined;
  if (unicode) {
    try {
      compiled = new RegExp(`^(?:${source})$`, 'su' + flags);
    } catch {
      compiled = undefined;
    }
  }
  if (!compiled) {
    try {
      compiled = new RegExp(`^(?:${source})$`, 's' + flags);
    } catch (e) {
      throw badData(`invalid regular expression ${JSON.stringify(re)}: ${(e as Error).message}`);
    }
  }
  if (regexCache.size > 1000) regexCache.clear();
  regexCache.set(re, compiled);
  return compiled;
}

const POSIX_CLASSES: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

const JS_SYNTAX = new Set(['^', '$', '\\', '.', '*', '+', '?', '(', ')', '[', ']', '{', '}', '|', '/']);

/**
 * Translates the RE2 syntax Prometheus users write into JavaScript: flag groups for case
 * insensitivity (`(?i)`, `(?i:…)`, `(?-i)`, expanded into character classes since JavaScript has
 * no inline modifiers), `(?s)` (always on), `(?P<name>`, `\Q…\E`, `\A`, `\z`, POSIX classes and
 * escaped punctuation. Lookarounds and backreferences, which RE2 rejects, are rejected here too.
 */
function translateRe2(re: string): { source: string; flags: string; unicode: boolean } {
  let i = 0;
  let out = '';
  let inClass = false;
  let ci = false;
  const stack: boolean[] = [];
  const fail = (why: string) => badData(`invalid regular expression ${JSON.stringify(re)}: ${why}`);
  const literal = (ch: string): string => {
    const lit = escapeLiteral(ch, inClass);
    if (!ci) return lit;
    const lower = ch.toLowerCase();
    const upper = ch.toUpperCase();
    if (lower === upper || lower.length !== 1 || upper.length !== 1) return lit;
    return inClass ? lower + upper : `[${lower}${upper}]`;
  };
  while (i < re.length) {
    const c = re[i];
    if (c === '\\') {
      const n = re[i + 1];
      if (n === undefined) throw fail('trailing backslash at end of expression');
      if (n === 'Q') {
        const end = re.indexOf('\\E', i + 2);
        const lit = end < 0 ? re.slice(i + 2) : re.slice(i + 2, end);
        for (const ch of lit) out += literal(ch);
        i = end < 0 ? re.length : end + 2;
        continue;
      }
      if (n === 'A' && !inClass) {
        out += '^';
        i += 2;
        continue;
      }
      if (n === 'z' && !inClass) {
        out += '$';
        i += 2;
        continue;
      }
      if (/[1-9]/.test(n)) throw fail(`invalid escape sequence: \\${n}`);
      if (n === 'p' || n === 'P') {
        // \pL or \p{Greek}: needs the unicode flag.
        if (re[i + 2] === '{') {
          const end = re.indexOf('}', i + 3);
          if (end < 0) throw fail('invalid character class range');
          out += `\\${n}{${re.slice(i + 3, end)}}`;
          i = end + 1;
        } else {
          out += `\\${n}{${re[i + 2] ?? ''}}`;
          i += 3;
        }
        continue;
      }
      if (/[A-Za-z0-9]/.test(n)) out += c + n;
      else out += literal(n); // RE2 allows escaping any punctuation.
      i += 2;
      continue;
    }
    if (inClass) {
      if (c === '[' && re[i + 1] === ':') {
        const end = re.indexOf(':]', i + 2);
        if (end > 0) {
          let name = re.slice(i + 2, end);
          const negated = name.startsWith('^');
          if (negated) name = name.slice(1);
          const cls = POSIX_CLASSES[name];
          if (!cls) throw fail(`invalid character class range: [:${name}:]`);
          if (negated) throw fail('negated POSIX classes are not supported');
          out += cls;
          i = end + 2;
          continue;
        }
      }
      if (c === ']') {
        inClass = false;
        out += c;
        i++;
        continue;
      }
      if (ci && /[A-Za-z]/.test(c) && re[i + 1] === '-' && re[i + 2] !== undefined && re[i + 2] !== ']' && /[A-Za-z]/.test(re[i + 2])) {
        const e = re[i + 2];
        out += `${c}-${e}`;
        const sameCase = (c === c.toLowerCase()) === (e === e.toLowerCase());
        if (sameCase) out += `${swapCase(c)}-${swapCase(e)}`;
        i += 3;
        continue;
      }
      out += c === '[' ? '\\[' : c === '-' ? '-' : literal(c);
      i++;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      i++;
      // A leading ']' (or '^]') is a literal in RE2.
      if (re[i] === '^') {
        out += '^';
        i++;
      }
      if (re[i] === ']') {
        out += '\\]';
        i++;
      }
      continue;
    }
    if (c === '(') {
      if (re[i + 1] === '?') {
        const flagGroup = /^\(\?([imsU]*)(?:-([imsU]*))?([:)])/.exec(re.slice(i));
        if (flagGroup && (flagGroup[1] || flagGroup[2] !== undefined || flagGroup[3] === ':')) {
          const on = flagGroup[1];
          const off = flagGroup[2] ?? '';
          if (/[mU]/.test(on + off)) throw fail(`unsupported flag in ${flagGroup[0]}`);
          const groupCi: boolean = (ci || on.includes('i')) && !off.includes('i');
          if (flagGroup[3] === ')') {
            ci = groupCi; // applies to the rest of the current group
          } else {
            stack.push(ci);
            ci = groupCi;
            out += '(?:';
          }
          i += flagGroup[0].length;
          continue;
        }
        if (re[i + 2] === 'P' && re[i + 3] === '<') {
          stack.push(ci);
          out += '(?<';
          i += 4;
          continue;
        }
        if (re[i + 2] === '<' && re[i + 3] !== '=' && re[i + 3] !== '!') {
          stack.push(ci);
          out += '(?<';
          i += 3;
          continue;
        }
        throw fail(`invalid or unsupported Perl syntax: ${re.slice(i, i + 3)}`);
      }
      stack.push(ci);
      out += c;
      i++;
      continue;
    }
    if (c === ')') {
      if (stack.length === 0) throw fail('unexpected )');
      ci = stack.pop() as boolean;
      out += c;
      i++;
      continue;
    }
    if (c === '{') {
      const rep = /^\{\d+(,\d*)?\}/.exec(re.slice(i));
      if (rep) {
        out += rep[0];
        i += rep[0].length;
      } else {
        // A brace that does not start a repetition is a literal in RE2.
        out += '\\{';
        i++;
      }
      continue;
    }
    if (c === '}') {
      out += '\\}';
      i++;
      continue;
    }
    if (c === '.' || c === '*' || c === '+' || c === '?' || c === '|' || c === '^' || c === '$') {
      out += c;
      i++;
      continue;
    }
    out += literal(c);
    i++;
  }
  if (inClass) throw fail('missing closing ]');
  if (stack.length > 0) throw fail('missing closing )');
  return { source: out, flags: '', unicode: true };
}

function swapCase(ch: string): string {
  const lower = ch.toLowerCase();
  return ch === lower ? ch.toUpperCase() : lower;
}

function escapeLiteral(ch: string, inClass: boolean): string {
  if (JS_SYNTAX.has(ch) || (inClass && ch === '-')) return '\\' + ch;
  return ch;
}

/**
 * Whether a series with these labels is selected by `matchers`, for `SeriesSource` implementations
 * (absent and empty labels are the empty string; regular expressions are fully anchored).
 */
export function seriesMatches(labels: Readonly<Record<string, string>>, matchers: readonly Matcher[]): boolean {
  for (const m of matchers) {
    const v = labels[m.name] ?? '';
    if (!compileMatcher(m).matches(v)) return false;
  }
  return true;
}
