import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { TenantTx } from '@opsplane/db';

/** A value in COPY's text format: NULL as \N, backslash, tab and line breaks escaped. */
export function copyText(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '\\N';
  // PostgreSQL text cannot hold NUL characters: they are dropped.
  const s = typeof v === 'number' ? String(v) : v.includes('\u0000') ? v.replaceAll('\u0000', '') : v;
  return /[\\\t\n\r]/.test(s) ? s.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r')) : s;
}

/** JSON for a jsonb column: strings without NUL characters (jsonb refuses their \u0000 escape). */
export function jsonText(v: unknown): string {
  const json = JSON.stringify(v);
  return json.includes('\\u0000') ? JSON.stringify(v, (_k, x: unknown) => (typeof x === 'string' ? x.replaceAll('\u0000', '') : x)) : json;
}

/** A bytea in COPY's text format from lowercase hex (or NULL). */
export const copyHex = (hex: string | null | undefined) => (hex ? `\\\\x${hex}` : '\\N');

/**
 * Rows into `table` through COPY: row-level security refuses COPY FROM into a table under a policy, so the rows go
 * into a temporary staging table of the session first (created once per connection, emptied at commit), then
 * `INSERT ... SELECT` moves them, each row checked by the policy as any insert.
 */
export async function copyInto(tx: TenantTx, table: string, columns: { name: string; type: string }[], lines: Iterable<string>, extra: { column: string; value: string }[] = []): Promise<void> {
  const stage = `${table}_stage`;
  await tx.query(`CREATE TEMP TABLE IF NOT EXISTS ${stage} (${columns.map((c) => `${c.name} ${c.type}`).join(', ')}) ON COMMIT DELETE ROWS`);
  const client = (tx.queryRunner as unknown as { databaseConnection: PoolClient }).databaseConnection;
  const stream = client.query(copyFrom(`COPY ${stage} (${columns.map((c) => c.name).join(', ')}) FROM STDIN`));
  await pipeline(Readable.from(chunks(lines)), stream);
  const names = columns.map((c) => c.name);
  await tx.query(`INSERT INTO ${table} (${[...extra.map((e) => e.column), ...names].join(', ')}) SELECT ${[...extra.map((e) => e.value), ...names].join(', ')} FROM ${stage}`);
  // Emptied now, not only at commit: a second copy into the same table in this transaction must not move these again.
  await tx.query(`TRUNCATE ${stage}`);
}

/** Lines joined into chunks of about 64 KiB (one write per chunk, not per row). */
function* chunks(lines: Iterable<string>): Generator<string> {
  let buf = '';
  for (const line of lines) {
    buf += line;
    if (buf.length >= 65536) {
      yield buf;
      buf = '';
    }
  }
  if (buf) yield buf;
}
