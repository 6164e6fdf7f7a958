import { quoteIdent } from '../../db/sqlText.js';
import type { ParsedMetricQuery } from './parseMetricQuery.js';
import { getFixedOffset, METRICS_ZONE, TIME_DIMENSIONS } from './parseMetricQuery.js';
import type { Dimension, MetricDefinition } from './types.js';

/** The relation each metric source reads (views of 005_satisfaction.sql besides ticket_sla). */
const RELATIONS: Record<MetricDefinition['source'], string> = {
  ticket_sla: 'ticket_sla',
  survey: 'survey_facts',
  survey_tickets: 'survey_ticket_facts',
  quick_service: 'quick_service_facts',
};

/** The whitelist: the only SQL a requested dimension turns into. Every source has these columns. */
const COLUMNS: Record<Exclude<Dimension, 'day' | 'week' | 'month'>, string> = {
  severity: 'severity',
  client: 'client',
  analyst: 'analyst',
  category: 'category',
  channel: 'channel',
};

export interface CompiledMetric {
  sql: string;
  params: Record<string, number | string>;
  /** The row keys besides value (requested dimensions, then the metric's breakdown). */
  keys: string[];
}

/** A local (São Paulo) timestamp truncated to the bucket's start. */
const truncate = (dimension: Dimension, instant: string) => `date_trunc('${dimension}', timezone('${METRICS_ZONE}', ${instant}))`;

const US_PER_DAY = 86_400_000_000;
/** The local day number (days since 1970-01-01 in São Paulo) with a fixed offset $offset_us. */
const localDay = (instant: string) => `((epoch_us(${instant}) + $offset_us) // ${US_PER_DAY})`;

/**
 * A time bucket as a value to group by and the SQL that formats it as YYYY-MM-DD. With a fixed
 * offset: integer arithmetic (weeks start on Monday 1970-01-05, day 4); otherwise a time-zone
 * conversion per row, correct across daylight-saving changes.
 */
function timeBucket(dimension: Dimension, instant: string, fixedOffset: boolean): { group: string; format: (g: string) => string } {
  const asText = (date: string) => `strftime(${date}, '%Y-%m-%d')`;
  if (!fixedOffset) return { group: truncate(dimension, instant), format: asText };
  if (dimension === 'day') return { group: localDay(instant), format: (g) => asText(`DATE '1970-01-01' + ${g}::INTEGER`) };
  if (dimension === 'week') return { group: `((${localDay(instant)} - 4) // 7)`, format: (g) => asText(`DATE '1970-01-05' + (7 * ${g})::INTEGER`) };
  return { group: `date_trunc('month', DATE '1970-01-01' + ${localDay(instant)}::INTEGER)`, format: asText };
}

/**
 * Compiles one metric query to one SQL statement. Values (period bounds, filter values) are bound
 * parameters; the SQL text comes only from the registry and the whitelist above. Grouping happens
 * on raw values (a truncated timestamp, the severity enum) in an inner query and the outer query
 * formats them, so formatting runs once per group and rows sort in the enum's order.
 *
 * The inner query yields g0…gn (requested dimensions), b (breakdown), value and, for satisfaction
 * metrics, answers: the number of answers in the row's group (the requested dimensions).
 */
