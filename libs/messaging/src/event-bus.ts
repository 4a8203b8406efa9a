import { Logger } from '@nestjs/common';
import {
  AckPolicy,
  connect,
  DeliverPolicy,
  headers as natsHeaders,
  JetStreamClient,
  JetStreamManager,
  JsMsg,
  JSONCodec,
  NatsConnection,
  nanos,
  RetentionPolicy,
  StorageType,
} from 'nats';
import { EVENT_STREAMS } from '@opsplane/contracts';
import { AppError } from '@opsplane/errors';
import { natsReconnectOptions } from './transport';

export interface OutgoingEvent {
  id: string;
  subject: string;
  payload: unknown;
  headers: Record<string, string>;
}

export interface IncomingEvent {
  id: string;
  subject: string;
  payload: unknown;
  headers: Record<string, string>;
}

/** Durable domain events. JetStream in production; an in-memory bus in the all-in-one process. */
export interface EventBus {
  publish(event: OutgoingEvent): Promise<void>;
  /**
   * A durable, at-least-once subscription; `handler` must be idempotent (see Inbox). It receives
   * the events in order, several at once when several are waiting (at most `MAX_BATCH`); when it
   * throws for several, each is handed over again alone, so one bad event cannot hold up the others.
   */
  subscribe(durable: string, subjects: string[], handler: EventBatchHandler): Promise<void>;
  /** Calls `listener` each time the bus is reachable again after a loss (e.g. to publish what waited). */
  onReconnect(listener: () => void): void;
  close(): Promise<void>;
}

export type EventBatchHandler = (events: IncomingEvent[]) => Promise<void>;

/** How long a publish waits for JetStream's ack (a stored message is acked in milliseconds). */
export const PUBLISH_ACK_TIMEOUT_MS = 1000;

/** The most events a handler receives at once. */
export const MAX_BATCH = 100;

const codec = JSONCodec();

/** Resolves after the microtasks queued now (a message already received resolves before it), or after `ms`. */
const after = (ms = 0) => new Promise<null>((r) => (ms ? setTimeout(() => r(null), ms) : setImmediate(() => r(null))));

/**
 * How long a batch waits for more events once those already received are in (as Kafka's linger):
 * under load, events arriving a few at a time are handled together, at the cost of this delay.
 */
export const BATCH_LINGER_MS = 5;

export class JetStreamEventBus implements EventBus {
  private readonly logger = new Logger(JetStreamEventBus.name);
  private js!: JetStreamClient;
  private jsm!: JetStreamManager;
  private nc!: NatsConnection;
  private stopped = false;
  private readonly reconnectListeners: (() => void)[] = [];

  constructor(private readonly url: string) {}

  async connect(): Promise<this> {
    this.nc = await connect({ servers: this.url.split(','), name: 'opsplane-events', ...natsReconnectOptions() });
    this.jsm = await this.nc.jetstreamManager();
    this.js = this.nc.jetstream();
    await this.ensureStreams();
    void this.watchStatus();
    return this;
  }

  onReconnect(listener: () => void): void {
    this.reconnectListeners.push(listener);
  }

  private async watchStatus(): Promise<void> {
    for await (const s of this.nc.status()) {
      if (s.type === 'disconnect') this.logger.warn('NATS connection lost; reconnecting');
      if (s.type === 'reconnect') {
        this.logger.log('NATS connection back');
        // A NATS server that lost its store comes back without the streams.
        await this.ensureStreams().catch((e: unknown) => this.logger.warn(`cannot re-create the event streams yet: ${String(e)}`));
        for (const l of this.reconnectListeners) l();
      }
    }
  }

  /** Creates the streams that do not exist yet (idempotent; safe across replicas). */
  async ensureStreams(): Promise<void> {
    for (const [name, subjects] of Object.entries(EVENT_STREAMS)) {
      try {
        await this.jsm.streams.info(name);
      } catch {
        try {
          await this.jsm.streams.add({
            name,
            subjects,
            storage: StorageType.File,
            retention: RetentionPolicy.Limits,
            max_age: nanos(7 * 24 * 3600 * 1000),
            duplicate_window: nanos(10 * 60 * 1000),
          });
        } catch (e) {
          if (!/already in use|exists/i.test(String(e))) throw e;
        }
      }
    }
  }

  connection(): NatsConnection {
    return this.nc;
  }

  async publish(event: OutgoingEvent): Promise<void> {
    const h = natsHeaders();
    for (const [k, v] of Object.entries(event.headers)) h.set(k, v);
    // Nats-Msg-Id: JetStream drops a second publish of the same outbox row within the window, so a
    // short ack timeout is safe: a publish caught by a server restart (its ack never comes) is retried
    // within about a second instead of holding the relay, and the events behind it, for longer.
    await this.js.publish(event.subject, codec.encode(event.payload), { msgID: event.id, headers: h, timeout: PUBLISH_ACK_TIMEOUT_MS });
  }

