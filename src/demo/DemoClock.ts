import { createCalendars } from '../metrics/calendar/createCalendars.js';
import type { BusinessCalendar } from '../metrics/calendar/types.js';
import { ZoneOffsets } from '../metrics/calendar/ZoneOffsets.js';
import type { Policy, Severity } from '../policy/policySchema.js';
import { Random, WeightedTable } from './Random.js';

const DAY = 86_400_000;
export const HOUR = 3_600_000;
export const MINUTE = 60_000;

/** One local day of the demo year. */
export interface DemoDay {
  /** Local midnight and the next one, UTC ms. */
  start: number;
  end: number;
  /** 0 Sunday … 6 Saturday. */
  weekday: number;
  /** Open hours of the business calendar that day, UTC ms; empty on weekends and holidays. */
  open: { from: number; to: number }[];
}

/** Relative ticket volume by weekday, Sunday first: Mondays are busiest, weekends nearly empty. */
const WEEKDAY_VOLUME = [0.04, 1.2, 1.05, 1, 0.95, 0.85, 0.07];

/**
 * The demo's sense of time, built on the policy's own calendars: work on a ticket advances in the
 * support hours of its severity's coverage, customers answer in business hours, approvals expire
 * after the policy's business days. Also the shape of the year: busy and quiet days and weeks.
 */
export class DemoClock {
  readonly days: DemoDay[];
  /** Per day: a multiplier of how long things take (a hard week makes everyone slower). */
  readonly pressure: Float64Array;
  readonly dayTable: WeightedTable<number>;
  private readonly calendars: ReadonlyMap<string, BusinessCalendar>;
  private readonly business: BusinessCalendar;

  constructor(
    readonly policy: Readonly<Policy>,
    readonly from: number,
    readonly now: number,
    random: Random,
  ) {
    this.calendars = createCalendars(policy as Policy);
    this.business = this.calendars.get(policy.approval.calendar)!;
    const horizon = now + 120 * DAY;
    for (const cal of this.calendars.values()) cal.ensureRange(from - DAY, horizon);
    const spec = policy.calendars[policy.approval.calendar]!;
    const timezone = spec.type === 'weekly' ? spec.timezone : 'UTC';
    this.days = buildDays(this.business, ZoneOffsets.create(timezone, from - 2 * DAY, now + 2 * DAY), from, now);
    const { volume, pressure } = shapeYear(this.days, random);
    this.pressure = pressure;
    this.dayTable = new WeightedTable(
      this.days.map((_, i) => i),
      volume,
    );
  }

  calendarOf(severity: Severity): BusinessCalendar {
    return this.calendars.get(this.policy.severities[severity].calendar)!;
  }

  /** The instant `ms` of support time after t, in the coverage of `severity`. */
  work(severity: Severity, t: number, ms: number): number {
    return advance(this.calendarOf(severity), t, ms);
  }

  /** The instant `ms` of business time after t (customers answer in business hours). */
  customer(t: number, ms: number): number {
    return advance(this.business, t, ms);
  }

  /** When an unanswered resolvido closes by itself. */
  autoCloseAt(resolved: number): number {
    return this.businessDaysLater(resolved, this.policy.approval.autoCloseAfterBusinessDays);
  }

  /** The same time of day n business days later (the first open instant when t is on a closed day). */
  businessDaysLater(t: number, n: number): number {
    this.business.ensureRange(t, t);
    return this.business.addBusinessDays(t, n);
  }

  /** Target seconds of a severity. */
  target(severity: Severity, which: 'firstResponse' | 'solution'): number {
    return this.policy.severities[severity][which];
  }

  dayIndexOf(t: number): number {
    return Math.max(0, Math.min(this.days.length - 1, Math.floor((t - this.from) / DAY)));
  }
}

function advance(calendar: BusinessCalendar, t: number, ms: number): number {
  if (calendar.kind === 'always') return Math.round(t + ms);
  calendar.ensureRange(t, t);
  return Math.round(Math.max(t, calendar.instantAtBusinessTime(calendar.businessTimeAt(t) + ms)));
}

function buildDays(business: BusinessCalendar, zone: ZoneOffsets, from: number, now: number): DemoDay[] {
  const days: DemoDay[] = [];
  const firstWall = Math.floor(zone.toWall(from) / DAY) * DAY;
  for (let wall = firstWall; ; wall += DAY) {
    const start = zone.fromWall(wall);
    if (start > now) break;
    const end = zone.fromWall(wall + DAY);
    days.push({ start, end, weekday: (Math.floor(wall / DAY) + 4) % 7, open: business.openIntervals(start, end) });
  }
  return days;
}

/**
 * Volume and pressure of each day: weekday rhythm, a client base growing through the year, the
 * quiet between Christmas and mid-January, week-to-week noise, and a few hard weeks (someone on
 * leave, a bad release) where answers come later.
 */
function shapeYear(days: DemoDay[], random: Random): { volume: number[]; pressure: Float64Array } {
  const weeks = Math.ceil(days.length / 7) + 1;
  const weekNoise = Array.from({ length: weeks }, () => random.logNormal(1, 0.09));
  const weekPressure = Array.from({ length: weeks }, () => random.logNormal(1, 0.12));
  for (let k = 0; k < 3; k++) {
    const w = random.int(2, weeks - 4);
    weekPressure[w] = weekPressure[w]! * 1.7;
    weekPressure[w + 1] = weekPressure[w + 1]! * 1.4;
  }
  const volume: number[] = [];
  const pressure = new Float64Array(days.length);
  days.forEach((day, i) => {
    const week = Math.floor(i / 7);
    const date = new Date(day.start + 12 * HOUR);
    const md = (date.getUTCMonth() + 1) * 100 + date.getUTCDate();
    const holidaySeason = md >= 1222 || md <= 112 ? 0.6 : 1;
    const growth = 0.88 + 0.24 * (i / days.length);
    const closedWeekday = day.open.length === 0 && day.weekday !== 0 && day.weekday !== 6;
    const rhythm = closedWeekday ? 0.06 : WEEKDAY_VOLUME[day.weekday]!;
    volume.push(rhythm * holidaySeason * growth * weekNoise[week]!);
    pressure[i] = weekPressure[week]!;
  });
  return { volume, pressure };
}

