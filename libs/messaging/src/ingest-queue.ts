import { Logger } from '@nestjs/common';
import { AckPolicy, connect, DeliverPolicy, DiscardPolicy, headers as natsHeaders, JetStreamClient, JetStreamManager, JsMsg, NatsConnection, nanos, RetentionPolicy, StorageType } from 'nats';
import { natsReconnectOptions } from './transport';

/**
 * The telemetry ingest queue: what the gateway accepted (OTLP, remote_write), stored before it is answered and
 * written to the database by the telemetry service in batches. JetStream in production (a work-queue stream: a
 * message is removed once written); an in-memory queue in the all-in-one process.
 */
export interface IngestMessage {
  /** Unique per stored message (the publisher's id: a second publish of it within two minutes is dropped). */
  id: string;
  tenantId: string;
  /** What the data is: `logs`, `traces`, `metrics` (OTLP protobuf requests), `prom` (remote_write series). */
  kind: string;
  data: Uint8Array;
  /** When the gateway received it (ms since the epoch). */
  receivedAt: number;
}

export type IngestHandler = (batch: IngestMessage[]) => Promise<void>;

export interface IngestQueue {
  /** Resolves once the message is stored; rejects with IngestUnavailableError when it cannot be now (retry later). */
  append(msg: IngestMessage): Promise<void>;
  /** Hands stored messages to `handler` in batches until closed; a batch that throws is handed over again later. */
  consume(durable: string, handler: IngestHandler, opts?: { maxBatch?: number; concurrency?: number }): Promise<void>;
  close(): Promise<void>;
}

/** The queue cannot take data now (full, or its store unreachable): the client should retry after `retryAfterS`. */
export class IngestUnavailableError extends Error {
  constructor(
    message: string,
    readonly retryAfterS = 5,
  ) {
    super(message);
  }
}

export const INGEST_STREAM = 'TELEMETRY_INGEST';
export const INGEST_SUBJECT_PREFIX = 'telemetry.ingest';
/** The largest message the queue is given (NATS servers take 1 MiB payloads by default): bigger batches are split first. */
export const INGEST_MAX_MESSAGE_BYTES = 900 * 1024;
/** How many times a queued message is handed to the writer before it is given up (a message that can never be written). */
export const INGEST_MAX_DELIVERIES = 10;
/** How long the writer waits for more queued messages to join a batch once some are in. */
export const INGEST_LINGER_MS = 20;

/** Resolves after the microtasks queued now, or after `ms`. */
const after = (ms = 0) => new Promise<null>((r) => (ms ? setTimeout(() => r(null), ms) : setImmediate(() => r(null))));

export interface JetStreamIngestOptions {
  /** The stream's size limit: past it, appends are refused (back-pressure) rather than old data dropped. */
  maxBytes: number;
  /** How long a stored message may wait to be written before JetStream drops it. */
  maxAgeMs: number;
  /** The writer (telemetry service) owns the stream's limits; publishers only create it when missing. */
  owner?: boolean;
}

/** The ingest queue of this process: JetStream when `natsUrl` is given, else the all-in-one process's own. */
export async function openIngestQueue(natsUrl: string | undefined, name: string, opts: JetStreamIngestOptions = { maxBytes: 2 * 1024 ** 3, maxAgeMs: 7 * 86_400_000 }): Promise<IngestQueue> {
  if (!natsUrl) return InMemoryIngestQueue.process();
  return new JetStreamIngestQueue(natsUrl, opts).connect(name);
}

export class JetStreamIngestQueue implements IngestQueue {
  private readonly logger = new Logger('IngestQueue');
  private nc!: NatsConnection;
  private js!: JetStreamClient;
  private jsm!: JetStreamManager;
  private stopped = false;
  private readonly loops: Promise<void>[] = [];
  private readonly active: { stop(): void }[] = [];

  constructor(
    private readonly url: string,
    private readonly opts: JetStreamIngestOptions,
  ) {}

