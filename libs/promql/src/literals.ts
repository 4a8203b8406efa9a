/** The lexical pieces of PromQL read the way Prometheus's lexer reads them. */

/** Prometheus's `model.ParseDuration` (`1h30m`, `5m`, `1y`, `250ms`) in milliseconds, or undefined. */
export function parseDurationMs(text: string): number | undefined {
  const m = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/.exec(text);
  if (!m || text === '') return undefined;
  const units = [365 * 86400000, 7 * 86400000, 86400000, 3600000, 60000, 1000, 1];
  let ms = 0;
  let any = false;
  for (let i = 0; i < units.length; i++) {
    if (m[i + 1] !== undefined) {
      ms += Number(m[i + 1]) * units[i];
      any = true;
    }
  }
  return any ? ms : undefined;
}

/** Prometheus's `strutil.Unquote`: double, single (any length) and backtick quoted strings. */
export function unquoteString(s: string): string {
  const q = s[0];
  if (s.length < 2 || s[s.length - 1] !== q) throw new Error('invalid syntax');
  const body = s.slice(1, -1);
  if (q === '`') {
    if (body.includes('`')) throw new Error('invalid syntax');
    return body.replace(/\r/g, '');
  }
  if (q !== '"' && q !== "'") throw new Error('invalid syntax');
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === q || c === '\n') throw new Error('invalid syntax');
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = body[++i];
    switch (e) {
      case 'a':
        out += '\x07';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'v':
        out += '\v';
        break;
      case '\\':
        out += '\\';
        break;
      case "'":
      case '"':
        if (e !== q) throw new Error('invalid syntax');
        out += e;
        break;
      case 'x':
      case 'u':
      case 'U': {
        const len = e === 'x' ? 2 : e === 'u' ? 4 : 8;
        const hex = body.slice(i + 1, i + 1 + len);
        if (hex.length !== len || !/^[0-9a-fA-F]+$/.test(hex)) throw new Error('invalid syntax');
        const code = parseInt(hex, 16);
        if (code > 0x10ffff || (code >= 0xd800 && code < 0xe000 && e !== 'x')) throw new Error('invalid syntax');
        out += String.fromCodePoint(code);
        i += len;
        break;
      }
      default: {
        if (e !== undefined && e >= '0' && e <= '7') {
          const oct = body.slice(i, i + 3);
          if (!/^[0-7]{3}$/.test(oct) || parseInt(oct, 8) > 255) throw new Error('invalid syntax');
          out += String.fromCharCode(parseInt(oct, 8));
          i += 2;
          break;
        }
        throw new Error('invalid syntax');
      }
    }
  }
  return out;
}

/**
 * Prometheus reads `2.` as a number; the Lezer grammar wants a digit after the dot. Blanking such a
 * dot (outside strings and comments) keeps every position and the number's value.
 */
export function blankTrailingDots(q: string): string {
  let out: string[] | undefined;
  let quote = '';
  for (let i = 0; i < q.length; i++) {
    const c = q[i];
    if (quote) {
      if (c === '\\' && quote !== '`') i++;
      else if (c === quote) quote = '';
      continue;
    }
    if (c === '"' || c === "'" || c === '`') {
      quote = c;
      continue;
    }
    if (c === '#') {
      while (i < q.length && q[i] !== '\n') i++;
      continue;
    }
    if (c !== '.' || !/[0-9]/.test(q[i - 1] ?? '') || /[0-9A-Za-z_.]/.test(q[i + 1] ?? '')) continue;
    let j = i - 1;
    while (j >= 0 && /[0-9_]/.test(q[j])) j--;
    if (j >= 0 && /[A-Za-z_:.]/.test(q[j])) continue;
    out ??= q.split('');
    out[i] = ' ';
  }
  return out ? out.join('') : q;
}
