import { IANAZone } from 'luxon';

const MINUTE = 60_000;
const SAMPLE_STEP = 6 * 3_600_000;

/**
 * The UTC offsets of one IANA zone over a span of time, as segments of constant offset, so that
 * converting between UTC and wall-clock time is a binary search instead of a tz-database call.
 * Offsets change at most a few times a year (Brazil had daylight saving until 2019), so sampling
 * every 6 hours and bisecting each change finds every transition.
 */
export class ZoneOffsets {
  /** segStart[i] is the first UTC ms of segment i; segment i ends where i + 1 starts. */
  private segStart = new Float64Array(0);
  /** Offset of segment i in ms (wall = utc + offset). */
  private segOffset = new Float64Array(0);

  constructor(
    private readonly zone: IANAZone,
    fromMs: number,
    toMs: number,
  ) {
    this.build(fromMs, toMs);
  }

  static create(timezone: string, fromMs: number, toMs: number): ZoneOffsets {
    const zone = IANAZone.create(timezone);
    if (!zone.isValid) throw new Error(`unknown time zone "${timezone}"`);
    return new ZoneOffsets(zone, fromMs, toMs);
  }

  /** Rebuilds the segments to cover [fromMs, toMs]. */
  build(fromMs: number, toMs: number): void {
    const offsetAt = (t: number) => this.zone.offset(t) * MINUTE;
    const starts: number[] = [-Infinity];
    const offsets: number[] = [offsetAt(fromMs)];
    let previous = fromMs;
    let previousOffset = offsets[0]!;
    for (let t = fromMs + SAMPLE_STEP; previous < toMs; t += SAMPLE_STEP) {
      const offset = offsetAt(t);
      if (offset !== previousOffset) {
        // Bisect (previous, t] for the first instant with the new offset.
        let lo = previous;
        let hi = t;
        while (hi - lo > 1) {
          const mid = Math.floor((lo + hi) / 2);
          if (offsetAt(mid) === previousOffset) lo = mid;
          else hi = mid;
        }
        starts.push(hi);
        offsets.push(offset);
        previousOffset = offset;
      }
      previous = t;
    }
    this.segStart = Float64Array.from(starts);
    this.segOffset = Float64Array.from(offsets);
  }

  get segmentCount(): number {
    return this.segStart.length;
  }

  /** Index of the segment containing UTC instant t. */
  segmentOf(t: number): number {
    const s = this.segStart;
    let lo = 1;
    let hi = s.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (s[mid]! <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }

  segmentStart(i: number): number {
    return this.segStart[i]!;
  }

  segmentEnd(i: number): number {
    return i + 1 < this.segStart.length ? this.segStart[i + 1]! : Infinity;
  }

  segmentOffset(i: number): number {
    return this.segOffset[i]!;
  }

  /** Wall-clock ms (local time written as if it were UTC) of UTC instant t. */
  toWall(t: number): number {
    return t + this.segOffset[this.segmentOf(t)]!;
  }

  /**
   * The UTC instant at which the wall clock reads `wall`. An ambiguous wall time (clocks set back)
   * gives its first occurrence; a wall time skipped by clocks set forward is read with the offset
   * before the change, i.e. it lands as far after the change as it was meant to be after the gap start.
   */
  fromWall(wall: number): number {
    const k = this.segmentOf(wall - this.segOffset[this.segmentOf(wall)]!);
    let best = Infinity;
    for (let c = Math.max(0, k - 1); c <= Math.min(this.segStart.length - 1, k + 1); c++) {
      const t = wall - this.segOffset[c]!;
      if (t >= this.segStart[c]! && t < this.segmentEnd(c) && t < best) best = t;
    }
    if (best !== Infinity) return best;
    return wall - this.segOffset[Math.max(0, k - 1)]!;
  }
}
