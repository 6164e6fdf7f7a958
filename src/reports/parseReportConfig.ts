import { z } from 'zod';
import cron from 'node-cron';
import { DEFAULT_ARCHIVE_DIR } from './generateWeeklyReport.js';
import { DEFAULT_MAX_ATTEMPTS } from './createOutbox.js';
import { DEFAULT_REPORT_CRON } from './startReportScheduler.js';
import { REPORT_ZONE } from './reportWeek.js';

export interface ReportConfig {
  /** nodemailer SMTP URL, e.g. smtp://user:pass@mail.example.com:587; absent: reports are archived, not mailed. */
  smtpUrl?: string;
  mailFrom: string;
  cron: string;
  timezone: string;
  archiveDir: string;
  maxAttempts: number;
}

const schema = z.object({
  PRAZO_SMTP_URL: z.string().regex(/^smtps?:\/\//, { error: 'expected smtp://… or smtps://…' }).optional(),
  PRAZO_MAIL_FROM: z.string().min(3).default('Prazo <prazo@localhost>'),
  PRAZO_REPORT_CRON: z.string().refine((v) => cron.validate(v), { error: 'expected a cron expression like "0 7 * * 1"' }).default(DEFAULT_REPORT_CRON),
  PRAZO_REPORT_TIMEZONE: z.string().default(REPORT_ZONE),
  PRAZO_REPORTS_DIR: z.string().min(1).default(DEFAULT_ARCHIVE_DIR),
  PRAZO_MAIL_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(DEFAULT_MAX_ATTEMPTS),
});

/** Reports settings from the environment, parsed once; a bad one fails naming the variable. */
export function parseReportConfig(env: NodeJS.ProcessEnv = process.env): Readonly<ReportConfig> {
  const result = schema.safeParse(env);
  if (!result.success) {
    throw new RangeError(result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  }
  const v = result.data;
  return Object.freeze({
    smtpUrl: v.PRAZO_SMTP_URL,
    mailFrom: v.PRAZO_MAIL_FROM,
    cron: v.PRAZO_REPORT_CRON,
    timezone: v.PRAZO_REPORT_TIMEZONE,
    archiveDir: v.PRAZO_REPORTS_DIR,
    maxAttempts: v.PRAZO_MAIL_MAX_ATTEMPTS,
  });
}
