import { isCalendarDay, isRfc3339DateTime } from '../common/time';

describe('RFC 3339 date-times', () => {
  it.each(['2026-11-30T08:15:00Z', '2026-11-30T08:15:00.123456Z', '2026-11-30t08:15:00z', '2024-02-29T23:59:59+14:00', '2026-01-01T00:00:00-05:30'])(
    'accepts %s',
    (v) => expect(isRfc3339DateTime(v)).toBe(true),
  );
  it.each([
    '2026-W01-1', // ISO week date
    '2026-W01',
    '2026-001', // ordinal date
    '2026-11-30', // a date without a time
    '2026-11-30T08:15:00', // no offset
    '2026-11-30T08:15Z', // no seconds
    '20261130T081500Z', // basic format
    '2026-02-30T00:00:00Z', // no such day
    '2025-02-29T00:00:00Z',
    '2026-11-30T24:00:00Z',
    '2026-11-30T08:60:00Z',
    '2026-11-30T08:15:00+25:00',
    '0000-01-01T00:00:00Z',
    '+002026-11-30T08:15:00Z',
    ' 2026-11-30T08:15:00Z',
    '',
  ])('refuses %s', (v) => expect(isRfc3339DateTime(v)).toBe(false));
  it('refuses what is not a string', () => {
    for (const v of [null, undefined, 1700000000, {}, ['2026-11-30T08:15:00Z']]) expect(isRfc3339DateTime(v)).toBe(false);
  });
});

describe('calendar days', () => {
  it('accepts real days only', () => {
    expect(isCalendarDay('2026-11-30')).toBe(true);
    expect(isCalendarDay('2024-02-29')).toBe(true);
    for (const v of ['2026-99-99', '2026-02-29', '2026-W01-1', '2026-11-30T00:00:00Z', '26-11-30']) expect(isCalendarDay(v)).toBe(false);
  });
});
