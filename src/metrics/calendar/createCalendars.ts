import type { Policy } from '../../policy/policySchema.js';
import { WEEKDAYS } from '../../policy/policySchema.js';
import { compileCalendar } from './compileCalendar.js';
import { holidayClosures } from './getHolidays.js';
import type { BusinessCalendar } from './types.js';

/** Every calendar the policy names, compiled; intervals are built lazily on first use. */
export function createCalendars(policy: Policy): ReadonlyMap<string, BusinessCalendar> {
  const calendars = new Map<string, BusinessCalendar>();
  for (const [name, cal] of Object.entries(policy.calendars)) {
    calendars.set(
      name,
      cal.type === '24x7'
        ? compileCalendar({ kind: 'always', name })
        : compileCalendar({
            kind: 'weekly',
            name,
            timezone: cal.timezone,
            week: WEEKDAYS.map((d) => cal.hours[d]),
            closuresForYear: cal.holidays ? (year) => holidayClosures(policy.holidays, year) : () => [],
          }),
    );
  }
  return calendars;
}
