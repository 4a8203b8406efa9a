import { Logger } from '@nestjs/common';
import { DomainEvent, EVENT_PAYLOADS, EVENT_STREAMS, EventPayload, EventSubject } from '@opsplane/contracts';
import { asTenantId, claimInboxMany, TenantId, TenantTx } from '@opsplane/db';
import { parseInput } from '@opsplane/errors';
import { IncomingEvent, subjectMatches } from '@opsplane/messaging';
import { eventsConsumed, inSpanFrom, SpanKind, withLogContext } from '@opsplane/observability';
import { ServiceRuntime } from './service-runtime';

/** An event as a consumer receives it: the envelope, with `data` validated into its subject's class. */
export type ConsumedEvent<S extends EventSubject> = DomainEvent<EventPayload<S>> & { subject: S };

/**
 * A durable consumer of domain events, declared by what it consumes: the kit subscribes it,
 * validates each payload against its subject's class, restores the trace (the request that
 * caused the event, the event and this work are one trace) and the tenant, and runs `handle` in
 * the tenant's unit of work with the message claimed in the inbox: a redelivery does nothing.
 */
export interface ConsumerDefinition<S extends EventSubject = EventSubject> {
  /** Unique within the service; the JetStream durable is `<service>-<name>`. */
  name: string;
  subjects: readonly S[];
  /**
   * Only the events this accepts are handled; the others are acknowledged without a transaction
   * (checked on the envelope, before anything else).
   */
  select?(event: DomainEvent<unknown> & { subject: S }): boolean;
  /** false: `data` is handed over as received (a consumer that reads only the envelope). Default true. */
  validatePayload?: boolean;
  /** One event, in the event's tenant's unit of work (with its own span in the event's trace). */
  handle?(tx: TenantTx, event: ConsumedEvent<S>): Promise<void>;
  /**
   * Instead of `handle`: a tenant's new events of one batch at once, in order (e.g. one multi-row
   * INSERT for all of them); the kit has already claimed them in the inbox.
   */
  handleBatch?(tx: TenantTx, events: ConsumedEvent<S>[]): Promise<void>;
}

/** Declares a consumer (for the inference of its subjects' payload types). */
export function defineConsumer<S extends EventSubject>(c: ConsumerDefinition<S>): ConsumerDefinition<S> {
  return c;
}

/**
 * The stream filters for a set of subjects: per stream that captures some of them, the stream's subjects that do
 * (`incidents.>`; `telemetry.topology.>`, not the area's `telemetry.>`, which the ingest queue's stream overlaps).
 */
export function filtersOf(subjects: readonly string[]): string[][] {
  const byStream = new Map<string, Set<string>>();
  for (const s of subjects) {
    const stream = Object.entries(EVENT_STREAMS).find(([, patterns]) => patterns.some((p) => subjectMatches(p, s)));
    if (!stream) throw new Error(`no event stream captures ${s} (EVENT_STREAMS)`);
    const filters = byStream.get(stream[0]) ?? new Set<string>();
    for (const p of stream[1]) if (subjectMatches(p, s)) filters.add(p);
    byStream.set(stream[0], filters);
  }
  return [...byStream.values()].map((f) => [...f]);
}

interface Accepted<S extends EventSubject> {
  id: string;
  traceparent?: string;
  tenant: TenantId;
  event: ConsumedEvent<S>;
}

export async function startConsumer<S extends EventSubject>(rt: ServiceRuntime, c: ConsumerDefinition<S>): Promise<void> {
  const durable = `${rt.name}-${c.name}`;
  const log = new Logger(`Consumer:${durable}`);
  if (!c.handle === !c.handleBatch) throw new Error(`consumer ${durable}: declare exactly one of handle and handleBatch`);

  /** One event, in its own span in the event's trace (the request that caused it, the event and this work are one trace). */
  const inEventSpan = <T>(a: Accepted<S>, fn: () => Promise<T>) =>
    inSpanFrom(a.traceparent, `consume ${a.event.subject}`, SpanKind.CONSUMER, async (span) => {
      span.setAttribute('opsplane.tenant_id', a.tenant);
      span.setAttribute('messaging.message.id', a.id);
      return fn();
    });

  /**
   * A tenant's events of a batch, in order, in one unit of work, the inbox claimed in one statement
   * (a message twice in a batch counts once). One event: its span encloses the transaction; several:
   * one span for the batch, each event's own span inside it when they are handled one by one.
   */
  const handleTenant = (tenant: TenantId, items: Accepted<S>[]) =>
    withLogContext({ tenant_id: tenant }, () => {
      const work = (single: boolean) =>
        rt.tenantDb.run(tenant, async (tx) => {
          const fresh = await claimInboxMany(tx, rt.schema, tenant, durable, items.map((a) => a.id));
          const todo = items.filter((a) => fresh.delete(a.id));
          if (c.handleBatch) return todo.length ? c.handleBatch(tx, todo.map((a) => a.event)) : undefined;
          for (const a of todo) await (single ? c.handle!(tx, a.event) : inEventSpan(a, () => c.handle!(tx, a.event)));
        });
      if (items.length === 1) return inEventSpan(items[0], () => work(true));
      return inSpanFrom(undefined, `consume ${items.length} events`, SpanKind.CONSUMER, async (span) => {
        span.setAttribute('opsplane.tenant_id', tenant);
        await work(false);
      });
    });

  const handler = async (batch: IncomingEvent[]) => {
    const accepted: Accepted<S>[] = [];
    for (const e of batch) {
      if (!(c.subjects as readonly string[]).includes(e.subject)) continue;
      const subject = e.subject as S;
      const envelope = e.payload as DomainEvent<unknown>;
      if (c.select && !c.select({ ...envelope, subject })) continue;
      const data = (
        c.validatePayload === false ? envelope.data : await parseInput(EVENT_PAYLOADS[subject] as new () => object, envelope.data)
      ) as EventPayload<S>;
      accepted.push({ id: e.id, traceparent: e.headers.traceparent, tenant: asTenantId(envelope.tenant_id), event: { ...envelope, data, subject } });
    }
    const byTenant = new Map<TenantId, Accepted<S>[]>();
    for (const a of accepted) byTenant.set(a.tenant, [...(byTenant.get(a.tenant) ?? []), a]);
    for (const [tenant, items] of byTenant) {
      try {
        await handleTenant(tenant, items);
      } catch (e) {
        eventsConsumed.inc({ consumer: durable, outcome: 'failed' }, items.length);
        throw e;
      }
      eventsConsumed.inc({ consumer: durable, outcome: 'ok' }, items.length);
      log.debug(`${items.length} event(s) of ${tenant} handled`);
    }
  };
  // A JetStream consumer reads one stream: one durable of the same name on each area's stream.
  for (const filters of filtersOf(c.subjects)) await rt.eventBus.subscribe(durable, filters, handler);
}
