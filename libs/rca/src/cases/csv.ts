import { closeSync, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { Parser, type ParseResult } from 'papaparse';

/**
 * CSV for the case folder loader (`case-folder.ts`): reading is papaparse's core parser (`Papa.Parser`),
 * fed synchronously chunk by chunk so that a file of any size is read piece by piece; writing is
 * `csvField`. Part of the library's file loader, not of the engine (which does no I/O).
 */

/** A quoted field never closed: thrown by `CsvParser#end`; `forEachCsvRow` puts the file name in front. */
class CsvSyntaxError extends Error {
  override name = 'CsvSyntaxError';
}

/**
 * RFC 4180 CSV, incrementally (papaparse): quoted fields, doubled quotes, commas and newlines inside
 * quotes; text or bytes (UTF-8, characters may be cut between chunks) can be pushed in chunks cut
 * anywhere. With the leniency case files need: a BOM, blank lines (skipped), ragged rows, stray quotes
 * inside an unquoted field kept as text. The delimiter is always ','.
 *
 * Line ends: \n and \r\n, mixed as they come (rows are split at \n and a \r before it is dropped). A
 * file whose first line ends in a lone \r is read as \r-separated throughout (old Mac files). Not
 * read as such: a lone \r in a \n file (it stays in the field), a quoted last field whose text ends in
 * \r (the \r is dropped).
 *
 * Push either text or bytes into one parser, not both. Rows are handed to `onRow` from within `push`
 * or `end`, all of them before `end` returns (behind a long unfinished record, parsing waits until as
 * much text again has come, see `push`); an unclosed quote at the end throws.
 */
export class CsvParser {
  /** papaparse's own chunked reading (`ChunkStreamer`) works the same way: each parse keeps the text
   * after `meta.cursor`, the start of an unfinished row, and parses it again in front of the next chunk. */
  private parser: Parser | undefined;
  private crOnly = false;
  private tail = '';
  private pending: string[] = [];
  private pendingLength = 0;
  private readonly decoder = new StringDecoder('utf8');
  private started = false;
  private rows = 0;

  constructor(private readonly onRow: (row: string[]) => void) {}

  push(chunk: string | Buffer): void {
    let text = typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    if (text.length === 0) return;
    if (!this.started) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    this.pending.push(text);
    this.pendingLength += text.length;
    // The unfinished tail is parsed again only once at least as much new text has come, so that a record
    // spanning many chunks (a long quoted field, an unclosed quote) costs linear time, not quadratic.
    if (this.pendingLength >= this.tail.length) this.parse(false);
  }

  end(): void {
    const rest = this.decoder.end();
    if (rest) this.push(rest);
    this.parse(true);
  }

  private parse(last: boolean): void {
    let input = this.pending.length === 1 && !this.tail ? this.pending[0] : this.tail + this.pending.join('');
    this.pending = [];
    this.pendingLength = 0;
    // A \r at the very end ends the last row (papaparse would take it for junk after a closing quote).
    if (last && input.charCodeAt(input.length - 1) === 13) input = input.slice(0, -1);
    if (!this.parser) {
      const newline = lineEnd(input, last);
      if (!newline) {
        this.tail = input;
        return;
      }
      this.crOnly = newline === '\r';
      // Given delimiter and newline: papaparse guesses neither.
      this.parser = new Parser({ delimiter: ',', newline, quoteChar: '"', escapeChar: '"' });
    }
    const result = this.parser.parse(input, 0, !last) as ParseResult<string[]>;
    this.tail = last ? '' : input.slice(result.meta.cursor);
    // papaparse reports malformed input in `errors` (and parses on). Only an unclosed quote at the end of
    // the input is an error here (before the end it is the unfinished tail); a closing quote followed by
    // other text (InvalidQuotes) is read papaparse's way, up to a quote followed by ',' or a line end.
    const unclosed = last ? result.errors.find((e) => e.code === 'MissingQuotes') : undefined;
    const rows = unclosed ? result.data.slice(0, unclosed.row ?? 0) : result.data;
    for (const row of rows) this.emit(row);
    if (unclosed) throw new CsvSyntaxError(`Quote Not Closed: the quoted field in record ${this.rows + 1} (counting the header) is never closed`);
  }

  private emit(row: string[]): void {
    if (!this.crOnly) {
      const lastField = row[row.length - 1];
      if (lastField.charCodeAt(lastField.length - 1) === 13) row[row.length - 1] = lastField.slice(0, -1);
    }
    if (row.length === 1 && row[0] === '') return;
    this.rows++;
    this.onRow(row);
  }
}

/** '\r' when the first line break outside quotes is a lone \r, else '\n'; undefined while that cannot be told yet. */
function lineEnd(text: string, last: boolean): '\n' | '\r' | undefined {
  const next = /["\r\n]/g;
  for (let m = next.exec(text); m; m = next.exec(text)) {
    const i = m.index;
    if (m[0] === '"') {
      // A quoted field (or a stray quote: then up to the next one); a doubled quote reads as two fields.
      const close = text.indexOf('"', i + 1);
      if (close < 0) break;
      next.lastIndex = close + 1;
    } else if (m[0] === '\n') return '\n';
    else if (i + 1 < text.length) return text.charCodeAt(i + 1) === 10 ? '\n' : '\r';
    else break;
  }
  return last ? '\n' : undefined;
}

export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  const p = new CsvParser((r) => rows.push(r));
  p.push(text);
  p.end();
  return rows;
}

/** Reads a CSV file in chunks, row by row; a parse error names the file. */
export function forEachCsvRow(file: string, fn: (row: string[]) => void): void {
  const p = new CsvParser(fn);
  try {
    forEachChunk(file, (chunk) => p.push(chunk));
    p.end();
  } catch (err) {
    // The parser's own errors get the file name; the row callback's pass through as they are.
    if (err instanceof CsvSyntaxError) err.message = `${file}: ${err.message}`;
    throw err;
  }
}

export function csvField(value: string | number | undefined): string {
  const s = value === undefined ? '' : String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const CHUNK_BYTES = 1 << 20;

/** Calls `fn` with a file's bytes in chunks (a file can be larger than a string may be). */
function forEachChunk(file: string, fn: (chunk: Buffer) => void): void {
  const fd = openSync(file, 'r');
  // One buffer for all reads: the parser decodes each chunk before the next read (the decoder keeps
  // the bytes of a character cut at the end).
  const buf = Buffer.allocUnsafe(CHUNK_BYTES);
  try {
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      fn(buf.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
}
