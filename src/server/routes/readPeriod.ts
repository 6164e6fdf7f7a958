import { DateTime } from 'luxon';
import { METRICS_ZONE as ZONE } from '../../metrics/registry/parseMetricQuery.js';
import type { Dimension, MetricQuery } from '../../metrics/registry/types.js';

/** Length of the default period, in days, ending with today (São Paulo). */
export const DEFAULT_PERIOD_DAYS = 28;
export const FILTER_DIMENSIONS = ['severity', 'client', 'analyst', 'category', 'channel'] as const;

export interface PeriodDates {
  /** YYYY-MM-DD, inclusive. */
  from: string;
  /** YYYY-MM-DD, exclusive. */
  to: string;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The last DEFAULT_PERIOD_DAYS days up to and including today in São Paulo. */
export function defaultPeriod(now: number): PeriodDates {
  const tomorrow = DateTime.fromMillis(now, { zone: ZONE }).startOf('day').plus({ days: 1 });
  return { from: tomorrow.minus({ days: DEFAULT_PERIOD_DAYS }).toISODate()!, to: tomorrow.toISODate()! };
}

/** The period of the same length just before `period` (dates only; instants are kept as they are). */
export function previousPeriod(period: PeriodDates): PeriodDates | undefined {
  if (!DATE.test(period.from) || !DATE.test(period.to)) return undefined;
  const from = DateTime.fromISO(period.from, { zone: ZONE });
  const to = DateTime.fromISO(period.to, { zone: ZONE });
  const days = Math.round(to.diff(from, 'days').days);
  return { from: from.minus({ days }).toISODate()!, to: period.from };
}

/**
 * The range trend charts show: `weeks` weeks ending at the period's end (or the whole period when
 * longer), starting on the first day of a bucket — a Monday for weekly charts, the 1st for monthly
 * ones — so the first point counts a whole week or month, not the few days the window cut off.
 * The last bucket ends with the period, and may be partial (the caption says up to when).
 */
export function trendPeriod(period: PeriodDates, weeks = 26, bucket: 'week' | 'month' = 'week'): PeriodDates {
  if (!DATE.test(period.to)) return period;
  const to = DateTime.fromISO(period.to, { zone: ZONE });
  const back = to.minus({ weeks }).toISODate()!;
  const from = DateTime.fromISO(DATE.test(period.from) && period.from < back ? period.from : back, { zone: ZONE }).startOf(bucket);
  return { from: from.toISODate()!, to: period.to };
}

/** from and to from the query string (any text: the registry validates it), else the default period. */
export function readPeriod(query: Record<string, string | undefined>, now: number): PeriodDates {
  const fallback = defaultPeriod(now);
  return { from: query.from || fallback.from, to: query.to || fallback.to };
}

/** `by=week,severity` or repeated `by`: names as given; the registry refuses unknown ones (400). */
export function readBy(values: string[] | undefined): Dimension[] {
  return (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean) as Dimension[];
}

/** Equality filters from the query string, for the filterable dimensions only. */
export function readFilters(query: Record<string, string | undefined>): NonNullable<MetricQuery['filters']> {
  const filters: NonNullable<MetricQuery['filters']> = {};
  for (const d of FILTER_DIMENSIONS) if (query[d]) filters[d] = query[d];
  return filters;
}
