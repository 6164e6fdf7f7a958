/**
 * A slow, obviously-correct reference for weekly business calendars, independent of the engine's
 * interval table: it asks luxon for the local wall time of every single minute and looks the
 * minute up in the spec. Used by the property tests to check businessTime.ts.
 *
 * Why stepping by minute is exact: weekly windows and closures start and end on whole local
 * minutes, and the offsets of the zones under test are whole minutes that change on whole
 * minutes, so "open" is constant over every UTC minute [m, m + 60 s).
 */
import { DateTime } from 'luxon';
import type { Closure, WeeklySpec } from '../../../src/metrics/calendar/types.js';

export const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** The local reading of a UTC instant in a zone. */
export interface LocalReading {
  /** Local date, YYYY-MM-DD. */
  date: string;
  year: number;
  /** 0 = Monday … 6 = Sunday (the index into `spec.week`). */
  weekday: number;
  /** Minutes since local midnight, 0…1439. */
  minuteOfDay: number;
}

export function localReading(timezone: string, t: number): LocalReading {
  const local = DateTime.fromMillis(t, { zone: timezone });
  if (!local.isValid) throw new Error(`reference: cannot read ${t} in zone ${timezone}: ${local.invalidExplanation}`);
  return {
    date: local.toISODate()!,
    year: local.year,
    weekday: local.weekday - 1,
    minuteOfDay: local.hour * 60 + local.minute,
  };
}

/** closuresForYear is documented to be called once per year; the reference caches it the same way. */
const closureCache = new WeakMap<WeeklySpec, Map<number, Closure[]>>();

function closuresOfYear(spec: WeeklySpec, year: number): Closure[] {
  let byYear = closureCache.get(spec);
  if (!byYear) closureCache.set(spec, (byYear = new Map()));
  let list = byYear.get(year);
  if (!list) byYear.set(year, (list = spec.closuresForYear(year)));
  return list;
}

/**
 * Is the calendar open at UTC instant t? Closed when a closure without from/to falls on the local
 * date, or the local minute lies in a partial closure [from ?? 0, to ?? 1440); otherwise open iff
 * the local minute lies in one of the local weekday's windows [from, to).
 */
export function isOpen(spec: WeeklySpec, t: number): boolean {
  const { date, year, weekday, minuteOfDay } = localReading(spec.timezone, t);
  for (const closure of closuresOfYear(spec, year)) {
    if (closure.date !== date) continue;
    if (closure.from === undefined && closure.to === undefined) return false;
    if (minuteOfDay >= (closure.from ?? 0) && minuteOfDay < (closure.to ?? 1440)) return false;
  }
  return (spec.week[weekday] ?? []).some((w) => minuteOfDay >= w.from && minuteOfDay < w.to);
}

/** Open seconds in [a, b) (negated when b < a), by walking every UTC minute that meets [a, b). */
export function referenceSeconds(spec: WeeklySpec, a: number, b: number): number {
  if (b < a) return -referenceSeconds(spec, b, a);
  let openMs = 0;
  for (let m = Math.floor(a / MINUTE_MS) * MINUTE_MS; m < b; m += MINUTE_MS) {
    const overlap = Math.min(m + MINUTE_MS, b) - Math.max(m, a);
    if (overlap > 0 && isOpen(spec, m)) openMs += overlap;
  }
  return openMs / 1000;
}

/**
 * The earliest UTC instant t ≥ a with referenceSeconds(a, t) = seconds, in ms. Walks minute by
 * minute from the minute containing a; the first minute only counts from a, and the deadline may
 * land inside a minute (or exactly on its end, i.e. on a closing instant). Throws when the target
 * is not reached within maxScanMs after a.
 */
export function referenceDeadline(spec: WeeklySpec, a: number, seconds: number, maxScanMs = 14 * DAY_MS): number {
  if (!Number.isFinite(seconds) || seconds < 0) throw new RangeError(`reference: bad seconds ${seconds}`);
  const targetMs = seconds * 1000;
  if (targetMs === 0) return a;
  let accumulated = 0;
  for (let m = Math.floor(a / MINUTE_MS) * MINUTE_MS; m < a + maxScanMs; m += MINUTE_MS) {
    if (!isOpen(spec, m)) continue;
    const from = Math.max(m, a);
    const available = m + MINUTE_MS - from;
    if (accumulated + available >= targetMs) return from + (targetMs - accumulated);
    accumulated += available;
  }
  throw new Error(
    `reference: ${seconds} s not reached within ${maxScanMs / DAY_MS} days after ${new Date(a).toISOString()} (${accumulated / 1000} s open)`,
  );
}
