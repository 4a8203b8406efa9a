import { AppError } from '@opsplane/errors';

/** Where DATABASE_URL points, without its password. */
function databaseTarget(raw: string | undefined): string {
  if (!raw) return 'the embedded PostgreSQL of `npm start`';
  try {
    const u = new URL(raw);
    return `PostgreSQL at ${u.hostname}:${u.port || 5432}${u.pathname} (DATABASE_URL)`;
  } catch {
    return 'the PostgreSQL named by DATABASE_URL (which is not a valid URL)';
  }
}

/** A failure as one sentence a person can act on: what failed and what to do about it. */
export function describeFailure(e: unknown, databaseUrl = process.env.DATABASE_URL): string {
  if (e instanceof AppError) return `${e.code}: ${e.message}${e.details?.fields ? ' ' + JSON.stringify(e.details.fields) : ''}`;
  const errors = e instanceof AggregateError ? e.errors : [e];
  const first = errors.find((x) => x !== undefined && x !== null) as (Error & { code?: string }) | undefined;
  const code = first?.code;
  const text = first instanceof Error ? first.message : first === undefined ? '' : String(first);
  if (code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ETIMEDOUT' || code === 'ENOTFOUND' || /timeout exceeded when trying to connect/i.test(text)) {
    return (
      `cannot reach ${databaseTarget(databaseUrl)}: ${text || code}. Start PostgreSQL (or \`npm start\`, which runs an embedded one), ` +
      'or point DATABASE_URL at a database that answers.'
    );
  }
  if (code === '28P01' || code === '28000' || code === '3D000' || /password authentication|role .* does not exist|database .* does not exist/i.test(text)) {
    return `${databaseTarget(databaseUrl)} refused the connection: ${text}. Check the user, password and database name in DATABASE_URL.`;
  }
  if (/Invalid configuration/.test(text)) return text;
  return text || 'the command failed without saying why (run with LOG_LEVEL=debug for details)';
}
