import type { Caller } from '../access/roles.js';
import type { Database } from '../db/openDatabase.js';
import type { MetricResult } from '../metrics/registry/types.js';
import { SEVERITIES, type Severity } from '../policy/policySchema.js';
import { countFollowUps, type FollowUpStatus } from '../metrics/satisfaction/listFollowUps.js';
import { type BreachRow, getWeekBreaches } from './getWeekBreaches.js';
import { getWeekEndQueue } from './getWeekEndQueue.js';
import type { MetricReader } from './metricSource.js';
import { type ReportWeek, shiftWeek } from './reportWeek.js';

/** Who the report reads metrics as: aggregates only, audited as the report job. */
export const REPORT_CALLER: Caller = { role: 'leadership', actor: 'system:report' };
export const TREND_WEEKS = 12;
/** A category whose share moved by at least this much (in share points) is a notable shift. */
export const NOTABLE_SHIFT = 0.05;
const DEFAULT_GOAL = 0.95;

export interface SeverityCompliance {
  severity: Severity;
  label: string;
  responseTargetSeconds: number;
  solutionTargetSeconds: number;
  response: number | null;
  responsePrevious: number | null;
  solution: number | null;
  solutionPrevious: number | null;
}

export interface CategoryShare {
  category: string;
  count: number;
  share: number;
  previousShare: number;
}

export interface WeeklyReportModel {
  company: string;
  week: ReportWeek;
  generatedAt: number;
  /** The compliance goal (share of tickets within the target), from the metric's target. */
  goal: { response: number; solution: number };
  compliance: SeverityCompliance[];
  /** Week (Monday, YYYY-MM-DD) × severity × kind, for the 12-week chart. */
  trend: { week: string; severity: string; kind: 'response' | 'solution'; value: number }[];
  /** `count` is the breaches metric; `rows` the largest of them (`total` of the list should equal it). */
  breaches: { count: number | null; rows: BreachRow[]; total: number };
  /** backlog: the registry's snapshot at the week's end; at-risk and overdue: getWeekEndQueue. */
  queue: { backlog: number | null; atRisk: number; overdue: number };
  categories: CategoryShare[];
  notableShifts: CategoryShare[];
  shares: { approval: number | null; rejection: number | null; autoClose: number | null };
  quickService: { hours: number | null; value: number | null };
  satisfaction: { csat: number | null; responseRate: number | null; insatisfeito: number | null; suppressed: boolean; followUp: Record<FollowUpStatus, number> | null };
}

export interface SeverityPolicy {
  label: string;
  firstResponse: number;
  solution: number;
}

export interface BuildReportOptions {
  db: Database;
  readMetric: MetricReader;
  company: string;
  severities: Readonly<Record<Severity, SeverityPolicy>>;
  atRiskThreshold: number;
  week: ReportWeek;
  now: number;
}

const single = (result: MetricResult) => result.rows[0]?.value ?? null;
const bySeverity = (result: MetricResult) => new Map(result.rows.map((r) => [String(r.severity), r.value]));