  async connect(name: string): Promise<this> {
    this.nc = await connect({ servers: this.url.split(','), name, ...natsReconnectOptions() });
    this.jsm = await this.nc.jetstreamManager();
    this.js = this.nc.jetstream();
    await this.ensureStream();
    void (async () => {
      for await (const s of this.nc.status()) {
        if (s.type === 'reconnect') await this.ensureStream().catch((e: unknown) => this.logger.warn(`cannot re-create the ingest stream yet: ${String(e)}`));
      }
    })();
    return this;
  }

  private async ensureStream(): Promise<void> {
    const config = {
      name: INGEST_STREAM,
      subjects: [`${INGEST_SUBJECT_PREFIX}.>`],
      storage: StorageType.File,
      retention: RetentionPolicy.Workqueue,
      discard: DiscardPolicy.New,
      max_bytes: this.opts.maxBytes,
      max_age: nanos(this.opts.maxAgeMs),
      duplicate_window: nanos(120_000),
    };
    try {
      const info = await this.jsm.streams.info(INGEST_STREAM);
      // The writer's settings win (the gateway only makes sure the stream exists).
      if (this.opts.owner && (info.config.max_bytes !== config.max_bytes || info.config.max_age !== config.max_age)) {
        await this.jsm.streams.update(INGEST_STREAM, { ...info.config, max_bytes: config.max_bytes, max_age: config.max_age });
      }
    } catch {
      try {
        await this.jsm.streams.add(config);
      } catch (e) {
        if (!/already in use|exists/i.test(String(e))) throw e;
      }
    }
  }

  async append(msg: IngestMessage): Promise<void> {
    const h = natsHeaders();
    h.set('Opsplane-Tenant', msg.tenantId);
    h.set('Opsplane-Received-At', String(msg.receivedAt));
    try {
      await this.js.publish(`${INGEST_SUBJECT_PREFIX}.${msg.kind}`, msg.data, { msgID: msg.id, headers: h, timeout: 5000 });
    } catch (e) {
      const text = String(e);
      if (/maximum (bytes|messages)|insufficient resources|resources exceeded/i.test(text)) throw new IngestUnavailableError('The ingest queue is full: retry later', 10);
      throw new IngestUnavailableError(`The ingest queue is unreachable: retry later (${text.slice(0, 120)})`, 5);
    }
  }

  async consume(durable: string, handler: IngestHandler, opts: { maxBatch?: number; concurrency?: number } = {}): Promise<void> {
    const maxBatch = opts.maxBatch ?? 64;
    try {
      await this.jsm.consumers.info(INGEST_STREAM, durable);
    } catch {
      await this.jsm.consumers.add(INGEST_STREAM, {
        durable_name: durable,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        ack_wait: nanos(60_000),
        max_ack_pending: maxBatch * 8,
      });
    }
    const consumer = await this.js.consumers.get(INGEST_STREAM, durable);
    const concurrency = opts.concurrency ?? 1;
    const inFlight = new Set<Promise<void>>();
    const loop = (async () => {
      while (!this.stopped) {
        try {
          const messages = await consumer.consume({ max_messages: maxBatch * (concurrency + 1) });
          this.active.push(messages);
          const it = messages[Symbol.asyncIterator]();
          // A next() that did not resolve in time for one batch is the first of the next batch.
          let waiting: Promise<IteratorResult<JsMsg>> | null = null;
          const next = () => (waiting ??= it.next());
          for (;;) {
            const first = await next();
            waiting = null;
            if (first.done || this.stopped) break;
            const msgs = [first.value];
            // What has arrived joins the batch, and what arrives within the linger.
            const until = Date.now() + INGEST_LINGER_MS;
            while (msgs.length < maxBatch) {
              const left = until - Date.now();
              const r = await Promise.race([next(), after(left > 0 ? left : 0)]);
              if (r === null || r.done) break;
              waiting = null;
              msgs.push(r.value);
            }
            // Up to `concurrency` batches are written at once (decoding overlaps the database's work).
            while (inFlight.size >= concurrency) await Promise.race(inFlight);
            const done = this.handle(msgs, handler);
            inFlight.add(done);
            void done.finally(() => inFlight.delete(done));
          }
          await Promise.all(inFlight);
        } catch (e) {
          if (this.stopped) break;
          this.logger.warn(`ingest consumer ${durable}: ${String(e)}; retrying`);
          await new Promise((r) => setTimeout(r, 1000));
        }
      }
    })();
    this.loops.push(loop);
  }

