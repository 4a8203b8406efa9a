import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { AppError, ErrorCode } from '@opsplane/errors';
import { tenantRlsSql } from './sql';
import { TenantDb, TenantId } from './tenant-db';

/** How long a key is remembered: a retry within this answers the first answer again. */
export const IDEMPOTENCY_TTL_HOURS = 24;

/**
 * The migration statements of a schema's `idempotency_keys` table: tenant-owned with row-level
 * security (`tenant_id`), or, on the control plane, owned by an operator (`owner_id`). Expired
 * keys are deleted by the outbox relay's housekeeping (`app.maintenance`).
 */
export function idempotencyTableSql(schema: string, owner: 'tenant_id' | 'owner_id' = 'tenant_id'): string[] {
  const t = `"${schema}"."idempotency_keys"`;
  return [
    `CREATE TABLE ${t} (
      ${owner} uuid NOT NULL,
      key_hash text NOT NULL,
      request_hash text NOT NULL,
      response text,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (${owner}, key_hash)
    )`,
    `CREATE INDEX idempotency_keys_created_idx ON ${t} (created_at)`,
    ...(owner === 'tenant_id'
      ? [
          ...tenantRlsSql(schema, 'idempotency_keys'),
          `CREATE POLICY expiry ON ${t} FOR DELETE USING (current_setting('app.maintenance', true) = 'on')`,
        ]
      : []),
  ];
}

/** Deletes the keys older than the TTL (run now and then by the outbox relay). */
export async function expireIdempotencyKeys(em: EntityManager, schema: string): Promise<void> {
  const [{ present }] = (await em.query(`SELECT to_regclass($1) IS NOT NULL AS present`, [`"${schema}"."idempotency_keys"`])) as { present: boolean }[];
  if (!present) return;
  await em.query(`SELECT set_config('app.maintenance', 'on', true)`);
  await em.query(`DELETE FROM "${schema}"."idempotency_keys" WHERE created_at < now() - interval '${IDEMPOTENCY_TTL_HOURS} hours'`);
}

/** Sorted keys, so that the same body written in another order is the same request. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('base64url');

/**
 * Stored answers may hold secrets shown once (a new API token, an invitation token), so they are
 * sealed (AES-256-GCM) with a key derived from the Idempotency-Key itself, which is stored only
 * as a hash: a copy of the database alone reveals none of them.
 */
function keyFor(rawKey: string, owner: string): Buffer {
  return Buffer.from(hkdfSync('sha256', rawKey, owner, 'opsplane-idempotency-v1', 32));
}
function seal(value: unknown, rawKey: string, owner: string): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', keyFor(rawKey, owner), iv);
  const body = Buffer.concat([c.update(JSON.stringify(value ?? null), 'utf8'), c.final()]);
  return Buffer.concat([iv, c.getAuthTag(), body]).toString('base64url');
}
function unseal<T>(sealed: string, rawKey: string, owner: string): T {
  const buf = Buffer.from(sealed, 'base64url');
  const d = createDecipheriv('aes-256-gcm', keyFor(rawKey, owner), buf.subarray(0, 12));
  d.setAuthTag(buf.subarray(12, 28));
  return JSON.parse(Buffer.concat([d.update(buf.subarray(28)), d.final()]).toString('utf8')) as T;
}

/** Thrown inside a unit of work to roll it back and answer the answer recorded by an identical request instead. */
class Replayed<T> extends Error {
  constructor(readonly value: T) {
    super('replayed');
  }
}

const keyReused = () =>
  new AppError(ErrorCode.CONFLICT, 'This Idempotency-Key was already used with a different request (another body or route); use a new key for a new request');
const inProgress = () => new AppError(ErrorCode.CONFLICT, 'A request with this Idempotency-Key is still being processed; retry in a moment');

interface Row {
  request_hash: string;
  response: string | null;
}

/**
 * `Idempotency-Key` for creates: the same key and request within 24 h answers the first answer
 * again and writes nothing; the same key with another request is 409 CONFLICT. Keys belong to a
 * tenant (or, on the control plane, to an operator) and are remembered with the answer in the
 * service's own schema, written in the create's own transaction, so a create that committed
 * always has its answer recorded (a client whose wait timed out can retry safely).
 */
export class Idempotency {
  private readonly keyHash: string;
  private readonly requestHash: string;

  constructor(
    private readonly schema: string,
    private readonly owner: string,
    private readonly rawKey: string,
    scope: string,
    request: unknown,
    private readonly ownerColumn: 'tenant_id' | 'owner_id' = 'tenant_id',
  ) {
    this.keyHash = sha256(rawKey);
    this.requestHash = sha256(`${scope}\n${canonical(request)}`);
  }

  private get table() {
    return `"${this.schema}"."idempotency_keys"`;
  }

