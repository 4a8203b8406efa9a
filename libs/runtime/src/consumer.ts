import { Logger } from '@nestjs/common';
import { DomainEvent, EVENT_PAYLOADS, EventPayload, EventSubject } from '@opsplane/contracts';
import { asTenantId, claimInbox, TenantTx } from '@opsplane/db';
import { parseInput } from '@opsplane/errors';
import { IncomingEvent } from '@opsplane/messaging';
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
  handle(tx: TenantTx, event: ConsumedEvent<S>): Promise<void>;
}

/** Declares a consumer (for the inference of its subjects' payload types). */
export function defineConsumer<S extends EventSubject>(c: ConsumerDefinition<S>): ConsumerDefinition<S> {
  return c;
}

/** The stream filter for a set of subjects: `<area>.>` of each subject's area. */
function filtersOf(subjects: readonly string[]): string[] {
  return [...new Set(subjects.map((s) => `${s.split('.')[0]}.>`))];
}

export async function startConsumer<S extends EventSubject>(rt: ServiceRuntime, c: ConsumerDefinition<S>): Promise<void> {
  const durable = `${rt.name}-${c.name}`;
  const log = new Logger(`Consumer:${durable}`);
  await rt.eventBus.subscribe(durable, filtersOf(c.subjects), async (e: IncomingEvent) => {
    if (!(c.subjects as readonly string[]).includes(e.subject)) return;
    const subject = e.subject as S;
    const envelope = e.payload as DomainEvent<unknown>;
    const data = (await parseInput(EVENT_PAYLOADS[subject] as new () => object, envelope.data)) as EventPayload<S>;
    const tenant = asTenantId(envelope.tenant_id);
    await withLogContext({ tenant_id: tenant }, () => inSpanFrom(e.headers.traceparent, `consume ${subject}`, SpanKind.CONSUMER, async (span) => {
      span.setAttribute('opsplane.tenant_id', tenant);
      span.setAttribute('messaging.message.id', e.id);
      await rt.tenantDb.run(tenant, async (tx) => {
        if (!(await claimInbox(tx, rt.schema, tenant, durable, e.id))) return;
        await c.handle(tx, { ...envelope, data, subject });
      });
    })).then(
      () => eventsConsumed.inc({ consumer: durable, outcome: 'ok' }),
      (e: unknown) => {
        eventsConsumed.inc({ consumer: durable, outcome: 'failed' });
        throw e;
      },
    );
    log.debug(`${subject} ${e.id} of ${tenant} handled`);
  });
}
