import { DateTime } from 'luxon';
import { invalidQuery as invalid } from '../../access/roles.js';
import { parseInstant } from '../../time/parseInstant.js';
import { DIMENSIONS, type Dimension, type MetricDefinition, type MetricQuery } from './types.js';

/** Time buckets and date-only bounds are São Paulo's, whatever the server's zone. */
export const METRICS_ZONE = 'America/Sao_Paulo';
export const TIME_DIMENSIONS: readonly Dimension[] = ['day', 'week', 'month'];

export interface Period {
  /** The bounds as given back to the caller (ISO-8601 UTC). */
  from: string;
  to: string;
  /** Epoch seconds, bound as parameters (to_timestamp($from)). */
  fromSeconds: number;
  toSeconds: number;
}

/**
 * Longest period getFixedOffset samples. Each day sampled costs a few µs of the event loop, so
 * without a bound one request for from=2020-01-01&to=9999-12-31 blocked the server for ~12 s;
 * longer periods take the per-row time-zone conversion, which is correct for any period.
 */
const MAX_FIXED_OFFSET_DAYS = 5 * 366;

/**
 * São Paulo's UTC offset in seconds when it is the same over the whole period (no daylight-saving
 * change inside it: true of every period since 2019), else undefined. Sampled daily: no offset
 * lasts less than a day. With a fixed offset, time buckets are integer arithmetic on the instant
 * instead of a time-zone conversion per row (a tenth of the cost on a million tickets). Periods
 * longer than MAX_FIXED_OFFSET_DAYS answer undefined.
 */
export function getFixedOffset(period: Pick<Period, 'fromSeconds' | 'toSeconds'>): number | undefined {
  const DAY = 86_400;
  if (period.toSeconds - period.fromSeconds > MAX_FIXED_OFFSET_DAYS * DAY) return undefined;
  const offsetAt = (seconds: number) => DateTime.fromSeconds(seconds, { zone: METRICS_ZONE }).offset * 60;
  const first = offsetAt(period.fromSeconds);
  for (let t = period.fromSeconds + DAY; t < period.toSeconds + DAY; t += DAY) {
    if (offsetAt(Math.min(t, period.toSeconds)) !== first) return undefined;
  }
  return first;
}

export interface ParsedMetricQuery extends Period {
  by: Dimension[];
  /** [dimension, value] equality filters, values bound as parameters. */
  filters: [Dimension, string][];
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** An instant with offset, or a date (midnight in São Paulo); undefined when neither. */
export function parseBound(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  if (DATE_ONLY.test(text)) {
    const date = DateTime.fromISO(text, { zone: METRICS_ZONE });
    return date.isValid ? date.toMillis() : undefined;
  }
  return parseInstant(text);
}

/** from (inclusive) and to (exclusive); 400 invalid_query when either is unreadable or from ≥ to. */
export function parsePeriod(from: unknown, to: unknown): Period {
  const start = parseBound(from);
  const end = parseBound(to);
  if (start === undefined) throw invalid(`from: esperava uma data (AAAA-MM-DD) ou um instante ISO-8601 com fuso (recebido "${String(from)}")`);
  if (end === undefined) throw invalid(`to: esperava uma data (AAAA-MM-DD) ou um instante ISO-8601 com fuso (recebido "${String(to)}")`);
  if (start >= end) throw invalid(`o período precisa terminar depois de começar (from ${String(from)}, to ${String(to)})`);
  return { from: new Date(start).toISOString(), to: new Date(end).toISOString(), fromSeconds: start / 1000, toSeconds: end / 1000 };
}

/**
 * Most time buckets a snapshot metric (backlog) is grouped into: ten years of days. Every bucket is
 * joined with the rows open at its end, so a period of centuries by day took seconds and a gigabyte
 * even on seven tickets. Months count as 28 days here (a bound, not a calendar).
 */
export const MAX_SNAPSHOT_BUCKETS = 3_660;
const BUCKET_DAYS = { day: 1, week: 7, month: 28 } as const;

/** Checks a query against its metric: dimensions and filters from the metric's whitelist. */
export function parseMetricQuery(metric: MetricDefinition, query: MetricQuery): ParsedMetricQuery {
  const period = parsePeriod(query.from, query.to);
  const by = [...(query.by ?? [])];
  for (const dimension of by) {
    if (!(DIMENSIONS as readonly string[]).includes(dimension)) {
      throw invalid(`dimensão desconhecida "${String(dimension)}" (conhecidas: ${DIMENSIONS.join(', ')})`);
    }
    if (!metric.dimensions.includes(dimension)) {
      throw invalid(`a métrica ${metric.name} não se agrupa por ${dimension} (permitidas: ${metric.dimensions.join(', ') || 'nenhuma'})`);
    }
  }
  if (new Set(by).size !== by.length) throw invalid('dimensão repetida em by');
  const times = by.filter((d) => TIME_DIMENSIONS.includes(d));
  if (times.length > 1) throw invalid('no máximo uma dimensão de tempo (day, week ou month)');
  if (metric.snapshotEnd !== undefined && times[0] !== undefined) {
    // A snapshot joins every bucket of the period with the rows open at its end.
    const buckets = Math.ceil((period.toSeconds - period.fromSeconds) / (86_400 * BUCKET_DAYS[times[0] as keyof typeof BUCKET_DAYS]));
    if (buckets > MAX_SNAPSHOT_BUCKETS) {
      throw invalid(`${metric.name} por ${times[0]}: no máximo ${MAX_SNAPSHOT_BUCKETS} intervalos no período (pedidos ${buckets}); use um período menor ou week/month`);
    }
  }
  const filters: [Dimension, string][] = [];
  for (const [dimension, value] of Object.entries(query.filters ?? {})) {
    if (value === undefined) continue;
    const d = dimension as Dimension;
    if (TIME_DIMENSIONS.includes(d) || !metric.dimensions.includes(d)) {
      throw invalid(`a métrica ${metric.name} não se filtra por ${dimension}`);
    }
    if (typeof value !== 'string') throw invalid(`filtro ${dimension}: esperava texto`);
    filters.push([d, value]);
  }
  return { ...period, by, filters };
}
