import type { Role } from '../../access/roles.js';

/**
 * The metric registry's contract (DESIGN.md §3 "Metrics are data"). Dashboards, the API, CSV and
 * Arrow exports, the CLI and the weekly PDF all read metrics through `queryMetric` by name, so a
 * role rule is written once, here.
 */

/** Dimensions a metric may be grouped by. Time dimensions bucket in America/Sao_Paulo. */
export const DIMENSIONS = ['day', 'week', 'month', 'severity', 'client', 'analyst', 'category', 'channel'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

/** How a value is shown: percent is a 0–1 ratio, hours a number of business hours. */
export type MetricFormat = 'count' | 'percent' | 'hours' | 'currency' | 'number';

export interface MetricDefinition {
  /** snake_case English, e.g. response_compliance. */
  name: string;
  label: { pt: string; en: string };
  description?: { pt: string; en: string };
  format: MetricFormat;
  /**
   * The fact table the expression aggregates over: ticket_sla, or a view of 005_satisfaction.sql
   * (survey → survey_facts, one row per answer; survey_tickets → survey_ticket_facts, one row per
   * closed ticket; quick_service → quick_service_facts, one row per proposed job).
   */
  source: 'ticket_sla' | 'survey' | 'survey_tickets' | 'quick_service';
  /**
   * Which instant puts a row in the period and the time buckets (e.g. opened_at, resolved_at): a
   * column or a SQL expression over the source. For a snapshot metric, when a row starts being open.
   */
  timeColumn: string;
  /**
   * An aggregate SQL expression over the source, with its own FILTER. `{partition}` stands for the
   * requested dimensions as a window's PARTITION BY (shares within a group, e.g. category_share).
   */
  expression: string;
  /** Dimensions a query may group and filter this metric by. */
  dimensions: readonly Dimension[];
  /**
   * A key the metric always groups by, besides the requested dimensions (distributions:
   * category_distribution groups by category, satisfaction_distribution by rating).
   */
  breakdown?: { key: string; expression: string };
  /**
   * Snapshot metrics (backlog): rows open at the end of the period, or of each time bucket — from
   * timeColumn (inclusive) until this column (exclusive; NULL = still open).
   */
  snapshotEnd?: string;
  /** Satisfaction metrics: the aggregate counting the answers behind a value (default count(*)). */
  answers?: string;
  roles: readonly Role[];
  /** Satisfaction metrics: read through the satisfaction zone (audited, small groups suppressed). */
  satisfaction?: boolean;
  /** Target to draw as a rule (e.g. 0.95 for compliance), when there is one. */
  target?: number;
}

export interface MetricQuery {
  name: string;
  /** Inclusive start, exclusive end: instants (ISO-8601) or dates (YYYY-MM-DD, São Paulo midnight). */
  from: string;
  to: string;
  by?: readonly Dimension[];
  /** Equality filters on dimensions, e.g. { severity: 'alta', analyst: 'ana' }. */
  filters?: Partial<Record<Exclude<Dimension, 'day' | 'week' | 'month'>, string>>;
}

export interface MetricRow {
  /** One key per requested dimension (week/month/day as YYYY-MM-DD of the bucket start), plus value. */
  [dimension: string]: string | number | null;
  value: number | null;
}

export interface MetricResult {
  metric: Pick<MetricDefinition, 'name' | 'label' | 'format' | 'target'>;
  from: string;
  to: string;
  by: Dimension[];
  rows: MetricRow[];
  /** Groups left out because fewer answers than the minimum group size (satisfaction outside lead). */
  suppressed: number;
}
