import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AuditEntryRecordedV1, DomainEvent, EventSubject } from '@opsplane/contracts';
import type { EventBus } from '@opsplane/messaging';
import { currentTraceparent, traceIdOf } from '@opsplane/observability';
import { expireIdempotencyKeys } from './idempotency';
import { TenantId } from './tenant-db';

/** An event to write to the outbox. */
export interface OutboxEntry {
  subject: EventSubject;
  data: unknown;
  actorId: string | null;
  audit?: AuditEntryRecordedV1[];
}

/**
 * Writes domain events into the outbox inside the caller's (tenant) transaction: they exist if and only if
 * the change committed. Many at once go in multi-row statements (an import's thousands of events are a few
 * statements, not thousands), each row a microsecond after the one before, so the relay publishes them in
 * the order they were emitted. Answers the events' ids.
 */
export async function addManyToOutbox(em: EntityManager, schema: string, tenantId: TenantId, entries: OutboxEntry[]): Promise<string[]> {
  const traceparent = currentTraceparent();
  const headers = JSON.stringify({ 'x-tenant-id': tenantId, ...(traceparent ? { traceparent } : {}) });
  const occurredAt = new Date().toISOString();
  const ids: string[] = [];
  for (let i = 0; i < entries.length; i += 1000) {
    const params: unknown[] = [tenantId, headers];
    const rows = entries.slice(i, i + 1000).map((e, k) => {
      const id = randomUUID();
      ids.push(id);
      const event: DomainEvent<unknown> = {
        event_id: id,
        event_type: e.subject,
        tenant_id: tenantId,
        occurred_at: occurredAt,
        actor_id: e.actorId,
        trace_id: traceIdOf(traceparent),
        data: e.data,
        ...(e.audit?.length ? { audit: e.audit } : {}),
      };
      return `($${params.push(id)}, $1, $${params.push(e.subject)}, $${params.push(JSON.stringify(event))}, $2, clock_timestamp() + ${k} * interval '1 microsecond')`;
    });
    await em.query(`INSERT INTO "${schema}"."outbox" (id, tenant_id, subject, payload, headers, created_at) VALUES ${rows.join(', ')}`, params);
  }
  return ids;
}

/** Writes one domain event into the outbox inside the caller's (tenant) transaction (see addManyToOutbox). */
export async function addToOutbox<T>(
  em: EntityManager,
  schema: string,
  tenantId: TenantId,
  subject: EventSubject,
  data: T,
  actorId: string | null,
  audit?: AuditEntryRecordedV1[],
): Promise<string> {
  const [id] = await addManyToOutbox(em, schema, tenantId, [{ subject, data, actorId, audit }]);
  return id;
}

interface OutboxRow {
  id: string;
  subject: string;
  payload: unknown;
  headers: Record<string, string>;
}

export interface OutboxRelayOptions {
  schema: string;
  pollMs?: number;
  batchSize?: number;
  /** Published rows are kept this long for inspection, then purged. */
  retentionMs?: number;
  /** How often it looks from the start of the outbox (default FROM_START_MS). */
  fromStartMs?: number;
}

/** How often the relay looks for waiting rows from the start of the outbox (see OutboxRelay.cursor). */
const FROM_START_MS = 30_000;
/** How far before the newest row seen a short batch's successor looks (a unit of work is far shorter). */
const LATE_WINDOW_S = 10;

/** While publishing fails, commits wake the relay at most this often. */
const MIN_RETRY_MS = 250;

/**
 * Publishes committed outbox rows to the event bus, in order, with the row id as the message
 * id (JetStream drops a duplicate within its window). Several replicas may run: rows are taken
 * with SKIP LOCKED. When publishing fails (NATS down, stream missing) the row stays pending and
 * is retried with backoff, so every committed change is delivered once the bus is back.
 */
export class OutboxRelay {
  private readonly log: Logger;
  private timer?: NodeJS.Timeout;
  private running = false;
  private again = false;
  private stopped = true;
  private failures = 0;
  /**
   * Where the next batch looks (a scan from the start walks again over the index entries of every row published
   * since the last vacuum: under a burst of thousands of events that grows with every batch). After a full batch,
   * strictly after its last row; after a short one, from ten seconds before the newest row seen (a row of a transaction
   * still running then, committed since with an earlier created_at, is found there); and every FROM_START_MS from the
   * beginning, for a row of a transaction that ran longer than that.
   */
  private cursor: { createdAt: string; id: string; strict: boolean } | null = null;
  private lastFromStart = 0;
  private lastPurge = 0;
  private lastAttempt = 0;
  private readonly pollMs: number;
  private readonly batchSize: number;
  private readonly retentionMs: number;

  constructor(
    private readonly ds: DataSource,
    private readonly bus: EventBus,
    private readonly opts: OutboxRelayOptions,
  ) {
    this.log = new Logger(`OutboxRelay:${opts.schema}`);
    this.pollMs = opts.pollMs ?? 500;
    this.batchSize = opts.batchSize ?? 500;
    this.retentionMs = opts.retentionMs ?? 24 * 3600 * 1000;
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    while (this.running) await new Promise((r) => setTimeout(r, 20));
  }

