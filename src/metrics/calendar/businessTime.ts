import { INSTANT_HINT, parseInstant } from '../../time/parseInstant.js';
import type { BusinessCalendar, OpenInterval } from './types.js';

/** An instant: a Date, UTC epoch milliseconds, or ISO-8601 text with an offset. */
export type Instant = Date | number | string;

function toMs(instant: Instant, what: string): number {
  const ms =
    typeof instant === 'number' ? instant : typeof instant === 'string' ? parseInstant(instant) : instant.getTime();
  if (ms === undefined || !Number.isFinite(ms)) throw new RangeError(`${what}: expected ${INSTANT_HINT}`);
  return ms;
}

/** Open seconds of the calendar in [a, b); negative when b is before a. */
export function businessSeconds(calendar: BusinessCalendar, a: Instant, b: Instant): number {
  const from = toMs(a, 'from');
  const to = toMs(b, 'to');
  calendar.ensureRange(Math.min(from, to), Math.max(from, to));
  return (calendar.businessTimeAt(to) - calendar.businessTimeAt(from)) / 1000;
}

/**
 * The earliest instant t ≥ a with businessSeconds(a, t) = seconds. A deadline that ends exactly
 * when the calendar closes (12:00, 17:30) is that closing instant, not the next opening.
 */
export function deadline(calendar: BusinessCalendar, a: Instant, seconds: number): Date {
  const from = toMs(a, 'from');
  if (!Number.isFinite(seconds) || seconds < 0) throw new RangeError('seconds must be a finite number ≥ 0');
  calendar.ensureRange(from, from);
  return new Date(Math.max(from, calendar.instantAtBusinessTime(calendar.businessTimeAt(from) + seconds * 1000)));
}

/**
 * n business days after a: the same wall-clock time on the n-th following day with open hours;
 * from a day without open hours (weekend, holiday), the first open instant of the n-th business
 * day after it. Used for the approval window ("auto-closed after 4 business days").
 */
export function addBusinessDays(calendar: BusinessCalendar, a: Instant, n: number): Date {
  if (!Number.isInteger(n) || n < 0) throw new RangeError('n must be a whole number of days ≥ 0');
  return new Date(calendar.addBusinessDays(toMs(a, 'from'), n));
}

/** The calendar's open intervals within [a, b), in order, to explain a timeline. */
export function openIntervals(calendar: BusinessCalendar, a: Instant, b: Instant): OpenInterval[] {
  return calendar.openIntervals(toMs(a, 'from'), toMs(b, 'to'));
}

function rangeOf(...arrays: Float64Array[]): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (const array of arrays) {
    for (let i = 0; i < array.length; i++) {
      const v = array[i]!;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  return [min, max];
}

/**
 * B(t) for many instants (UTC ms) at once: open milliseconds since the calendar's origin. NaN
 * entries (a missing instant) give NaN. Differences of the results are business durations.
 */
export function businessTimeBatch(
  calendar: BusinessCalendar,
  instants: Float64Array,
  out: Float64Array = new Float64Array(instants.length),
): Float64Array {
  if (calendar.kind === 'always') {
    out.set(instants);
    return out;
  }
  const [min, max] = rangeOf(instants);
  if (min <= max) calendar.ensureRange(min, max);
  for (let i = 0; i < instants.length; i++) {
    const t = instants[i]!;
    out[i] = t === t ? calendar.businessTimeAt(t) : NaN;
  }
  return out;
}

/** businessSeconds for pairs (from[i], to[i]) of UTC ms; NaN where either is NaN. */
export function businessSecondsBatch(
  calendar: BusinessCalendar,
  from: Float64Array,
  to: Float64Array,
  out: Float64Array = new Float64Array(from.length),
): Float64Array {
  if (from.length !== to.length) throw new RangeError('from and to must have the same length');
  const [min, max] = rangeOf(from, to);
  if (min <= max) calendar.ensureRange(min, max);
  for (let i = 0; i < from.length; i++) {
    const a = from[i]!;
    const b = to[i]!;
    // A missing instant (NaN) stays missing rather than becoming a made-up duration.
    out[i] = a === a && b === b ? (calendar.businessTimeAt(b) - calendar.businessTimeAt(a)) / 1000 : NaN;
  }
  return out;
}

/**
 * Deadlines for many tickets: the earliest t ≥ from[i] with businessSeconds(from[i], t) =
 * seconds[i], as UTC ms. Pause-adjusted deadlines pass target + paused business seconds.
 * NaN in either input gives NaN.
 */
export function deadlineBatch(
  calendar: BusinessCalendar,
  from: Float64Array,
  seconds: Float64Array,
  out: Float64Array = new Float64Array(from.length),
): Float64Array {
  if (from.length !== seconds.length) throw new RangeError('from and seconds must have the same length');
  const [min, max] = rangeOf(from);
  if (min <= max) calendar.ensureRange(min, max);
  for (let i = 0; i < from.length; i++) {
    const a = from[i]!;
    const s = seconds[i]!;
    if (a !== a || s !== s) {
      out[i] = NaN;
      continue;
    }
    const t = calendar.instantAtBusinessTime(calendar.businessTimeAt(a) + s * 1000);
    out[i] = t > a ? t : a;
  }
  return out;
}

/** B⁻¹ for many business times (as returned by businessTimeBatch): earliest instants, UTC ms. */
export function instantAtBusinessTimeBatch(
  calendar: BusinessCalendar,
  businessTimes: Float64Array,
  out: Float64Array = new Float64Array(businessTimes.length),
): Float64Array {
  for (let i = 0; i < businessTimes.length; i++) out[i] = calendar.instantAtBusinessTime(businessTimes[i]!);
  return out;
}
