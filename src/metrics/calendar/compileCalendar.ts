import { AlwaysOpenCalendar } from './AlwaysOpenCalendar.js';
import type { BusinessCalendar, CalendarSpec } from './types.js';
import { WeeklyCalendar } from './WeeklyCalendar.js';

/** Turns a calendar spec into a calendar whose interval table builds itself on first use. */
export function compileCalendar(spec: CalendarSpec): BusinessCalendar {
  return spec.kind === 'always' ? new AlwaysOpenCalendar(spec.name) : new WeeklyCalendar(spec);
}