  async subscribe(durable: string, subjects: string[], handler: EventBatchHandler): Promise<void> {
    const stream = await this.jsm.streams.find(subjects[0]);
    try {
      await this.jsm.consumers.info(stream, durable);
    } catch {
      await this.jsm.consumers.add(stream, {
        durable_name: durable,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        // One subject: filter_subject (every server version); several: filter_subjects (2.10+).
        ...(subjects.length === 1 ? { filter_subject: subjects[0] } : { filter_subjects: subjects }),
        max_deliver: 20,
        ack_wait: nanos(30_000),
      });
    }
    const consumer = await this.js.consumers.get(stream, durable);
    void (async () => {
      while (!this.stopped) {
        try {
          const messages = await consumer.consume({ max_messages: MAX_BATCH });
          const it = messages[Symbol.asyncIterator]();
          // A next() that did not resolve in time for one batch is the first of the next batch.
          let waiting: Promise<IteratorResult<JsMsg>> | null = null;
          const next = () => (waiting ??= it.next());
          for (;;) {
            const first = await next();
            waiting = null;
            if (first.done || this.stopped) break;
            const batch = [first.value];
            // The messages already received join the batch, then those arriving within the linger.
            const until = Date.now() + BATCH_LINGER_MS;
            while (batch.length < MAX_BATCH) {
              const left = until - Date.now();
              const r = await Promise.race([next(), after(left > 0 ? left : 0)]);
              if (r === null || r.done) break;
              waiting = null;
              batch.push(r.value);
            }
            await this.handle(batch, handler);
          }
        } catch (e) {
          if (!this.stopped) this.logger.warn(`consumer ${durable}: ${String(e)}; retrying`);
          await new Promise((r) => setTimeout(r, 1000));
        }
      }
    })();
  }

  private incoming(m: JsMsg): IncomingEvent {
    const headers: Record<string, string> = {};
    for (const [k] of m.headers ?? []) headers[k] = m.headers!.get(k);
    return { id: headers['Nats-Msg-Id'] ?? `${m.info.stream}:${m.seq}`, subject: m.subject, payload: codec.decode(m.data), headers };
  }

  private async handle(batch: JsMsg[], handler: EventBatchHandler): Promise<void> {
    if (batch.length > 1) {
      try {
        await handler(batch.map((m) => this.incoming(m)));
        for (const m of batch) m.ack();
        return;
      } catch {
        // One of them failed: each alone, so the others are not held up by it.
      }
      for (const m of batch) await this.handle([m], handler);
      return;
    }
    const [m] = batch;
    try {
      await handler([this.incoming(m)]);
      m.ack();
    } catch (e) {
      // The tenant has been deleted since: there is nothing to apply the event to, ever.
      if (e instanceof AppError && e.details?.tenant_gone === true) {
        m.ack();
        return;
      }
      this.logger.warn(`event ${m.subject} #${m.seq} failed (${String(e)}); will be redelivered`);
      m.nak(2000);
    }
  }

  async close(): Promise<void> {
    this.stopped = true;
    await this.nc?.drain().catch(() => undefined);
  }
}

/** In-process events for the all-in-one process: same contract, delivered asynchronously. */
export class InMemoryEventBus implements EventBus {
  private readonly subs: { subjects: string[]; handler: EventBatchHandler; queue: IncomingEvent[]; draining: boolean }[] = [];
  private readonly seen = new Set<string>();
  private readonly logger = new Logger(InMemoryEventBus.name);

  /**
   * Each subscriber gets its own copy of the event (as from a broker), in order, after the publisher's turn; events
   * waiting together are handed over together (at most MAX_BATCH), and a batch that fails is handed over event by
   * event, as the JetStream bus does. (Nothing is kept across restarts: the all-in-one process's bus is not durable.)
   */
  async publish(event: OutgoingEvent): Promise<void> {
    if (this.seen.has(event.id)) return;
    this.seen.add(event.id);
    if (this.seen.size > 100_000) this.seen.delete(this.seen.values().next().value as string);
    let text: string | undefined;
    for (const s of this.subs) {
      if (!s.subjects.some((p) => subjectMatches(p, event.subject))) continue;
      s.queue.push(JSON.parse((text ??= JSON.stringify(event))) as IncomingEvent);
      if (!s.draining) {
        s.draining = true;
        setImmediate(() => void this.drain(s));
      }
    }
  }

  private async drain(s: (typeof this.subs)[number]): Promise<void> {
    while (s.queue.length) {
      const batch = s.queue.splice(0, MAX_BATCH);
      try {
        await s.handler(batch);
      } catch (e) {
        if (batch.length === 1) this.logger.warn(`${batch[0].subject}: ${String(e)}`);
        else for (const one of batch) await s.handler([one]).catch((err) => this.logger.warn(`${one.subject}: ${String(err)}`));
      }
    }
    s.draining = false;
  }

  async subscribe(_durable: string, subjects: string[], handler: EventBatchHandler): Promise<void> {
    this.subs.push({ subjects, handler, queue: [], draining: false });
  }

  onReconnect(): void {
    // Never disconnected.
  }

  async close(): Promise<void> {}
}

/** NATS subject matching with `*` (one token) and `>` (the rest). */
export function subjectMatches(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return s.length > i;
    if (i >= s.length || (p[i] !== '*' && p[i] !== s[i])) return false;
  }
  return p.length === s.length;
}
