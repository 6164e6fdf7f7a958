import type { ReportRow } from './reportStore.js';
import { REPORT_CALLER } from './buildWeeklyReport.js';
import type { MetricReader } from './metricSource.js';

/** The few numbers the mail's body carries, read through the registry like the report. */
export interface WeeklySummary {
  responseCompliance: number | null;
  solutionCompliance: number | null;
  breaches: number | null;
  backlog: number | null;
}

export async function getWeeklySummary(readMetric: MetricReader, report: ReportRow): Promise<WeeklySummary> {
  const read = async (name: string) =>
    (await readMetric(REPORT_CALLER, { name, from: report.periodStart, to: report.periodEnd })).rows[0]?.value ?? null;
  const [responseCompliance, solutionCompliance, breaches, backlog] = await Promise.all(
    ['response_compliance', 'solution_compliance', 'breaches', 'backlog'].map(read),
  );
  return { responseCompliance: responseCompliance ?? null, solutionCompliance: solutionCompliance ?? null, breaches: breaches ?? null, backlog: backlog ?? null };
}