/** Reads everything the weekly report shows, for `week`, through the metric registry. */
export async function buildWeeklyReport(options: BuildReportOptions): Promise<WeeklyReportModel> {
  const { db, week } = options;
  const previous = shiftWeek(week, -1);
  const read = (name: string, range: ReportWeek | { start: number; end: number }, by?: ('severity' | 'week' | 'category')[]) =>
    options.readMetric(REPORT_CALLER, { name, from: new Date(range.start).toISOString(), to: new Date(range.end).toISOString(), by });
  const trendRange = { start: shiftWeek(week, -(TREND_WEEKS - 1)).start, end: week.end };

  const [resNow, resPrev, solNow, solPrev, resTrend, solTrend] = await Promise.all([
    read('response_compliance', week, ['severity']),
    read('response_compliance', previous, ['severity']),
    read('solution_compliance', week, ['severity']),
    read('solution_compliance', previous, ['severity']),
    read('response_compliance', trendRange, ['week', 'severity']),
    read('solution_compliance', trendRange, ['week', 'severity']),
  ]);
  const compliance = SEVERITIES.map((severity): SeverityCompliance => ({
    severity,
    label: options.severities[severity].label,
    responseTargetSeconds: options.severities[severity].firstResponse,
    solutionTargetSeconds: options.severities[severity].solution,
    response: bySeverity(resNow).get(severity) ?? null,
    responsePrevious: bySeverity(resPrev).get(severity) ?? null,
    solution: bySeverity(solNow).get(severity) ?? null,
    solutionPrevious: bySeverity(solPrev).get(severity) ?? null,
  }));
  const trend = [
    ...resTrend.rows.map((r) => ({ r, kind: 'response' as const })),
    ...solTrend.rows.map((r) => ({ r, kind: 'solution' as const })),
  ]
    .filter(({ r }) => r.value !== null && r.week !== null)
    .map(({ r, kind }) => ({ week: String(r.week), severity: options.severities[r.severity as Severity]?.label ?? String(r.severity), kind, value: r.value! }));

  const [catNow, catPrev, breaches, backlog, approval, rejection, autoClose, qsHours, qsValue, csat, rate, insatisfeito] = await Promise.all([
    read('category_distribution', week),
    read('category_distribution', previous),
    read('breaches', week),
    read('backlog', week),
    read('approval_share', week),
    read('rejection_share', week),
    read('auto_close_share', week),
    read('quick_service_hours', week),
    read('quick_service_value', week),
    read('csat', week),
    read('survey_response_rate', week),
    read('insatisfeito_count', week),
  ]);
  const categories = shareCategories(catNow, catPrev);
  const queue = await getWeekEndQueue(db, week.end, options.atRiskThreshold);
  const suppressed = csat.suppressed + rate.suppressed + insatisfeito.suppressed > 0;
  const range = { from: new Date(week.start).toISOString(), to: new Date(week.end).toISOString() };
  return {
    company: options.company,
    week,
    generatedAt: options.now,
    goal: { response: resNow.metric.target ?? DEFAULT_GOAL, solution: solNow.metric.target ?? DEFAULT_GOAL },
    compliance,
    trend,
    breaches: { count: single(breaches), ...(await getWeekBreaches(db, week)) },
    queue: { backlog: single(backlog), atRisk: queue.atRisk, overdue: queue.overdue },
    categories,
    notableShifts: categories.filter((c) => Math.abs(c.share - c.previousShare) >= NOTABLE_SHIFT),
    shares: { approval: single(approval), rejection: single(rejection), autoClose: single(autoClose) },
    quickService: { hours: single(qsHours), value: single(qsValue) },
    satisfaction: {
      csat: single(csat),
      responseRate: single(rate),
      insatisfeito: single(insatisfeito),
      suppressed,
      followUp: suppressed ? null : await countFollowUps(db, REPORT_CALLER, range),
    },
  };
}

function shareCategories(now: MetricResult, previous: MetricResult): CategoryShare[] {
  const total = (r: MetricResult) => r.rows.reduce((sum, row) => sum + (row.value ?? 0), 0);
  const totalNow = total(now);
  const totalPrev = total(previous);
  const prev = new Map(previous.rows.map((r) => [String(r.category), r.value ?? 0]));
  const names = new Set([...now.rows.map((r) => String(r.category)), ...prev.keys()]);
  return [...names]
    .map((category) => {
      const count = now.rows.find((r) => String(r.category) === category)?.value ?? 0;
      return {
        category,
        count,
        share: totalNow ? count / totalNow : 0,
        previousShare: totalPrev ? (prev.get(category) ?? 0) / totalPrev : 0,
      };
    })
    .sort((a, b) => b.count - a.count || a.category.localeCompare(b.category));
}
