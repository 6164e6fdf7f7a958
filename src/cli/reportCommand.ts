import { copyFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import nodemailer from 'nodemailer';
import { createOutbox } from '../reports/createOutbox.js';
import { createWeeklyReportService } from '../reports/createWeeklyReportService.js';
import { getPreviousWeek, parseReportWeek } from '../reports/reportWeek.js';
import { CLI_CALLER } from '../server/auth/users.js';
import { CliError } from './CliError.js';
import { openForCli } from './ingestCommand.js';
import { parseOptions, policyOption, reportConfigOption } from './options.js';

export const REPORT_HELP = `prazo report weekly [--week 2026-W47] [--out FILE.pdf] [--force] [--send] [--db PATH]

  Renders the weekly SLA report (Monday–Sunday, America/Sao_Paulo; default: last week) to PDF
  with Chromium, archives it (PRAZO_REPORTS_DIR, default: a reports folder beside the database) and prints one JSON line:
  {"id","period","path","pages","created"}. A week already generated is not rendered again
  ("created": false) unless --force.

  --week W      ISO week, e.g. 2026-W47
  --out FILE    also copy the PDF to FILE
  --force       render the week again (its data changed) and replace the archived PDF; the
                report keeps its id, so recipients it was already sent to are not sent it again
  --send        queue the report for every recipient (prazo recipients) and send now over
                PRAZO_SMTP_URL; failures stay queued for \`prazo serve\` to retry
  --policy FILE policy file (company name, severities)
  --db PATH     DuckDB file (or PRAZO_DB)`;

export async function runReportCommand(argv: string[], out: (json: unknown) => void): Promise<void> {
  const { values, positionals } = parseOptions(argv, { week: { type: 'string' }, out: { type: 'string' }, send: { type: 'boolean' }, force: { type: 'boolean' } });
  if (positionals[0] !== 'weekly' || positionals.length > 1) throw new CliError('usage: prazo report weekly [--week 2026-W47] [--out FILE] [--force] [--send]; see --help');
  let week;
  try {
    week = values.week ? parseReportWeek(String(values.week)) : getPreviousWeek(Date.now());
  } catch (error) {
    throw new CliError(`--week: ${(error as Error).message}`);
  }
  const policy = policyOption(values);
  const config = reportConfigOption(values, policy);
  if (values.send && !config.smtpUrl) throw new CliError('--send needs PRAZO_SMTP_URL (e.g. smtp://mail.example.com:587)');
  // Checked before the render, which takes seconds: a typo in --out must not cost a browser run.
  const outDir = values.out === undefined ? undefined : dirname(resolve(String(values.out)));
  if (outDir !== undefined && !statSync(outDir, { throwIfNoEntry: false })?.isDirectory()) throw new CliError(`--out: no folder ${outDir}`);
  const db = await openForCli(values.db);
  const service = createWeeklyReportService({ db, policy, archiveDir: config.archiveDir });
  try {
    const { report, created } = await service.generate(week, values.force ? { force: CLI_CALLER } : {});
    if (values.out) {
      try {
        copyFileSync(report.path, String(values.out));
      } catch (error) {
        throw new CliError(`--out: the report is archived at ${report.path} but could not be copied: ${(error as Error).message}`, 1);
      }
    }
    let deliveries;
    if (values.send) {
      const outbox = createOutbox({ db, transport: nodemailer.createTransport(config.smtpUrl!), from: config.mailFrom, company: policy.company, maxAttempts: config.maxAttempts });
      const queued = await outbox.enqueue(report.id);
      deliveries = { queued, ...(await outbox.drain()) };
    }
    out({ id: report.id, period: report.period, path: values.out ? String(values.out) : report.path, pages: report.pages, created, ...(deliveries ? { deliveries } : {}) });
  } finally {
    await service.close();
    db.close();
  }
}
