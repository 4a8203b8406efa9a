import { isUUID } from 'class-validator';
import { SlaPolicyView } from '@opsplane/contracts';
import { addBusinessMs, minutes } from '../business-time';
import { businessCalendarOf, DEFAULT_SLA_CALENDAR, defaultPolicy, defaultPolicyId, selectPolicy } from '../policy';

const at = (iso: string) => new Date(iso);
const NOW = at('2026-01-15T12:00:00Z');

/** A non-default policy for both record types, matching everything unless told. */
const policy = (id: string, o: Partial<SlaPolicyView> & { services?: string[]; categories?: string[] } = {}): SlaPolicyView => {
  const { services = [], categories = [], ...rest } = o;
  return { ...defaultPolicy('t1', NOW), id, name: id, is_default: false, match: { services, catalog_categories: categories }, ...rest };
};
const pick = (policies: SlaPolicyView[], s: Parameters<typeof selectPolicy>[1]) => selectPolicy(policies, s)?.id ?? null;

// The default policy's id is derived from the tenant: same everywhere, a valid v5-shaped uuid.
describe('defaultPolicyId', () => {
  it('is a stable RFC 4122 uuid (version 5, variant 8-b)', () => {
    const id = defaultPolicyId('tenant-a');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(isUUID(id, '5')).toBe(true); // what the events' @IsUUID accepts
    expect(defaultPolicyId('tenant-a')).toBe(id);
    // Pinned: a change would leave every tenant's stored default policy behind.
    expect(id).toBe('a593ba12-7537-5d1c-af57-c56655df547a');
  });

  it('differs per tenant', () => {
    const ids = ['tenant-a', 'tenant-b', '00000000-0000-4000-8000-000000000001'].map(defaultPolicyId);
    expect(new Set(ids).size).toBe(3);
    for (const id of ids) expect(isUUID(id, '5')).toBe(true);
  });
});

// What every tenant starts with.
describe('defaultPolicy', () => {
  it('is 24x7, for both record types, at risk at 80 %, matching everything', () => {
    const p = defaultPolicy('tenant-a', NOW);
    expect(p).toMatchObject({
      id: defaultPolicyId('tenant-a'),
      is_default: true,
      applies_to: ['incident', 'service_request'],
      match: { services: [], catalog_categories: [] },
      at_risk_percent: 80,
      pause_on: ['awaiting_customer', 'awaiting_vendor', 'awaiting_change', 'pending_approval'],
      created_by: null,
      created_at: '2026-01-15T12:00:00.000Z',
      updated_at: '2026-01-15T12:00:00.000Z',
      version: 1,
    });
    expect(p.calendar).toMatchObject({ timezone: 'UTC', twenty_four_seven: true });
    expect(p.targets.critical).toEqual({ response_minutes: 15, resolution_minutes: 240 });
    expect(p.targets.low).toEqual({ response_minutes: 480, resolution_minutes: 4320 });
  });
});

// The policy calendar (API shape) to the arithmetic's calendar.
describe('businessCalendarOf', () => {
  it('maps the default calendar to a 24x7 one', () => {
    expect(businessCalendarOf(DEFAULT_SLA_CALENDAR)).toEqual({ timezone: 'UTC', always: true, days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00', holidays: [] });
  });

  it('maps working hours, days and holidays field by field', () => {
    const c = businessCalendarOf({
      timezone: 'Europe/Paris',
      twenty_four_seven: false,
      working_days: [1, 2, 3, 4, 5],
      start_time: '09:00',
      end_time: '17:00',
      holidays: ['2026-11-30'],
    });
    expect(c).toEqual({ timezone: 'Europe/Paris', always: false, days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00', holidays: ['2026-11-30'] });
    // Friday 16:00 Paris + 2 h, Monday a holiday: Tuesday 10:00 Paris.
    expect(addBusinessMs(c, at('2026-11-27T15:00:00Z'), minutes(120)).toISOString()).toBe('2026-12-01T09:00:00.000Z');
  });
});

// The most specific matching non-default policy, then the oldest; else the default for the type.
describe('selectPolicy', () => {
  const dflt = defaultPolicy('t1', NOW);

  it('falls back to the default, or to nothing when the default is not for the type', () => {
    expect(pick([dflt], { type: 'incident' })).toBe(dflt.id);
    expect(pick([{ ...dflt, applies_to: ['incident'] }], { type: 'service_request' })).toBeNull();
    expect(pick([], { type: 'incident' })).toBeNull();
  });

  it('prefers any matching non-default policy over the default', () => {
    expect(pick([dflt, policy('all')], { type: 'incident' })).toBe('all');
  });

  it('ignores policies for another record type', () => {
    expect(pick([dflt, policy('sr', { applies_to: ['service_request'] })], { type: 'incident' })).toBe(dflt.id);
    expect(pick([dflt, policy('sr', { applies_to: ['service_request'] })], { type: 'service_request' })).toBe('sr');
  });

  it('matches services: any shared service; none offered matches no service list', () => {
    const ps = [dflt, policy('all'), policy('erp', { services: ['svc-erp', 'svc-crm'] })];
    expect(pick(ps, { type: 'incident', services: ['svc-mail', 'svc-crm'] })).toBe('erp');
    expect(pick(ps, { type: 'incident', services: ['svc-mail'] })).toBe('all');
    expect(pick(ps, { type: 'incident', services: [] })).toBe('all');
    expect(pick(ps, { type: 'incident' })).toBe('all');
  });

  it('matches catalog categories; a request without one matches no category list', () => {
    const ps = [dflt, policy('hw', { categories: ['hardware'] })];
    expect(pick(ps, { type: 'service_request', catalogCategory: 'hardware' })).toBe('hw');
    expect(pick(ps, { type: 'service_request', catalogCategory: 'software' })).toBe(dflt.id);
    expect(pick(ps, { type: 'service_request', catalogCategory: null })).toBe(dflt.id);
  });

  it('takes the most specific (services and categories beat one of them)', () => {
    const ps = [
      policy('svc', { services: ['s1'], created_at: '2025-01-01T00:00:00.000Z' }),
      policy('both', { services: ['s1'], categories: ['c1'], created_at: '2026-01-01T00:00:00.000Z' }),
      policy('all', { created_at: '2024-01-01T00:00:00.000Z' }),
    ];
    expect(pick(ps, { type: 'service_request', services: ['s1'], catalogCategory: 'c1' })).toBe('both');
    expect(pick(ps, { type: 'service_request', services: ['s1'], catalogCategory: 'c2' })).toBe('svc');
  });

  it('breaks ties by the oldest, then by id', () => {
    const newer = policy('b-newer', { services: ['s1'], created_at: '2026-02-01T00:00:00.000Z' });
    const older = policy('c-older', { services: ['s1'], created_at: '2025-06-01T00:00:00.000Z' });
    expect(pick([newer, older], { type: 'incident', services: ['s1'] })).toBe('c-older');
    const twin = policy('a-twin', { services: ['s1'], created_at: '2025-06-01T00:00:00.000Z' });
    expect(pick([newer, older, twin], { type: 'incident', services: ['s1'] })).toBe('a-twin');
  });

  it('never picks the default through its match, even a narrow one', () => {
    const narrowDefault = { ...dflt, match: { services: ['s1'], catalog_categories: [] } };
    expect(pick([narrowDefault, policy('all')], { type: 'incident', services: ['s1'] })).toBe('all');
    expect(pick([narrowDefault], { type: 'incident', services: ['other'] })).toBe(dflt.id);
  });
});
