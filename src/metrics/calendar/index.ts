export * from './types.js';
export * from './businessTime.js';
export { compileCalendar } from './compileCalendar.js';
export { AlwaysOpenCalendar } from './AlwaysOpenCalendar.js';
export { WeeklyCalendar } from './WeeklyCalendar.js';
export { ZoneOffsets } from './ZoneOffsets.js';
export { createCalendars } from './createCalendars.js';
export { getHolidays, easterSunday, type Holiday } from './getHolidays.js';
