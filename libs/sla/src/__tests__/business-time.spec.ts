import { addBusinessMs, assertCalendar, ALWAYS, BusinessCalendar, businessMsBetween, localDay, minutes } from '../business-time';

const berlin: BusinessCalendar = { timezone: 'Europe/Berlin', days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00', holidays: ['2026-12-25'] };
const at = (iso: string) => new Date(iso);
const hours = (ms: number) => ms / 3_600_000;

describe('business time', () => {
  it('counts only working hours, in the calendar time zone', () => {
    // Monday 2026-11-30, 08:00 to 18:00 Berlin (UTC+1): 8 working hours.
    expect(hours(businessMsBetween(berlin, at('2026-11-30T07:00:00Z'), at('2026-11-30T17:00:00Z')))).toBe(8);
    // Friday 16:00 to Monday 10:00: 1 h on Friday + 1 h on Monday.
    expect(hours(businessMsBetween(berlin, at('2026-12-04T15:00:00Z'), at('2026-12-07T09:00:00Z')))).toBe(2);
  });

  it('skips weekends and holidays when adding a target', () => {
    // 4 business hours from Friday 15:00 Berlin: 2 h Friday, 2 h Monday → Monday 11:00 Berlin = 10:00Z.
    expect(addBusinessMs(berlin, at('2026-12-04T14:00:00Z'), minutes(240)).toISOString()).toBe('2026-12-07T10:00:00.000Z');
    // From Thursday 24 Dec 16:00: 1 h that day, Friday 25 is a holiday, the weekend: Monday 28 at 10:00.
    expect(addBusinessMs(berlin, at('2026-12-24T15:00:00Z'), minutes(120)).toISOString()).toBe('2026-12-28T09:00:00.000Z');
    // Starting outside hours (Saturday): the clock starts on Monday morning.
    expect(addBusinessMs(berlin, at('2026-12-05T12:00:00Z'), minutes(30)).toISOString()).toBe('2026-12-07T08:30:00.000Z');
  });

  it('follows daylight saving time (Berlin, 29 March 2026)', () => {
    // Friday 27 March 09:00 local = 08:00Z (CET); Monday 30 March 09:00 local = 07:00Z (CEST).
    expect(addBusinessMs(berlin, at('2026-03-27T08:00:00Z'), minutes(8 * 60 + 60)).toISOString()).toBe('2026-03-30T08:00:00.000Z');
    expect(hours(businessMsBetween(berlin, at('2026-03-27T08:00:00Z'), at('2026-03-30T15:00:00Z')))).toBe(16);
  });

  it('adding then measuring gives the target back; 24x7 is plain time', () => {
    const from = at('2026-12-02T13:17:00Z');
    for (const m of [1, 59, 480, 481, 2000, 10_000]) expect(businessMsBetween(berlin, from, addBusinessMs(berlin, from, minutes(m)))).toBe(minutes(m));
    expect(addBusinessMs(ALWAYS, from, minutes(90)).toISOString()).toBe('2026-12-02T14:47:00.000Z');
    expect(businessMsBetween(ALWAYS, from, at('2026-12-03T13:17:00Z'))).toBe(minutes(24 * 60));
  });

  it('refuses a calendar that cannot work', () => {
    expect(() => assertCalendar({ ...berlin, timezone: 'Nowhere/Land' })).toThrow(/time zone/);
    expect(() => assertCalendar({ ...berlin, days: [0] })).toThrow(/weekdays/);
    expect(() => assertCalendar({ ...berlin, start: '18:00' })).toThrow(/after start/);
    expect(() => assertCalendar({ ...berlin, end: '25:00' })).toThrow(/time of day/);
    expect(() => assertCalendar({ ...berlin, days: [], always: false })).toThrow();
    expect(() => assertCalendar(berlin)).not.toThrow();
  });
});

/** The local day used by the stats' "today". */
describe('localDay', () => {
  it('is the local calendar day in the zone, 23 hours long on the spring DST change, UTC for an unknown zone', () => {
    expect(localDay('Europe/Paris', new Date('2026-03-29T12:00:00Z'))).toEqual({ start: new Date('2026-03-28T23:00:00Z'), end: new Date('2026-03-29T22:00:00Z') });
    expect(localDay('America/New_York', new Date('2026-12-07T03:00:00Z'))).toEqual({ start: new Date('2026-12-06T05:00:00Z'), end: new Date('2026-12-07T05:00:00Z') });
    expect(localDay('Mars/Olympus_Mons', new Date('2026-12-07T03:00:00Z'))).toEqual({ start: new Date('2026-12-07T00:00:00Z'), end: new Date('2026-12-08T00:00:00Z') });
  });
});
