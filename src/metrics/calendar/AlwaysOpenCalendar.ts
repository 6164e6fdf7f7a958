import type { BusinessCalendar, OpenInterval } from './types.js';

const DAY = 86_400_000;

/** 24x7: every elapsed millisecond counts, across daylight-saving changes too. B is the identity. */
export class AlwaysOpenCalendar implements BusinessCalendar {
  readonly kind = 'always' as const;

  constructor(readonly name: string) {}

  ensureRange(fromMs: number, toMs: number): void {
    if (!Number.isFinite(fromMs) || !Number.isFinite(toMs)) throw new RangeError('instant is not a finite time');
  }

  businessTimeAt(t: number): number {
    return t;
  }

  instantAtBusinessTime(b: number): number {
    return b;
  }

  openIntervals(fromMs: number, toMs: number): OpenInterval[] {
    return fromMs < toMs ? [{ from: fromMs, to: toMs }] : [];
  }

  /** Every day is a business day and lasts 24 elapsed hours. */
  addBusinessDays(t: number, n: number): number {
    return t + n * DAY;
  }
}
