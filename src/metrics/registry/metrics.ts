import type { Role } from '../../access/roles.js';
import { SATISFACTION_METRICS } from './satisfactionMetrics.js';
import { SLA_METRICS } from './slaMetrics.js';
import type { MetricDefinition } from './types.js';

/** Every metric, by name: the registry dashboards, the API, CSV, the CLI and the PDF read. */
export const METRICS: ReadonlyMap<string, MetricDefinition> = new Map(
  [...SLA_METRICS, ...SATISFACTION_METRICS].map((metric) => [metric.name, Object.freeze(metric)]),
);

/** What the UI and the OpenAPI document show of a metric (no SQL). */
export type MetricInfo = Pick<MetricDefinition, 'name' | 'label' | 'description' | 'format' | 'dimensions' | 'target' | 'satisfaction'> & {
  breakdown?: string;
};

/** The metrics `role` may read, in registry order. */
export function listMetrics(role: Role): MetricInfo[] {
  return [...METRICS.values()]
    .filter((metric) => metric.roles.includes(role))
    .map((m) => ({
      name: m.name,
      label: m.label,
      ...(m.description ? { description: m.description } : {}),
      format: m.format,
      dimensions: m.dimensions,
      ...(m.target !== undefined ? { target: m.target } : {}),
      ...(m.breakdown ? { breakdown: m.breakdown.key } : {}),
      satisfaction: m.satisfaction === true,
    }));
}