  /**
   * A batch written, or else each of its messages alone (one that cannot be written must not hold up the others);
   * a message that still fails after INGEST_MAX_DELIVERIES is dropped, with an error logged.
   */
  private async handle(msgs: JsMsg[], handler: IngestHandler): Promise<void> {
    try {
      await handler(msgs.map(incoming));
      for (const m of msgs) m.ack();
      return;
    } catch (e) {
      if (msgs.length > 1) {
        for (const m of msgs) await this.handle([m], handler);
        return;
      }
      const [m] = msgs;
      if (m.info.redeliveryCount >= INGEST_MAX_DELIVERIES) {
        this.logger.error(`ingest message ${m.subject} #${m.seq} dropped after ${m.info.redeliveryCount} attempts: ${String(e)}`);
        m.term();
      } else {
        this.logger.warn(`ingest message ${m.subject} #${m.seq} failed (${String(e)}); handed over again in 2 s`);
        m.nak(2000);
      }
    }
  }

  async close(): Promise<void> {
    this.stopped = true;
    for (const m of this.active) m.stop();
    await Promise.all(this.loops);
    await this.nc?.drain().catch(() => undefined);
  }
}

function incoming(m: JsMsg): IngestMessage {
  return {
    id: m.headers?.get('Nats-Msg-Id') || `${m.info.stream}:${m.seq}`,
    tenantId: m.headers?.get('Opsplane-Tenant') ?? '',
    kind: m.subject.slice(INGEST_SUBJECT_PREFIX.length + 1),
    data: m.data,
    receivedAt: Number(m.headers?.get('Opsplane-Received-At')) || Date.now(),
  };
}

/**
 * The all-in-one process's queue (shared by its gateway and telemetry service): an append resolves once the
 * consumer has written the message (so an answered request is stored in the database); nothing survives a restart.
 * Appends beyond `maxPending` waiting messages are refused, as a full stream refuses them.
 */
export class InMemoryIngestQueue implements IngestQueue {
  private static shared?: InMemoryIngestQueue;
  private readonly waiting: { msg: IngestMessage; done: (e?: Error) => void }[] = [];
  private handler?: { fn: IngestHandler; maxBatch: number };
  private draining = false;

  constructor(private readonly maxPending = 1000) {}

  /** The process's queue. */
  static process(): InMemoryIngestQueue {
    return (this.shared ??= new InMemoryIngestQueue());
  }

  append(msg: IngestMessage): Promise<void> {
    if (this.waiting.length >= this.maxPending) return Promise.reject(new IngestUnavailableError('The ingest queue is full: retry later', 5));
    if (!this.handler) return Promise.reject(new IngestUnavailableError('The telemetry service is not running: retry later', 5));
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ msg, done: (e) => (e ? reject(e) : resolve()) });
      this.kick();
    });
  }

  private kick(): void {
    if (this.draining || !this.handler) return;
    this.draining = true;
    setImmediate(() => void this.drain());
  }

  private async drain(): Promise<void> {
    while (this.waiting.length && this.handler) {
      const batch = this.waiting.splice(0, this.handler.maxBatch);
      try {
        await this.handler.fn(batch.map((b) => b.msg));
        for (const b of batch) b.done();
      } catch (e) {
        for (const b of batch) b.done(new IngestUnavailableError(`Storing telemetry failed: retry later (${String(e).slice(0, 120)})`, 5));
      }
    }
    this.draining = false;
  }

  async consume(_durable: string, handler: IngestHandler, opts: { maxBatch?: number; concurrency?: number } = {}): Promise<void> {
    this.handler = { fn: handler, maxBatch: opts.maxBatch ?? 64 };
    this.kick();
  }

  async close(): Promise<void> {
    this.handler = undefined;
    for (const b of this.waiting.splice(0)) b.done(new IngestUnavailableError('The telemetry service stopped: retry later', 5));
  }
}
