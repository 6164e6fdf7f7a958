import cron, { type ScheduledTask } from 'node-cron';
import type { Database } from '../db/openDatabase.js';
import { findReport } from './reportStore.js';
import { getPreviousWeek, type ReportWeek, REPORT_ZONE, shiftWeek } from './reportWeek.js';
import { type Clock, type Logger, quietLogger } from './types.js';
import { withTimeout } from './withTimeout.js';

export const DEFAULT_REPORT_CRON = '0 7 * * 1';
export const DEFAULT_JOB_TIMEOUT_MS = 5 * 60_000;

export interface ReportSchedulerOptions {
  db: Database;
  /** Generates (and queues for delivery) the weekly report of `week`; idempotent per week. */
  generate: (week: ReportWeek) => Promise<unknown>;
  clock?: Clock;
  /** When the weekly report runs (node-cron syntax, in `timezone`); default Monday 07:00. */
  cron?: string;
  timezone?: string;
  timeoutMs?: number;
  logger?: Logger;
  /** False: only `runDueJobs` by hand (tests); the cron task and the start-up catch-up are not started. */
  schedule?: boolean;
}

export interface JobOutcome {
  week: string;
  status: 'generated' | 'exists' | 'failed' | 'running';
  error?: string;
}

export interface ReportScheduler {
  /** Generates the report that is due at `now` unless it exists; what node-cron's tick calls. */
  runDueJobs(now?: number): Promise<JobOutcome | undefined>;
  /** The week whose report is due at `now`: the latest one whose first scheduled run is not after now. */
  getDueWeek(now: number): ReportWeek;
  /** The start-up catch-up run (resolved at once when `schedule` is false). */
  caughtUp: Promise<JobOutcome | undefined>;
  stop(): Promise<void>;
}

const MINUTE = 60_000;

/**
 * The weekly report's schedule. Each report is keyed by (kind, period): a run that finds the
 * week's report does nothing, so the cron tick, the catch-up at start and a second process can
 * all call `runDueJobs` safely. At start it catches up a missed run (the server was down on
 * Monday 07:00). Each job runs under a timeout and logs its start, end and failure.
 */
export function startReportScheduler(options: ReportSchedulerOptions): ReportScheduler {
  const { db, generate, clock = Date.now, logger = quietLogger } = options;
  const expression = options.cron ?? DEFAULT_REPORT_CRON;
  const timezone = options.timezone ?? REPORT_ZONE;
  const timeoutMs = options.timeoutMs ?? DEFAULT_JOB_TIMEOUT_MS;
  if (!cron.validate(expression)) throw new RangeError(`report schedule: "${expression}" is not a valid cron expression`);
  const matcher = cron.createTask(expression, () => {}, { timezone });
  const firstRuns = new Map<string, number>();
  const inFlight = new Map<string, Promise<JobOutcome>>();

  /** The first scheduled instant at or after the end of `week` (searched minute by minute, a week at most). */
  function firstRunAfter(week: ReportWeek): number {
    const cached = firstRuns.get(week.id);
    if (cached !== undefined) return cached;
    let at = week.end;
    const limit = week.end + 8 * 24 * 60 * MINUTE;
    while (at < limit && !matcher.match(new Date(at))) at += MINUTE;
    firstRuns.set(week.id, at);
    return at;
  }

  function getDueWeek(now: number): ReportWeek {
    const last = getPreviousWeek(now, timezone);
    return firstRunAfter(last) <= now ? last : shiftWeek(last, -1, timezone);
  }

  async function runJob(week: ReportWeek): Promise<JobOutcome> {
    const job = `weekly:${week.id}`;
    if (await findReport(db, 'weekly', week.id)) return { week: week.id, status: 'exists' };
    const started = clock();
    logger.info('report_job_started', { job });
    try {
      await withTimeout(generate(week), timeoutMs, job);
      logger.info('report_job_finished', { job, ms: clock() - started });
      return { week: week.id, status: 'generated' };
    } catch (error) {
      logger.error('report_job_failed', { job, ms: clock() - started, error: (error as Error).message });
      return { week: week.id, status: 'failed', error: (error as Error).message };
    }
  }

  async function runDueJobs(now = clock()): Promise<JobOutcome | undefined> {
    const week = getDueWeek(now);
    const running = inFlight.get(week.id);
    if (running) return { week: week.id, status: 'running' };
    const job = runJob(week).finally(() => inFlight.delete(week.id));
    inFlight.set(week.id, job);
    return job;
  }

  let task: ScheduledTask | undefined;
  let caughtUp: Promise<JobOutcome | undefined> = Promise.resolve(undefined);
  if (options.schedule !== false) {
    task = cron.schedule(expression, () => runDueJobs(clock()), { timezone, name: 'weekly-report', noOverlap: true });
    caughtUp = runDueJobs(clock());
  }
  return {
    runDueJobs,
    getDueWeek,
    caughtUp,
    async stop() {
      await task?.stop();
      await task?.destroy();
      await matcher.destroy();
      await Promise.allSettled(inFlight.values());
    },
  };
}
