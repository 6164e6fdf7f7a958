import type { BusinessCalendar, Closure, OpenInterval, WallWindow, WeeklySpec } from './types.js';
import { ZoneOffsets } from './ZoneOffsets.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Every zone's offset lies within ±14 h, so a UTC instant this far inside a year is in that year locally. */
const ZONE_MARGIN = 14 * HOUR;
/** Width, in open time, of a bucket of the B⁻¹ index. */
const B_BUCKET = HOUR;
export const MIN_YEAR = 1900;
export const MAX_YEAR = 2200;

/** Index of the last element ≤ x in a sorted array, or -1. */
function lastAtOrBefore(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** Index of the first element ≥ x in a sorted array (length when none). */
function firstAtOrAfter(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function utcYear(t: number): number {
  return new Date(t).getUTCFullYear();
}

/** The weekly windows of one local date after its partial closures are cut out. */
function windowsOfDay(week: WallWindow[][], weekday: number, closures: Closure[] | undefined): WallWindow[] {
  let windows = week[weekday] ?? [];
  if (!closures) return windows;
  for (const closure of closures) {
    if (closure.from === undefined && closure.to === undefined) return [];
    const from = closure.from ?? 0;
    const to = closure.to ?? 1440;
    windows = windows.flatMap((w) => {
      const kept: WallWindow[] = [];
      if (w.from < Math.min(from, w.to)) kept.push({ from: w.from, to: Math.min(from, w.to) });
      if (Math.max(to, w.from) < w.to) kept.push({ from: Math.max(to, w.from), to: w.to });
      return kept;
    });
  }
  return windows;
}

interface YearsTable {
  starts: number[];
  ends: number[];
  /** Wall-clock ms of local midnight of each day with open hours. */
  days: number[];
  /** UTC ms of the first open instant of each of those days. */
  dayFirstOpen: number[];
}

/**
 * A calendar open on weekly wall-clock hours in one zone, minus closures. Holds the sorted open
 * intervals in UTC over whole local years with the prefix sums of their lengths, so that
 * B(t) and B⁻¹(b) are binary searches. The table grows by whole years when an instant falls
 * outside it; B values keep their origin when it grows.
 */
export class WeeklyCalendar implements BusinessCalendar {
  readonly kind = 'weekly' as const;
  readonly name: string;
  private starts = new Float64Array(0);
  private ends = new Float64Array(0);
  /** cum[i] = B(starts[i]); cum[i + 1] = cum[i] + (ends[i] − starts[i]). Length = intervals + 1. */
  private cum = new Float64Array(1);
  /** starts followed by +Infinity, so forward scans need no bounds check. */
  private startsPadded = new Float64Array([Infinity]);
  /** dayIndex[d]: the last interval starting at or before UTC midnight of day (day0 + d), or -1. */
  private dayIndex = new Int32Array(0);
  private day0 = 0;
  /** bIndex[q]: the first interval k with cum[k + 1] ≥ cum[0] + q · B_BUCKET (shift-invariant). */
  private bIndex = new Int32Array(0);
  private days = new Float64Array(0);
  private dayFirstOpen = new Float64Array(0);
  private firstYear = 0;
  private lastYear = -1;
  private offsets: ZoneOffsets | undefined;
  private readonly closureCache = new Map<number, Map<string, Closure[]>>();

  constructor(private readonly spec: WeeklySpec) {
    this.name = spec.name;
    if (spec.week.length !== 7) throw new Error(`calendar ${spec.name}: week must list 7 days, Monday first`);
    if (spec.week.every((windows) => windows.length === 0)) throw new Error(`calendar ${spec.name} is never open`);
    ZoneOffsets.create(spec.timezone, 0, 0); // fails early on an unknown zone
  }

  /** Number of open intervals currently built (for tests and diagnostics). */
  get intervalCount(): number {
    return this.starts.length;
  }

  get builtYears(): [number, number] {
    return [this.firstYear, this.lastYear];
  }

  ensureRange(fromMs: number, toMs: number): void {
    if (!Number.isFinite(fromMs) || !Number.isFinite(toMs)) throw new RangeError('instant is not a finite time');
    if (this.lastYear >= this.firstYear) {
      const lo = Date.UTC(this.firstYear, 0, 1) + ZONE_MARGIN;
      const hi = Date.UTC(this.lastYear + 1, 0, 1) - ZONE_MARGIN;
      if (fromMs >= lo && toMs < hi) return;
    }
    const first = utcYear(Math.min(fromMs, toMs)) - 1;
    const last = utcYear(Math.max(fromMs, toMs)) + 1;
    if (first < MIN_YEAR || last > MAX_YEAR) {
      throw new RangeError(`instant outside the supported years ${MIN_YEAR + 1}–${MAX_YEAR - 1}`);
    }
    this.growTo(first, last);
  }

  businessTimeAt(t: number): number {
    // Start from t's UTC day in the day index and scan forward over that day's few intervals:
    // a random-order binary search over thousands of intervals mispredicts at every step.
    const d = Math.floor(t / DAY) - this.day0;
    let k: number;
    if (d >= 0 && d < this.dayIndex.length) {
      k = this.dayIndex[d]!;
      const starts = this.startsPadded;
      while (starts[k + 1]! <= t) k++;
    } else {
      k = lastAtOrBefore(this.starts, t);
    }
    if (k < 0) return this.cum[0]!;
    const s = this.starts[k]!;
    const e = this.ends[k]!;
    return this.cum[k]! + (t < e ? t - s : e - s);
  }

  instantAtBusinessTime(b: number): number {
    if (this.lastYear < this.firstYear) {
      // B values come from businessTimeAt on a built table; before that there is no origin.
      throw new RangeError(`calendar ${this.name}: no business time computed yet, so there is none to invert`);
    }
    while (b > this.cum[this.cum.length - 1]! || this.starts.length === 0) {
      if (this.lastYear + 1 >= MAX_YEAR) {
        throw new RangeError(`calendar ${this.name} has no more open hours before ${MAX_YEAR}`);
      }
      this.growTo(this.firstYear, this.lastYear + 5);
    }
    // The first interval whose end cum (cum[k + 1]) reaches b: start from b's bucket, scan forward.
    const cum = this.cum;
    const q = Math.floor((b - cum[0]!) / B_BUCKET);
    let k = q > 0 ? this.bIndex[Math.min(q, this.bIndex.length - 1)]! : 0;
    while (cum[k + 1]! < b) k++;
    if (b <= this.cum[k]!) return this.starts[k]!;
    return this.starts[k]! + (b - this.cum[k]!);
  }

  openIntervals(fromMs: number, toMs: number): OpenInterval[] {
    this.ensureRange(fromMs, toMs);
    const out: OpenInterval[] = [];
    let k = Math.max(0, lastAtOrBefore(this.starts, fromMs));
    for (; k < this.starts.length && this.starts[k]! < toMs; k++) {
      const from = Math.max(fromMs, this.starts[k]!);
      const to = Math.min(toMs, this.ends[k]!);
      if (from < to) out.push({ from, to });
    }
    return out;
  }

  addBusinessDays(t: number, n: number): number {
    this.ensureRange(t, t);
    const offsets = this.offsets!;
    const wall = offsets.toWall(t);
    const midnight = Math.floor(wall / DAY) * DAY;
    let i = firstAtOrAfter(this.days, midnight);
    while (i + n >= this.days.length) {
      if (this.lastYear + 1 >= MAX_YEAR) throw new RangeError(`calendar ${this.name} has no business days left`);
      this.growTo(this.firstYear, this.lastYear + 5);
      i = firstAtOrAfter(this.days, midnight);
    }
    if (this.days[i] === midnight) return this.offsets!.fromWall(this.days[i + n]! + (wall - midnight));
    return this.dayFirstOpen[i + n]!;
  }

  /** The day and business-time indexes that let B and B⁻¹ start next to their answer. */
  private buildIndexes(): void {
    const n = this.starts.length;
    this.startsPadded = new Float64Array(n + 1);
    this.startsPadded.set(this.starts);
    this.startsPadded[n] = Infinity;
    if (n === 0) return;
    this.day0 = Math.floor(this.starts[0]! / DAY);
    const dayCount = Math.floor(this.ends[n - 1]! / DAY) - this.day0 + 1;
    this.dayIndex = new Int32Array(dayCount);
    let k = -1;
    for (let d = 0; d < dayCount; d++) {
      const midnight = (this.day0 + d) * DAY;
      while (k + 1 < n && this.starts[k + 1]! <= midnight) k++;
      this.dayIndex[d] = k;
    }
    const cum = this.cum;
    const buckets = Math.floor((cum[n]! - cum[0]!) / B_BUCKET) + 1;
    this.bIndex = new Int32Array(buckets);
    k = 0;
    for (let q = 0; q < buckets; q++) {
      const b = cum[0]! + q * B_BUCKET;
      while (k < n - 1 && cum[k + 1]! < b) k++;
      this.bIndex[q] = k;
    }
  }

  private closuresOn(year: number): Map<string, Closure[]> {
    let byDate = this.closureCache.get(year);
    if (!byDate) {
      byDate = new Map();
      for (const closure of this.spec.closuresForYear(year)) {
        const list = byDate.get(closure.date) ?? [];
        list.push(closure);
        byDate.set(closure.date, list);
      }
      this.closureCache.set(year, byDate);
    }
    return byDate;
  }

  /** Builds local years [first, last] into the table, keeping B's origin. */
  private growTo(first: number, last: number): void {
    if (first < MIN_YEAR || last > MAX_YEAR) throw new RangeError(`calendar ${this.name}: years ${first}–${last} are outside ${MIN_YEAR}–${MAX_YEAR}`);
    const built = this.lastYear >= this.firstYear;
    first = built ? Math.min(first, this.firstYear) : first;
    last = built ? Math.max(last, this.lastYear) : last;
    this.offsets = ZoneOffsets.create(this.spec.timezone, Date.UTC(first - 1, 11, 30), Date.UTC(last + 1, 0, 3));

    const before = built && first < this.firstYear ? this.buildYears(first, this.firstYear - 1) : undefined;
    const after = built && last > this.lastYear ? this.buildYears(this.lastYear + 1, last) : undefined;
    const fresh = built ? undefined : this.buildYears(first, last);
    const anchor = this.starts.length > 0 ? this.starts[0]! : undefined;
    const anchorB = this.cum[0]!;

    const parts: YearsTable[] = [];
    if (before) parts.push(before);
    if (built) {
      parts.push({
        starts: Array.from(this.starts),
        ends: Array.from(this.ends),
        days: Array.from(this.days),
        dayFirstOpen: Array.from(this.dayFirstOpen),
      });
    }
    if (after) parts.push(after);
    if (fresh) parts.push(fresh);

    const starts: number[] = [];
    const ends: number[] = [];
    for (const part of parts) {
      for (let i = 0; i < part.starts.length; i++) {
        const s = part.starts[i]!;
        const e = part.ends[i]!;
        const last = ends.length - 1;
        if (last >= 0 && s < ends[last]!) throw new Error(`calendar ${this.name}: overlapping open intervals`);
        if (last >= 0 && s === ends[last]) ends[last] = e;
        else {
          starts.push(s);
          ends.push(e);
        }
      }
    }
    this.starts = Float64Array.from(starts);
    this.ends = Float64Array.from(ends);
    this.cum = new Float64Array(starts.length + 1);
    for (let i = 0; i < starts.length; i++) this.cum[i + 1] = this.cum[i]! + (ends[i]! - starts[i]!);
    this.buildIndexes(); // before the shift below, which calls businessTimeAt on the new table
    if (anchor !== undefined) {
      const shift = anchorB - this.businessTimeAt(anchor);
      for (let i = 0; i < this.cum.length; i++) this.cum[i] = this.cum[i]! + shift;
    }
    this.days = Float64Array.from(parts.flatMap((p) => p.days));
    this.dayFirstOpen = Float64Array.from(parts.flatMap((p) => p.dayFirstOpen));
    this.firstYear = first;
    this.lastYear = last;
  }

  /** Open intervals of local years [first, last], in UTC, in order. */
  private buildYears(first: number, last: number): YearsTable {
    const offsets = this.offsets!;
    const table: YearsTable = { starts: [], ends: [], days: [], dayFirstOpen: [] };
    const end = Date.UTC(last + 1, 0, 1);
    for (let midnight = Date.UTC(first, 0, 1); midnight < end; midnight += DAY) {
      const date = new Date(midnight);
      const weekday = (date.getUTCDay() + 6) % 7;
      const closures = this.closuresOn(date.getUTCFullYear()).get(date.toISOString().slice(0, 10));
      // Pieces of one day can come out of order in UTC (windows listed in any order, or two
      // windows inside an hour the clocks repeat), so sort the day before appending it.
      const pieces: OpenInterval[] = [];
      for (const window of windowsOfDay(this.spec.week, weekday, closures)) {
        pushWallSpan(offsets, midnight + window.from * MINUTE, midnight + window.to * MINUTE, pieces);
      }
      if (pieces.length > 0) {
        pieces.sort((a, b) => a.from - b.from);
        for (const piece of pieces) {
          table.starts.push(piece.from);
          table.ends.push(piece.to);
        }
        table.days.push(midnight);
        table.dayFirstOpen.push(pieces[0]!.from);
      }
    }
    return table;
  }
}

/**
 * The UTC instants whose wall clock lies in [wallFrom, wallTo): one interval, or two around an
 * offset change (a repeated hour is open twice, a skipped hour not at all).
 */
function pushWallSpan(offsets: ZoneOffsets, wallFrom: number, wallTo: number, out: OpenInterval[]): void {
  const k = offsets.segmentOf(wallFrom - offsets.segmentOffset(offsets.segmentOf(wallFrom)));
  for (let c = Math.max(0, k - 1); c <= Math.min(offsets.segmentCount - 1, k + 1); c++) {
    const offset = offsets.segmentOffset(c);
    const from = Math.max(wallFrom - offset, offsets.segmentStart(c));
    const to = Math.min(wallTo - offset, offsets.segmentEnd(c));
    if (from < to) out.push({ from, to });
  }
}
