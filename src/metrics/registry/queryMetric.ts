import type { DuckDBConnection } from '@duckdb/node-api';
import { AccessError, type Caller, forbidden, invalidQuery } from '../../access/roles.js';
import type { Database } from '../../db/openDatabase.js';
import { accessSatisfaction, protectsAggregates, type SatisfactionOptions } from '../satisfaction/accessSatisfaction.js';
import { type CompiledMetric, compileMetricSql } from './compileMetricSql.js';
import { METRICS } from './metrics.js';
import { METRICS_ZONE, parseMetricQuery, parsePeriod } from './parseMetricQuery.js';
import { DateTime } from 'luxon';
import type { MetricDefinition, MetricQuery, MetricResult, MetricRow } from './types.js';

export type QueryMetricOptions = SatisfactionOptions;

/** The metric named, or 404 unknown_metric. */
export function getMetric(name: string): MetricDefinition {
  const metric = METRICS.get(name);
  if (!metric) throw new AccessError(404, 'unknown_metric', `métrica desconhecida: ${name}`);
  return metric;
}

/**
 * Reads one metric by name for a caller: 404 unknown_metric, 403 forbidden for a role the metric
 * does not list, 400 invalid_query for a bad period, dimension or filter. One SQL statement with
 * bound parameters. Satisfaction metrics go through the satisfaction zone (audited, small groups
 * suppressed outside the lead role).
 */
export async function queryMetric(db: Database, caller: Caller, query: MetricQuery, options: QueryMetricOptions = {}): Promise<MetricResult> {
  const metric = getMetric(query.name);
  if (metric.satisfaction) return querySatisfactionMetric(db, caller, metric, query, options);
  if (!metric.roles.includes(caller.role)) throw forbidden(`o perfil ${caller.role} não pode ler a métrica ${metric.name}`);
  const parsed = parseMetricQuery(metric, query);
  const compiled = compileMetricSql(metric, parsed);
  const connection = await db.connect();
  try {
    const rows = await readMetricRows(connection, compiled);
    return { metric: describe(metric), from: parsed.from, to: parsed.to, by: parsed.by, rows, suppressed: 0 };
  } finally {
    connection.closeSync();
  }
}

async function querySatisfactionMetric(
  db: Database,
  caller: Caller,
  metric: MetricDefinition,
  query: MetricQuery,
  options: QueryMetricOptions,
): Promise<MetricResult> {
  // The zone checks the role before the query is even parsed: an analyst learns nothing, not even
  // whether the query was valid.
  let parsed: ReturnType<typeof parseMetricQuery> | undefined;

  const { rows, suppressed } = await accessSatisfaction<MetricRow>(
    db,
    caller,
    {
      action: 'satisfaction.read_metric',
      target: metric.name,
      detail: { from: query.from, to: query.to, by: query.by ?? [], filters: query.filters ?? {} },
      roles: metric.roles,
      run: async (connection) => {
        // Protected aggregates cover whole weeks: two periods a second apart would otherwise
        // tell one answer's rating by difference, past the small-group suppression.
        const seen = protectsAggregates(caller.role) ? { ...query, ...coarsenToWeeks(query) } : query;
        parsed = parseMetricQuery(metric, seen);
        return readMetricRows(connection, compileMetricSql(metric, parsed));
      },
      groupOf: (row) => ({ key: parsed!.by.map((d) => String(row[d])).join('\u0000'), answers: Number(row.answers ?? 0) }),
    },
    options,
  );
  for (const row of rows) delete row.answers;
  return { metric: describe(metric), from: parsed!.from, to: parsed!.to, by: parsed!.by, rows, suppressed };
}

/** Rows as plain JSON values: DOUBLE values, VARCHAR keys (BIGINT never reaches the caller). */
async function readMetricRows(connection: DuckDBConnection, compiled: CompiledMetric): Promise<MetricRow[]> {
  const reader = await connection.runAndReadAll(compiled.sql, compiled.params);
  return reader.getRowObjectsJS().map((raw) => {
    const row = {} as MetricRow;
    for (const [key, value] of Object.entries(raw)) {
      row[key] = typeof value === 'bigint' ? Number(value) : (value as string | number | null);
    }
    if (typeof row.value !== 'number' || !Number.isFinite(row.value)) row.value = null;
    return row;
  });
}

function describe(metric: MetricDefinition): MetricResult['metric'] {
  return { name: metric.name, label: metric.label, format: metric.format, ...(metric.target !== undefined ? { target: metric.target } : {}) };
}

/**
 * The period widened to whole weeks (Monday 00:00 in São Paulo, the metrics' zone), and `day`
 * refused: the granularity at which protected readers (protectsAggregates) see satisfaction.
 */
export function coarsenToWeeks(query: MetricQuery): Pick<MetricQuery, 'from' | 'to'> {
  if (query.by?.includes('day')) {
    throw invalidQuery('satisfação por dia é só para líderes: agrupe por semana ou mês');
  }
  const period = parsePeriod(query.from, query.to);
  const monday = (seconds: number) => DateTime.fromSeconds(seconds, { zone: METRICS_ZONE }).startOf('week');
  const from = monday(period.fromSeconds);
  const lastMonday = monday(period.toSeconds);
  const to = lastMonday.toSeconds() === period.toSeconds ? lastMonday : lastMonday.plus({ weeks: 1 });
  return { from: from.toISO()!, to: to.toISO()! };
}
