import { ConsumerMessages, DeliverPolicy, JSONCodec, NatsConnection } from 'nats';
import { DomainEvent } from '@opsplane/contracts';

const codec = JSONCodec<DomainEvent<any>>();

export interface Received {
  subject: string;
  event: DomainEvent<any>;
  headers: Record<string, string>;
}

/** Reads a stream's subjects (`filter`) from `from` on into an array (a real JetStream consumer); stop it before closing `nc`. */
export async function collect(nc: NatsConnection, stream: string, filter: string, from = new Date()): Promise<{ events: Received[]; stop: () => void }> {
  const consumer = await nc.jetstream().consumers.get(stream, { filterSubjects: filter, deliver_policy: DeliverPolicy.StartTime, opt_start_time: from.toISOString() });
  const events: Received[] = [];
  const messages: ConsumerMessages = await consumer.consume();
  void (async () => {
    for await (const m of messages) {
      const headers: Record<string, string> = {};
      for (const [k] of m.headers ?? []) headers[k] = m.headers!.get(k);
      events.push({ subject: m.subject, event: codec.decode(m.data), headers });
    }
  })().catch(() => undefined);
  return { events, stop: () => void messages.stop() };
}

/** Polls `fn` every 100 ms until it gives a truthy value (or throws after `ms`). */
export async function waitFor<T>(fn: () => T | undefined | Promise<T | undefined>, what: string, ms = 20000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
