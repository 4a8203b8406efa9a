import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { EventSubject } from '../common/subjects';
import { eventSchemas, schemaPath } from '../event-schemas';
import { IncidentCreatedV1 } from '../incidents/incident.events';

describe('event schemas in proto/', () => {
  it.each(Object.values(EventSubject))('%s: the committed schema matches the contract class', (subject) => {
    const committed = JSON.parse(readFileSync(join(__dirname, '../../../../proto', schemaPath(subject)), 'utf8'));
    expect(committed).toEqual(eventSchemas()[subject]);
  });

  it('the contract class rejects an event payload of the wrong shape', () => {
    const bad = plainToInstance(IncidentCreatedV1, { incident: { id: 'x', reference: 'INC-1', status: 'sleeping' } });
    const fields = validateSync(bad).flatMap((e) => e.children?.map((c) => c.property) ?? []);
    expect(fields).toEqual(expect.arrayContaining(['id', 'reference', 'status', 'title', 'created_at']));
  });
});
