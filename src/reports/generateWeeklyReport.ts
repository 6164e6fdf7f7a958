import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Caller } from '../access/roles.js';
import type { Database } from '../db/openDatabase.js';
import { type PdfRenderer, countPdfPages } from './createPdfRenderer.js';
import { escapeHtml, formatDateTime, formatDay } from './formatPtBr.js';
import { issuePrintToken, revokePrintToken } from './printTokens.js';
import { REPORT_PAGE_MARKER } from './renderReportHtml.js';
import { findReport, insertReport, replaceReportFile, type ReportRow } from './reportStore.js';
import { REPORT_ZONE, type ReportWeek } from './reportWeek.js';
import { type Clock, type Logger, quietLogger } from './types.js';

export const DEFAULT_ARCHIVE_DIR = 'data/reports';

export interface WeeklyReportJob {
  db: Database;
  renderer: PdfRenderer;
  /** Where the print routes are served, e.g. http://127.0.0.1:41234 (or …/reports when mounted). */
  printBaseUrl: string;
  company: string;
  archiveDir?: string;
  clock?: Clock;
  logger?: Logger;
  timeoutMs?: number;
}

export interface GeneratedReport {
  report: ReportRow;
  /** False when the week's report already existed: nothing was rendered. */
  created: boolean;
}

const TEMPLATE_STYLE = 'font-family:\'DejaVu Sans\',sans-serif;font-size:8px;color:#555;width:100%;margin:0 14mm;display:flex;justify-content:space-between';

/** Chromium's header and footer: company and period on top; generated-at and "Página X de Y" below. */
export function renderPrintTemplates(company: string, week: ReportWeek, generatedAt: number) {
  return {
    headerTemplate: `<div style="${TEMPLATE_STYLE}"><span>${escapeHtml(company)}</span><span>Relatório semanal · ${week.id} (${formatDay(week.firstDay)} a ${formatDay(week.lastDay)})</span></div>`,
    footerTemplate: `<div style="${TEMPLATE_STYLE}"><span>Gerado em ${formatDateTime(generatedAt, REPORT_ZONE)}</span><span>Página <span class="pageNumber"></span> de <span class="totalPages"></span></span></div>`,
  };
}

/**
 * The weekly report of `week`, keyed by (weekly, week): when it exists nothing is rendered, unless
 * `force` (who asked) regenerates it in place (replaceReportFile).
 * Otherwise the browser opens the print page with a short-lived token, prints it, the PDF goes to
 * the archive folder (written to a temporary name, then renamed) and a reports row records it.
 */
export async function generateWeeklyReport(job: WeeklyReportJob, week: ReportWeek, options: { force?: Caller } = {}): Promise<GeneratedReport> {
  const { db, clock = Date.now, logger = quietLogger } = job;
  const existing = await findReport(db, 'weekly', week.id);
  if (existing && !options.force) return { report: existing, created: false };

  const now = clock();
  const token = await issuePrintToken(db, `weekly:${week.id}`, now);
  let pdf: Uint8Array;
  try {
    const url = `${job.printBaseUrl}/print/weekly?week=${encodeURIComponent(week.id)}&token=${encodeURIComponent(token)}`;
    pdf = await job.renderer.renderPdf(url, { marker: REPORT_PAGE_MARKER, ...renderPrintTemplates(job.company, week, now), timeoutMs: job.timeoutMs });
  } finally {
    await revokePrintToken(db, token);
  }
  const dir = resolve(job.archiveDir ?? DEFAULT_ARCHIVE_DIR);
  mkdirSync(dir, { recursive: true });
  const sha256 = createHash('sha256').update(pdf).digest('hex');
  // The content's hash in the name: a job that loses a race for the week removes only its own file.
  const path = join(dir, `weekly-${week.id}-${sha256.slice(0, 12)}.pdf`);
  const partial = `${path}.${process.pid}.partial`;
  writeFileSync(partial, pdf);
  renameSync(partial, path);
  if (existing && options.force) {
    // Regenerated: the row keeps its id (and its deliveries); the old file goes once the row names the new one.
    const file = { path, bytes: pdf.byteLength, sha256, pages: countPdfPages(pdf), generatedAt: new Date(now).toISOString() };
    const report = await replaceReportFile(db, existing.id, file, options.force);
    if (existing.path !== path) rmSync(existing.path, { force: true });
    logger.info('report_regenerated', { id: report.id, period: week.id, pages: report.pages, bytes: pdf.byteLength });
    return { report, created: true };
  }
  const result = await insertReport(db, {
    kind: 'weekly',
    period: week.id,
    periodStart: new Date(week.start).toISOString(),
    periodEnd: new Date(week.end).toISOString(),
    path,
    bytes: pdf.byteLength,
    sha256,
    pages: countPdfPages(pdf),
    generatedAt: new Date(now).toISOString(),
  });
  if (!result.created && result.report.path !== path) rmSync(path, { force: true });
  logger.info('report_generated', { id: result.report.id, period: week.id, pages: result.report.pages, bytes: pdf.byteLength, created: result.created });
  return result;
}