  /**
   * Asks for a prompt run (after a commit), instead of waiting for the next poll, also while
   * backing off after failures: a commit is news that the bus may be back. At most one attempt
   * every MIN_RETRY_MS while failing, so a stream of commits cannot hammer a broken bus.
   */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.schedule(this.failures === 0 ? 0 : Math.max(0, this.lastAttempt + MIN_RETRY_MS - Date.now()));
  }

  /** The bus is reachable again (reconnected): publish what waited now, with the backoff reset. */
  wake(): void {
    this.failures = 0;
    this.kick();
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), ms);
    this.timer.unref?.();
  }

  private async tick(): Promise<void> {
    if (this.running || this.stopped) return;
    this.running = true;
    this.lastAttempt = Date.now();
    let next = this.pollMs;
    try {
      const { published, failed } = await this.relayBatch();
      if (failed) {
        this.failures++;
        next = Math.min(30_000, 250 * 2 ** Math.min(this.failures, 7));
        // A commit (or a reconnection) arrived during this failed attempt: it is news that the bus may
        // be back, so the next try comes after MIN_RETRY_MS, not after the whole backoff.
        if (this.again) next = Math.min(next, MIN_RETRY_MS);
      } else {
        this.failures = 0;
        if (published === this.batchSize || this.again) next = 0;
      }
      await this.purge();
    } catch (e) {
      this.failures++;
      next = Math.min(30_000, 250 * 2 ** Math.min(this.failures, 7));
      if (this.again) next = Math.min(next, MIN_RETRY_MS);
      this.log.warn(`relay error: ${String(e)}`);
    } finally {
      this.again = false;
      this.running = false;
      this.schedule(next);
    }
  }

  /** One batch, in one transaction holding the rows' locks until they are marked. */
  async relayBatch(): Promise<{ published: number; failed: boolean }> {
    const s = this.opts.schema;
    return this.ds.transaction(async (em) => {
      await em.query(`SELECT set_config('app.outbox_relay', 'on', true)`);
      const fromStart = !this.cursor || Date.now() - this.lastFromStart >= (this.opts.fromStartMs ?? FROM_START_MS);
      if (fromStart) this.lastFromStart = Date.now();
      const after = fromStart ? null : this.cursor;
      const rows: (OutboxRow & { at: string })[] = await em.query(
        `SELECT id, subject, payload, headers, created_at::text AS at FROM "${s}"."outbox"
          WHERE published_at IS NULL ${!after ? '' : after.strict ? `AND (created_at, id) > ($2::timestamptz, $3::uuid)` : `AND created_at >= $2::timestamptz - interval '${LATE_WINDOW_S} seconds'`}
          ORDER BY created_at, id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        !after ? [this.batchSize] : after.strict ? [this.batchSize, after.createdAt, after.id] : [this.batchSize, after.createdAt],
      );
      const last = rows[rows.length - 1];
      if (last) this.cursor = { createdAt: last.at, id: last.id, strict: rows.length === this.batchSize };
      else if (this.cursor) this.cursor = { ...this.cursor, strict: false };
      else {
        // Nothing waiting at all: from now on, look from shortly before the database clock.
        const [{ at }] = (await em.query(`SELECT now()::text AS at`)) as { at: string }[];
        this.cursor = { createdAt: at, id: '00000000-0000-0000-0000-000000000000', strict: false };
      }
      // Sent in order on one connection without waiting for each acknowledgement (JetStream stores them in the
      // order it receives them); the rows up to the first refusal are marked. Those after it are sent again with
      // it (the same Nats-Msg-Id: JetStream drops a copy it stored within its duplicate window, and consumers'
      // inboxes drop any other), so a failure can reorder only the messages it delayed.
      const outcomes = await Promise.allSettled(rows.map((row) => this.bus.publish({ id: row.id, subject: row.subject, payload: row.payload, headers: row.headers })));
      const done: string[] = [];
      let failed = false;
      for (const [i, row] of rows.entries()) {
        const o = outcomes[i];
        if (o.status === 'fulfilled') {
          done.push(row.id);
          continue;
        }
        failed = true;
        await em.query(`UPDATE "${s}"."outbox" SET attempts = attempts + 1, last_error = $2 WHERE id = $1`, [row.id, String(o.reason).slice(0, 1000)]);
        if (this.failures % 20 === 0) this.log.warn(`publish of ${row.subject} ${row.id} failed: ${String(o.reason)}; will retry`);
        this.cursor = null; // the failed row goes first next time
        break; // later rows go again with this one
      }
      if (done.length) await em.query(`UPDATE "${s}"."outbox" SET published_at = now() WHERE id = ANY($1::uuid[])`, [done]);
      return { published: done.length, failed };
    });
  }

  private async purge(): Promise<void> {
    if (Date.now() - this.lastPurge < 10 * 60 * 1000) return;
    this.lastPurge = Date.now();
    await this.ds.transaction(async (em) => {
      await em.query(`SELECT set_config('app.outbox_relay', 'on', true)`);
      await em.query(`DELETE FROM "${this.opts.schema}"."outbox" WHERE published_at < now() - ($1::text || ' milliseconds')::interval`, [
        String(this.retentionMs),
      ]);
      await expireIdempotencyKeys(em, this.opts.schema);
    });
  }
}

/**
 * Idempotent consumption: records (consumer, message id) in the inbox in the same transaction as the
 * consumer's work, for several messages in one statement. Returns the ids not processed before.
 */
export async function claimInboxMany(em: EntityManager, schema: string, tenantId: TenantId, consumer: string, messageIds: string[]): Promise<Set<string>> {
  const rows: { message_id: string }[] = await em.query(
    `INSERT INTO "${schema}"."inbox" (message_id, consumer, tenant_id) SELECT unnest($1::text[]), $2, $3 ON CONFLICT DO NOTHING RETURNING message_id`,
    [messageIds, consumer, tenantId],
  );
  return new Set(rows.map((r) => r.message_id));
}
