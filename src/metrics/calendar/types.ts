/** A span of wall-clock time within one local day, in minutes since local midnight: [from, to). */
export interface WallWindow {
  from: number;
  to: number;
}

/**
 * A day (or part of a day) on which a calendar is closed although its weekly hours say open:
 * a holiday or a one-off closure. `date` is the local date; without `from`/`to` the whole day closes.
 */
export interface Closure {
  date: string;
  name: string;
  from?: number;
  to?: number;
}

/** Open around the clock: business time is elapsed time (24x7). */
export interface AlwaysOpenSpec {
  kind: 'always';
  name: string;
}

/** Open on weekly wall-clock hours in one time zone, minus holidays and closures (8x5). */
export interface WeeklySpec {
  kind: 'weekly';
  name: string;
  /** IANA zone, e.g. America/Sao_Paulo. */
  timezone: string;
  /** Seven lists of windows, Monday first. */
  week: WallWindow[][];
  /** Closures falling on local dates of `year`; called once per year as the range grows. */
  closuresForYear: (year: number) => Closure[];
}

export type CalendarSpec = AlwaysOpenSpec | WeeklySpec;

/** An open interval in UTC epoch milliseconds: [from, to). */
export interface OpenInterval {
  from: number;
  to: number;
}

/**
 * A compiled calendar. Times are UTC epoch milliseconds; "business time" B(t) is the number of
 * open milliseconds since a fixed origin, so every SLA number is a difference or an inverse of it.
 * `businessTimeAt` and `instantAtBusinessTime` require the range to be ensured first; the
 * functions in businessTime.ts do that for you.
 */
export interface BusinessCalendar {
  readonly name: string;
  readonly kind: CalendarSpec['kind'];
  /** Makes the interval table cover [fromMs, toMs]; B values already handed out stay valid. */
  ensureRange(fromMs: number, toMs: number): void;
  /** B(t): open milliseconds from the calendar's origin to t. */
  businessTimeAt(t: number): number;
  /** B⁻¹(b): the earliest instant t with B(t) = b (extends the range forward as needed). */
  instantAtBusinessTime(b: number): number;
  /** Open intervals clipped to [fromMs, toMs). */
  openIntervals(fromMs: number, toMs: number): OpenInterval[];
  /** The instant n business days after t (see addBusinessDays in businessTime.ts). */
  addBusinessDays(t: number, n: number): number;
}
