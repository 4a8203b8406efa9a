// @Type() of nested arrays is read from class-transformer's storage (else an array of objects is `$ref: Array`).
import { defaultMetadataStorage } from 'class-transformer/cjs/storage';
import { validationMetadatasToSchemas } from 'class-validator-jsonschema';
import { EventSubject } from './common/subjects';
import { EVENT_PAYLOADS } from './common/event-payloads';
import { TIME_SCHEMA_CONVERTERS } from './common/time';
import { AuditEntryRecordedV1 } from './audit/audit.events';

type Schema = Record<string, unknown>;

/**
 * The JSON schema of every domain event (envelope + data), generated from the contract classes.
 * proto/ keeps these files under version control; a test fails when the classes and the files
 * disagree, so an event's shape never changes without its schema (and a new version) changing.
 */
export function eventSchemas(): Record<string, Schema> {
  const all = validationMetadatasToSchemas({
    refPointerPrefix: '#/definitions/',
    additionalConverters: TIME_SCHEMA_CONVERTERS,
    classTransformerMetadataStorage: defaultMetadataStorage,
  }) as Record<string, Schema>;
  const out: Record<string, Schema> = {};
  for (const [subject, cls] of Object.entries(EVENT_PAYLOADS) as [EventSubject, new () => object][]) {
    const definitions: Record<string, Schema> = {};
    const collect = (name: string) => {
      if (definitions[name] || !all[name]) return;
      definitions[name] = all[name];
      for (const m of JSON.stringify(all[name]).matchAll(/#\/definitions\/(\w+)/g)) collect(m[1]);
    };
    collect(cls.name);
    const carriesAudit = subject !== EventSubject.AuditEntryRecorded;
    if (carriesAudit) collect(AuditEntryRecordedV1.name);
    out[subject] = {
      $schema: 'http://json-schema.org/draft-07/schema#',
      $id: `https://opsplane.dev/schemas/events/${subject}.json`,
      title: subject,
      type: 'object',
      required: ['event_id', 'event_type', 'tenant_id', 'occurred_at', 'actor_id', 'trace_id', 'data'],
      properties: {
        event_id: { type: 'string', format: 'uuid', description: 'Also the Nats-Msg-Id header (the outbox row id)' },
        event_type: { const: subject },
        tenant_id: { type: 'string', format: 'uuid' },
        occurred_at: { type: 'string', format: 'date-time' },
        actor_id: { type: ['string', 'null'], format: 'uuid' },
        trace_id: { type: ['string', 'null'], pattern: '^[0-9a-f]{32}$' },
        data: { $ref: `#/definitions/${cls.name}` },
        ...(carriesAudit
          ? {
              audit: {
                type: 'array',
                items: { $ref: `#/definitions/${AuditEntryRecordedV1.name}` },
                description: 'The audit entries of the write that emitted this event (optional)',
              },
            }
          : {}),
      },
      definitions: Object.fromEntries(Object.entries(definitions).sort(([a], [b]) => a.localeCompare(b))),
    };
  }
  return out;
}

/** Where each subject's schema lives under proto/: `<area>/<rest of the subject>.json`. */
export function schemaPath(subject: string): string {
  const [area, ...rest] = subject.split('.');
  return `${area}/${rest.join('.')}.json`;
}
