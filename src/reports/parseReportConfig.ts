import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import cron from 'node-cron';
import { DEFAULT_ARCHIVE_DIR } from './generateWeeklyReport.js';
import { DEFAULT_MAX_ATTEMPTS } from './createOutbox.js';
import { DEFAULT_REPORT_CRON } from './startReportScheduler.js';
import { REPORT_ZONE } from './reportWeek.js';

/** The schedule that turns the weekly run off (`prazo report weekly` still works by hand). */
export const REPORT_SCHEDULE_OFF = 'off';

export interface ReportConfig {
  /** nodemailer SMTP URL, e.g. smtp://user:pass@mail.example.com:587; absent: reports are archived, not mailed. */
  smtpUrl?: string;
  mailFrom: string;
  cron: string;
  timezone: string;
  archiveDir: string;
  maxAttempts: number;
}

/** The policy file's `reports` section (src/policy/policySchema.ts): the defaults the environment overrides. */
export interface ReportFileSettings {
  schedule: string;
  timezone: string;
  mailFrom: string;
  maxAttempts: number;
}

const isZone = (zone: string) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

// prefault, not default: a value from the policy file goes through the same checks as the variable.
const schemaFor = (file: Partial<ReportFileSettings>) =>
  z.object({
    PRAZO_SMTP_URL: z.string().regex(/^smtps?:\/\//, { error: 'expected smtp://… or smtps://…' }).optional(),
    PRAZO_MAIL_FROM: z.string().min(3).prefault(file.mailFrom ?? 'Prazo <prazo@localhost>'),
    PRAZO_REPORT_CRON: z
      .string()
      .refine((v) => v === REPORT_SCHEDULE_OFF || cron.validate(v), { error: 'expected a cron expression like "0 7 * * 1", or "off"' })
      .prefault(file.schedule ?? DEFAULT_REPORT_CRON),
    PRAZO_REPORT_TIMEZONE: z.string().refine(isZone, { error: 'expected an IANA zone like America/Sao_Paulo' }).prefault(file.timezone ?? REPORT_ZONE),
    PRAZO_REPORTS_DIR: z.string().min(1).default(DEFAULT_ARCHIVE_DIR),
    PRAZO_MAIL_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).prefault(String(file.maxAttempts ?? DEFAULT_MAX_ATTEMPTS)),
  });

/** Names the setting's home in the message: the environment variable, or the policy file's key when it came from there. */
const FILE_KEYS: Record<string, keyof ReportFileSettings> = {
  PRAZO_MAIL_FROM: 'mailFrom',
  PRAZO_REPORT_CRON: 'schedule',
  PRAZO_REPORT_TIMEZONE: 'timezone',
  PRAZO_MAIL_MAX_ATTEMPTS: 'maxAttempts',
};

/**
 * Reports settings, parsed once: the environment (PRAZO_*) over the policy file's `reports`
 * section over the defaults. A bad one fails naming the variable or the policy key. With `dbPath`,
 * the archive defaults to a `reports` folder beside that database (else DEFAULT_ARCHIVE_DIR).
 */
export function parseReportConfig(
  env: NodeJS.ProcessEnv = process.env,
  file: Partial<ReportFileSettings> = {},
  dbPath?: string,
): Readonly<ReportConfig> {
  // An empty variable (PRAZO_SMTP_URL=) counts as unset.
  const set = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const result = schemaFor(file).safeParse(set);
  if (!result.success) {
    const where = (variable: string) => (env[variable] === undefined && FILE_KEYS[variable] ? `policy reports.${FILE_KEYS[variable]}` : variable);
    throw new RangeError(result.error.issues.map((i) => `${where(String(i.path[0]))}: ${i.message}`).join('; '));
  }
  const v = result.data;
  return Object.freeze({
    smtpUrl: v.PRAZO_SMTP_URL,
    mailFrom: v.PRAZO_MAIL_FROM,
    cron: v.PRAZO_REPORT_CRON,
    timezone: v.PRAZO_REPORT_TIMEZONE,
    archiveDir: set.PRAZO_REPORTS_DIR === undefined && dbPath ? join(dirname(resolve(dbPath)), 'reports') : v.PRAZO_REPORTS_DIR,
    maxAttempts: v.PRAZO_MAIL_MAX_ATTEMPTS,
  });
}
