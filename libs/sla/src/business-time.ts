import { DateTime } from 'luxon';

/**
 * When a service desk works: days of the week (ISO: 1 = Monday .. 7 = Sunday), the working hours of
 * each of those days ("HH:MM", end after start), the holidays (local dates, "YYYY-MM-DD"), all in an
 * IANA time zone (daylight saving included, through Luxon). `always: true` is 24x7.
 */
export interface BusinessCalendar {
  timezone: string;
  always?: boolean;
  days: number[];
  start: string;
  end: string;
  holidays: string[];
}

export const ALWAYS: BusinessCalendar = { timezone: 'UTC', always: true, days: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '24:00', holidays: [] };

const MINUTE = 60_000;
/** Bounds the walk over days (a target or a span longer than this many days is a calendar error). */
const MAX_DAYS = 3660;

function hm(s: string): { hour: number; minute: number } {
  const m = /^(\d{2}):(\d{2})$/.exec(s);
  if (!m) throw new Error(`not a time of day (HH:MM): ${s}`);
  const hour = Number(m[1]);
  const minute = Number(m[2]);
  if (hour > 24 || minute > 59 || (hour === 24 && minute > 0)) throw new Error(`not a time of day (HH:MM): ${s}`);
  return { hour, minute };
}

/** A calendar that can be used: a known zone, days 1..7, start before end. Throws with the reason. */
export function assertCalendar(c: BusinessCalendar): void {
  if (!DateTime.now().setZone(c.timezone).isValid) throw new Error(`unknown time zone: ${c.timezone}`);
  if (c.always) return;
  if (!c.days.length || c.days.some((d) => !Number.isInteger(d) || d < 1 || d > 7)) throw new Error('days are ISO weekdays 1 (Monday) to 7 (Sunday), at least one');
  const s = hm(c.start);
  const e = hm(c.end);
  if (e.hour * 60 + e.minute <= s.hour * 60 + s.minute) throw new Error('end must be after start');
  for (const h of c.holidays) if (!DateTime.fromISO(h, { zone: c.timezone }).isValid) throw new Error(`not a date: ${h}`);
}

/** The working window of a local day (as instants), or none on a day off. */
function windowOf(c: BusinessCalendar, day: DateTime): { from: number; to: number } | undefined {
  if (!c.days.includes(day.weekday) || c.holidays.includes(day.toISODate()!)) return undefined;
  const s = hm(c.start);
  const e = hm(c.end);
  const from = day.set({ hour: s.hour, minute: s.minute, second: 0, millisecond: 0 });
  const to = e.hour === 24 ? day.plus({ days: 1 }).startOf('day') : day.set({ hour: e.hour, minute: e.minute, second: 0, millisecond: 0 });
  return { from: from.toMillis(), to: to.toMillis() };
}

/** The business time between two instants, in milliseconds (0 when `to` is not after `from`). */
export function businessMsBetween(c: BusinessCalendar, from: Date, to: Date): number {
  const a = from.getTime();
  const b = to.getTime();
  if (b <= a) return 0;
  if (c.always) return b - a;
  let total = 0;
  let day = DateTime.fromMillis(a, { zone: c.timezone }).startOf('day');
  for (let i = 0; i < MAX_DAYS && day.toMillis() < b; i++, day = day.plus({ days: 1 }).startOf('day')) {
    const w = windowOf(c, day);
    if (w) total += Math.max(0, Math.min(w.to, b) - Math.max(w.from, a));
  }
  return total;
}

/** The instant at which `ms` of business time have passed since `from` (the end of that working time). */
export function addBusinessMs(c: BusinessCalendar, from: Date, ms: number): Date {
  const a = from.getTime();
  if (ms <= 0) return new Date(a);
  if (c.always) return new Date(a + ms);
  let left = ms;
  let day = DateTime.fromMillis(a, { zone: c.timezone }).startOf('day');
  for (let i = 0; i < MAX_DAYS; i++, day = day.plus({ days: 1 }).startOf('day')) {
    const w = windowOf(c, day);
    if (!w) continue;
    const start = Math.max(w.from, a);
    if (start >= w.to) continue;
    const span = w.to - start;
    if (left <= span) return new Date(start + left);
    left -= span;
  }
  throw new Error(`no working time within ${MAX_DAYS} days: check the calendar`);
}

export const minutes = (n: number) => n * MINUTE;

/**
 * The local day containing `at` in an IANA time zone, as instants [start, end) (23 or 25 hours
 * long on a daylight-saving change). Computed here, with the zone data that validated the name
 * (ICU, through Luxon), not by the database's own zone files, which may not know a newer zone; an
 * unknown zone counts as UTC.
 */
export function localDay(timezone: string, at: Date = new Date()): { start: Date; end: Date } {
  let d = DateTime.fromJSDate(at, { zone: timezone });
  if (!d.isValid) d = DateTime.fromJSDate(at, { zone: 'UTC' });
  const start = d.startOf('day');
  return { start: start.toJSDate(), end: start.plus({ days: 1 }).toJSDate() };
}