  /** The answer recorded for this key, or undefined; 409 for the key used with another request (or still in progress). */
  async lookup<T>(em: EntityManager): Promise<{ value: T } | undefined> {
    const rows = (await em.query(
      `SELECT request_hash, response FROM ${this.table} WHERE ${this.ownerColumn} = $1 AND key_hash = $2 AND created_at > now() - interval '${IDEMPOTENCY_TTL_HOURS} hours'`,
      [this.owner, this.keyHash],
    )) as Row[];
    return this.answerOf<T>(rows[0]);
  }

  private answerOf<T>(row: Row | undefined): { value: T } | undefined {
    if (!row) return undefined;
    if (row.request_hash !== this.requestHash) throw keyReused();
    if (row.response === null) throw inProgress();
    return { value: unseal<T>(row.response, this.rawKey, this.owner) };
  }

  /**
   * Records the answer in the unit of work's transaction. When an identical request committed
   * first (a concurrent retry), this one is rolled back and answers that one's answer.
   */
  async record(em: EntityManager, value: unknown): Promise<void> {
    const inserted = (await em.query(
      `INSERT INTO ${this.table} (${this.ownerColumn}, key_hash, request_hash, response, created_at) VALUES ($1, $2, $3, $4, now())
       ON CONFLICT (${this.ownerColumn}, key_hash) DO UPDATE SET request_hash = EXCLUDED.request_hash, response = EXCLUDED.response, created_at = EXCLUDED.created_at
       WHERE "idempotency_keys".created_at <= now() - interval '${IDEMPOTENCY_TTL_HOURS} hours'
       RETURNING key_hash`,
      [this.owner, this.keyHash, this.requestHash, seal(value, this.rawKey, this.owner)],
    )) as unknown[];
    if (inserted.length) return;
    const rows = (await em.query(`SELECT request_hash, response FROM ${this.table} WHERE ${this.ownerColumn} = $1 AND key_hash = $2`, [this.owner, this.keyHash])) as Row[];
    throw new Replayed(this.answerOf(rows[0])!.value);
  }

  /** For a create of several transactions: holds the key (in progress) before the first one commits. */
  async claim(em: EntityManager): Promise<void> {
    const inserted = (await em.query(
      `INSERT INTO ${this.table} (${this.ownerColumn}, key_hash, request_hash, response, created_at) VALUES ($1, $2, $3, NULL, now())
       ON CONFLICT (${this.ownerColumn}, key_hash) DO UPDATE SET request_hash = EXCLUDED.request_hash, response = NULL, created_at = EXCLUDED.created_at
       WHERE "idempotency_keys".created_at <= now() - interval '${IDEMPOTENCY_TTL_HOURS} hours'
          OR ("idempotency_keys".response IS NULL AND "idempotency_keys".created_at <= now() - interval '10 minutes')
       RETURNING key_hash`,
      [this.owner, this.keyHash, this.requestHash],
    )) as unknown[];
    if (!inserted.length) {
      const rows = (await em.query(`SELECT request_hash, response FROM ${this.table} WHERE ${this.ownerColumn} = $1 AND key_hash = $2`, [this.owner, this.keyHash])) as Row[];
      throw new Replayed(this.answerOf(rows[0])!.value);
    }
  }

  /** Completes a claim with the answer. */
  async complete(em: EntityManager, value: unknown): Promise<void> {
    await em.query(`UPDATE ${this.table} SET response = $3 WHERE ${this.ownerColumn} = $1 AND key_hash = $2`, [this.owner, this.keyHash, seal(value, this.rawKey, this.owner)]);
  }

  /** Gives a claim up (the create failed): a retry may go ahead. */
  async release(em: EntityManager): Promise<void> {
    await em.query(`DELETE FROM ${this.table} WHERE ${this.ownerColumn} = $1 AND key_hash = $2 AND response IS NULL`, [this.owner, this.keyHash]);
  }

  /** Runs `work`, answering with a recorded (or concurrently recorded) answer instead when there is one. */
  static async unwrap<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (e) {
      if (e instanceof Replayed) return e.value as T;
      throw e;
    }
  }
}

/**
 * A tenant-plane create made safe to retry: with no key, `work` runs as it is; with one, an
 * earlier answer for the same request is returned without running it, and otherwise `work`
 * runs and must call `record(em, answer)` in its transaction.
 */
export async function idempotentCreate<T>(
  db: TenantDb,
  tenant: TenantId,
  key: string | undefined,
  scope: string,
  request: unknown,
  work: (record: (em: EntityManager, answer: T) => Promise<void>) => Promise<T>,
): Promise<T> {
  if (!key) return work(async () => undefined);
  const idem = new Idempotency(db.schema, tenant, key, scope, request);
  const earlier = await db.run(tenant, (em) => idem.lookup<T>(em));
  if (earlier) return earlier.value;
  return Idempotency.unwrap(() => work((em, answer) => idem.record(em, answer)));
}
