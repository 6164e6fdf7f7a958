import type { Caller } from '../access/roles.js';
import type { Database } from '../db/openDatabase.js';
import { queryMetric } from '../metrics/registry/queryMetric.js';
import type { MetricQuery, MetricResult } from '../metrics/registry/types.js';

/**
 * How the weekly report reads a metric: by name, through the registry, as a caller (the same
 * numbers, role rules, audit and small-group suppression as the dashboards and the API).
 * Injected so a test can count or fail the reads.
 */
export type MetricReader = (caller: Caller, query: MetricQuery) => Promise<MetricResult>;

export function createMetricReader(db: Database): MetricReader {
  return (caller, query) => queryMetric(db, caller, query);
}
