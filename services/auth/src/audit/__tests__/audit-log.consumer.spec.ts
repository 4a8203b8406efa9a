import { randomUUID } from 'node:crypto';
import { auditEntryId } from '../audit-log.consumer';

describe('auditEntryId', () => {
  it('is the event id for the first entry, so one audited write keeps the id its event has', () => {
    const id = randomUUID();
    expect(auditEntryId(id, 0)).toBe(id);
  });

  it('derives a stable, distinct RFC 4122 uuid for further entries (a redelivery maps to the same rows)', () => {
    const id = randomUUID();
    const ids = [1, 2, 3].map((n) => auditEntryId(id, n));
    expect(ids).toEqual([1, 2, 3].map((n) => auditEntryId(id, n)));
    expect(new Set([id, ...ids]).size).toBe(4);
    for (const x of ids) expect(x).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
