import { DateTime } from 'luxon';

/** Reports count weeks Monday to Sunday in this zone (DESIGN.md §1: the helpdesk's calendar). */
export const REPORT_ZONE = 'America/Sao_Paulo';

/** One ISO week in the report zone: [start, end) are the Mondays 00:00 local, as UTC ms. */
export interface ReportWeek {
  /** ISO week, e.g. 2026-W47. */
  id: string;
  start: number;
  end: number;
  /** Monday and Sunday as YYYY-MM-DD. */
  firstDay: string;
  lastDay: string;
}

const ISO_WEEK = /^(\d{4})-W(\d{2})$/;

function toWeek(monday: DateTime): ReportWeek {
  const start = monday.startOf('day');
  const end = start.plus({ weeks: 1 });
  return {
    id: `${start.weekYear}-W${String(start.weekNumber).padStart(2, '0')}`,
    start: start.toMillis(),
    end: end.toMillis(),
    firstDay: start.toISODate()!,
    lastDay: end.minus({ days: 1 }).toISODate()!,
  };
}

/** "2026-W47" → the week; a RangeError names what is wrong. */
export function parseReportWeek(text: string, zone = REPORT_ZONE): ReportWeek {
  const match = ISO_WEEK.exec(text);
  if (!match) throw new RangeError(`expected an ISO week like 2026-W47 (got "${text}")`);
  const monday = DateTime.fromObject({ weekYear: Number(match[1]), weekNumber: Number(match[2]), weekday: 1 }, { zone });
  if (!monday.isValid || monday.weekNumber !== Number(match[2])) {
    throw new RangeError(`${text}: the year ${match[1]} has no week ${match[2]}`);
  }
  return toWeek(monday);
}

/** The week that contains `instant` (UTC ms). */
export function getWeekOf(instant: number, zone = REPORT_ZONE): ReportWeek {
  return toWeek(DateTime.fromMillis(instant, { zone }).startOf('week'));
}

/** The last complete week before the one containing `instant`: what Monday's report covers. */
export function getPreviousWeek(instant: number, zone = REPORT_ZONE): ReportWeek {
  return shiftWeek(getWeekOf(instant, zone), -1, zone);
}

/** The week `n` weeks after (negative: before) `week`. */
export function shiftWeek(week: ReportWeek, n: number, zone = REPORT_ZONE): ReportWeek {
  return toWeek(DateTime.fromMillis(week.start, { zone }).plus({ weeks: n }));
}
