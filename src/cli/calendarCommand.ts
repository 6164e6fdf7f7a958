import { DateTime } from 'luxon';
import { addBusinessDays, businessSeconds, deadline, openIntervals } from '../metrics/calendar/businessTime.js';
import { createCalendars } from '../metrics/calendar/createCalendars.js';
import { getHolidays } from '../metrics/calendar/getHolidays.js';
import { parseDuration } from '../policy/parseDuration.js';
import type { Policy } from '../policy/policySchema.js';
import { CliError } from './CliError.js';
import { calendarOption, instantOption, parseOptions, policyOption, requireOption } from './options.js';

export const CALENDAR_HELP = `prazo calendar <subcommand> [options]

  duration  --calendar NAME --from ISO --to ISO        open seconds in [from, to)
  deadline  --calendar NAME --from ISO (--seconds N | --target 4h)
                                                       earliest instant after N open seconds
  add-days  --calendar NAME --from ISO --days N        N business days later (approval window)
  intervals --calendar NAME --from ISO --to ISO        the open intervals in between
  holidays  [--year YYYY]                              the days the policy closes
  week      [--date YYYY-MM-DD]                        every calendar's hours for one week

  Instants are ISO-8601 with an offset (2026-03-06T19:00:00Z). Common: --policy FILE.
  Output: one JSON document on stdout.`;

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

function localIso(ms: number, zone: string): string {
  return DateTime.fromMillis(ms, { zone }).toISO({ suppressMilliseconds: true }) ?? iso(ms);
}

function zoneOf(policy: Policy, calendar: string): string {
  const cal = policy.calendars[calendar];
  return cal && cal.type === 'weekly' ? cal.timezone : 'UTC';
}

function yearOption(values: Record<string, unknown>, policy: Policy): number {
  if (values.year === undefined) return DateTime.now().setZone(zoneOf(policy, '8x5')).year;
  const year = Number(values.year);
  if (!Number.isInteger(year) || year < 1901 || year > 2199) throw new CliError(`--year: expected a year like 2026 (got "${values.year}")`);
  return year;
}

function secondsOption(values: Record<string, unknown>): number {
  if (values.seconds !== undefined && values.target !== undefined) throw new CliError('give --seconds or --target, not both');
  if (values.target !== undefined) {
    const seconds = parseDuration(String(values.target));
    if (seconds === undefined) throw new CliError(`--target: expected a duration like "4h" (got "${values.target}")`);
    return seconds;
  }
  const text = requireOption(values, 'seconds');
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds < 0) throw new CliError(`--seconds: expected a number of seconds ≥ 0 (got "${text}")`);
  return seconds;
}

/** The week (Monday–Sunday) around `date` in each calendar: open hours in local time and closures. */
export function describeWeek(policy: Policy, date: string | undefined) {
  const zone = zoneOf(policy, '8x5');
  const day = date ? DateTime.fromISO(date, { zone }) : DateTime.now().setZone(zone);
  if (!day.isValid) throw new CliError(`--date: expected a date like 2026-03-09 (got "${date}")`);
  const monday = day.startOf('week');
  const calendars = createCalendars(policy);
  const holidays = new Map<string, string>();
  for (const year of new Set([monday.year, monday.plus({ days: 6 }).year])) {
    for (const h of getHolidays(policy.holidays, year)) holidays.set(h.date, h.name);
  }
  return {
    week: monday.toISOWeekDate()!.slice(0, 8),
    timezone: zone,
    calendars: Object.fromEntries(
      [...calendars].map(([name, calendar]) => {
        const calZone = zoneOf(policy, name) === 'UTC' ? zone : zoneOf(policy, name);
        const days = Array.from({ length: 7 }, (_, i) => {
          const start = monday.plus({ days: i }).setZone(calZone, { keepLocalTime: true }).startOf('day');
          const end = start.plus({ days: 1 });
          const open = openIntervals(calendar, start.toMillis(), end.toMillis()).map((interval) => [
            DateTime.fromMillis(interval.from, { zone: calZone }).toFormat('HH:mm'),
            interval.to === end.toMillis() ? '24:00' : DateTime.fromMillis(interval.to, { zone: calZone }).toFormat('HH:mm'),
          ]);
          const date = start.toISODate()!;
          const holiday = policy.calendars[name]?.type === 'weekly' ? holidays.get(date) : undefined;
          return {
            date,
            weekday: start.setLocale('pt-BR').toFormat('cccc'),
            open,
            business_seconds: businessSeconds(calendar, start.toMillis(), end.toMillis()),
            ...(holiday ? { holiday } : {}),
          };
        });
        return [name, { days }];
      }),
    ),
  };
}

export function runCalendarCommand(argv: string[], out: (json: unknown) => void): void {
  const [sub, ...rest] = argv;
  const { values } = parseOptions(rest, {
    calendar: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    seconds: { type: 'string' },
    target: { type: 'string' },
    days: { type: 'string' },
    year: { type: 'string' },
    date: { type: 'string' },
  });
  if (sub === undefined) throw new CliError('which calendar subcommand? (duration, deadline, add-days, intervals, holidays, week); see prazo calendar --help');
  const policy = policyOption(values);
  switch (sub) {
    case 'duration': {
      const calendar = calendarOption(policy, values);
      const from = instantOption(values, 'from');
      const to = instantOption(values, 'to');
      if (to < from) throw new CliError('--to is before --from');
      out({ seconds: businessSeconds(calendar, from, to) });
      return;
    }
    case 'deadline': {
      const calendar = calendarOption(policy, values);
      const from = instantOption(values, 'from');
      const at = deadline(calendar, from, secondsOption(values)).getTime();
      out({ deadline: iso(at), local: localIso(at, zoneOf(policy, calendar.name)) });
      return;
    }
    case 'add-days': {
      const calendar = calendarOption(policy, values);
      const from = instantOption(values, 'from');
      const days = Number(requireOption(values, 'days'));
      if (!Number.isInteger(days) || days < 0) throw new CliError(`--days: expected a whole number ≥ 0 (got "${values.days}")`);
      const at = addBusinessDays(calendar, from, days).getTime();
      out({ at: iso(at), local: localIso(at, zoneOf(policy, calendar.name)) });
      return;
    }
    case 'intervals': {
      const calendar = calendarOption(policy, values);
      const from = instantOption(values, 'from');
      const to = instantOption(values, 'to');
      if (to < from) throw new CliError('--to is before --from');
      if (to - from > 366 * 86_400_000) throw new CliError('--from and --to may be at most a year apart');
      out(
        openIntervals(calendar, from, to).map((i) => ({
          from: iso(i.from),
          to: iso(i.to),
          seconds: (i.to - i.from) / 1000,
        })),
      );
      return;
    }
    case 'holidays':
      out(getHolidays(policy.holidays, yearOption(values, policy)).map(({ date, name, source, from, to }) => ({
        date,
        name,
        source,
        ...(from !== undefined ? { from: `${String(Math.floor(from / 60)).padStart(2, '0')}:${String(from % 60).padStart(2, '0')}` } : {}),
        ...(to !== undefined ? { to: `${String(Math.floor(to / 60)).padStart(2, '0')}:${String(to % 60).padStart(2, '0')}` } : {}),
      })));
      return;
    case 'week':
      out(describeWeek(policy, values.date as string | undefined));
      return;
    default:
      throw new CliError(`unknown calendar subcommand "${sub}" (duration, deadline, add-days, intervals, holidays, week)`);
  }
}