export function compileMetricSql(metric: MetricDefinition, query: ParsedMetricQuery): CompiledMetric {
  const snapshot = metric.snapshotEnd !== undefined;
  // Integer buckets need a constant offset and instants from 1970's second week on (// truncates
  // toward zero, so a negative day or week number would land in the wrong bucket).
  const offset = query.fromSeconds >= 7 * 86_400 && !snapshot ? getFixedOffset(query) : undefined;
  const formats: ((g: string) => string)[] = [];
  const groups = query.by.map((dimension) => {
    if (!TIME_DIMENSIONS.includes(dimension)) {
      formats.push((g) => `${g}::VARCHAR`);
      return COLUMNS[dimension as keyof typeof COLUMNS];
    }
    const bucket = snapshot
      ? { group: 'bucket', format: (g: string) => `strftime(${g}, '%Y-%m-%d')` }
      : timeBucket(dimension, '__t', offset !== undefined);
    formats.push(bucket.format);
    return bucket.group;
  });
  const partition = groups.length > 0 ? `PARTITION BY ${groups.join(', ')}` : '';
  const inner = [
    ...groups.map((g, i) => `${g} AS g${i}`),
    ...(metric.breakdown ? [`${metric.breakdown.expression} AS b`] : []),
    `(${metric.expression.replaceAll('{partition}', partition)})::DOUBLE AS value`,
    ...(metric.satisfaction ? [`(sum(${metric.answers ?? 'count(*)'}) OVER (${partition}))::DOUBLE AS answers`] : []),
  ];
  const keys = [...query.by, ...(metric.breakdown ? [metric.breakdown.key] : [])];
  const outer = [
    ...query.by.map((dimension, i) => `${formats[i]!(`g${i}`)} AS ${quoteIdent(dimension)}`),
    ...(metric.breakdown ? [`b::VARCHAR AS ${quoteIdent(metric.breakdown.key)}`] : []),
    'value',
    ...(metric.satisfaction ? ['answers'] : []),
  ];
  const params: Record<string, number | string> = { from: query.fromSeconds, to: query.toSeconds, offset_us: (offset ?? 0) * 1_000_000 };
  const where = query.filters.map(([dimension, value], i) => {
    params[`f${i}`] = value;
    return `${COLUMNS[dimension as keyof typeof COLUMNS]}::VARCHAR = $f${i}`;
  });
  const groupKeys = [...groups.map((_, i) => `g${i}`), ...(metric.breakdown ? ['b'] : [])];
  const from = snapshot ? snapshotFrom(metric, query, where) : flowFrom(metric, where);
  const sql = `SELECT ${outer.join(', ')} FROM (
  SELECT ${inner.join(', ')}
  ${from}${groupKeys.length > 0 ? `\n  GROUP BY ${groupKeys.join(', ')}` : ''}
)${groupKeys.length > 0 ? ` ORDER BY ${groupKeys.map((k) => `${k} NULLS LAST`).join(', ')}` : ''}`;
  // DuckDB refuses a bound parameter the statement does not use (a snapshot without buckets has no $from).
  const used = Object.fromEntries(Object.entries(params).filter(([name]) => new RegExp(`\\$${name}\\b`).test(sql)));
  return { sql, params: used, keys };
}

/** Rows whose time column (computed once per row, as __t) falls in the period. */
function flowFrom(metric: MetricDefinition, where: string[]): string {
  return `FROM (SELECT *, (${metric.timeColumn}) AS __t FROM ${RELATIONS[metric.source]}) AS facts
  WHERE ${['__t >= to_timestamp($from)', '__t < to_timestamp($to)', ...where].join(' AND ')}`;
}

/**
 * Rows open at the end of the period, or of each time bucket (then the bucket column is the
 * bucket's local start): started before that instant and not ended by it.
 */
function snapshotFrom(metric: MetricDefinition, query: ParsedMetricQuery, where: string[]): string {
  const start = `(${metric.timeColumn})`;
  const end = `coalesce(${metric.snapshotEnd}, 'infinity'::TIMESTAMPTZ)`;
  const relation = RELATIONS[metric.source];
  const time = query.by.find((d) => TIME_DIMENSIONS.includes(d));
  if (time === undefined) {
    return `FROM ${relation}
  WHERE ${[`${start} < to_timestamp($to)`, `${end} >= to_timestamp($to)`, ...where].join(' AND ')}`;
  }
  const step = `INTERVAL 1 ${time.toUpperCase()}`;
  const buckets = `(SELECT bucket, least(timezone('${METRICS_ZONE}', bucket + ${step}), to_timestamp($to)) AS bucket_end
    FROM generate_series(${truncate(time, 'to_timestamp($from)')}, timezone('${METRICS_ZONE}', to_timestamp($to)) - INTERVAL 1 MICROSECOND, ${step}) AS s(bucket))`;
  return `FROM ${buckets} AS buckets
  JOIN ${relation} ON ${start} < buckets.bucket_end AND ${end} >= buckets.bucket_end${where.length > 0 ? `\n  WHERE ${where.join(' AND ')}` : ''}`;
}
