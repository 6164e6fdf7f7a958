import nodemailer from 'nodemailer';
import type { Database } from '../db/openDatabase.js';
import { createOutbox, type Outbox } from './createOutbox.js';
import type { ReportPolicy } from './createReportPrintRoutes.js';
import { createWeeklyReportService, type WeeklyReportService } from './createWeeklyReportService.js';
import { REPORT_SCHEDULE_OFF, type ReportConfig } from './parseReportConfig.js';
import { type ReportScheduler, startReportScheduler } from './startReportScheduler.js';
import { type Clock, type Logger, quietLogger } from './types.js';

export const DRAIN_INTERVAL_MS = 30_000;

export interface ReportServiceOptions {
  db: Database;
  policy: ReportPolicy;
  config: Readonly<ReportConfig>;
  clock?: Clock;
  logger?: Logger;
}

export interface RunningReportService {
  reports: WeeklyReportService;
  /** Undefined when PRAZO_SMTP_URL is not set. */
  outbox?: Outbox;
  scheduler: ReportScheduler;
  stop(): Promise<void>;
}

/**
 * What `prazo serve` runs for reports: the schedule (with its start-up catch-up), the shared
 * browser, and the outbox drained every 30 s (pending deliveries resume after a restart).
 */
export function startReportService(options: ReportServiceOptions): RunningReportService {
  const { db, policy, config, clock = Date.now, logger = quietLogger } = options;
  const reports = createWeeklyReportService({ db, policy, archiveDir: config.archiveDir, clock, logger });
  const outbox = config.smtpUrl
    ? createOutbox({ db, transport: nodemailer.createTransport(config.smtpUrl), from: config.mailFrom, company: policy.company, maxAttempts: config.maxAttempts, clock, logger })
    : undefined;
  if (!outbox) logger.warn('report_mail_disabled', { reason: 'PRAZO_SMTP_URL is not set: reports are archived, not mailed' });
  const drain = () => outbox?.drain().catch((error) => logger.error('outbox_drain_failed', { error: (error as Error).message }));
  const scheduler = startReportScheduler({
    db,
    clock,
    logger,
    // "off" keeps the schedule (and the start-up catch-up) from running; reports are made by hand.
    cron: config.cron === REPORT_SCHEDULE_OFF ? undefined : config.cron,
    schedule: config.cron !== REPORT_SCHEDULE_OFF,
    timezone: config.timezone,
    generate: async (week) => {
      const { report, created } = await reports.generate(week);
      if (created && outbox) {
        await outbox.enqueue(report.id);
        void drain();
      }
      return report;
    },
  });
  const timer = setInterval(drain, DRAIN_INTERVAL_MS);
  timer.unref();
  void drain();
  return {
    reports,
    outbox,
    scheduler,
    async stop() {
      clearInterval(timer);
      await scheduler.stop();
      await reports.close();
    },
  };
}
