import { Hono } from 'hono';
import type { Database } from '../db/openDatabase.js';
import type { Severity } from '../policy/policySchema.js';
import { buildWeeklyReport, type SeverityPolicy } from './buildWeeklyReport.js';
import { escapeHtml } from './formatPtBr.js';
import { createMetricReader, type MetricReader } from './metricSource.js';
import { checkPrintToken } from './printTokens.js';
import { renderReportHtml } from './renderReportHtml.js';
import { parseReportWeek } from './reportWeek.js';
import { type Clock, type Logger, quietLogger } from './types.js';

/** What the report shows from the policy. */
export interface ReportPolicy {
  company: string;
  severities: Readonly<Record<Severity, SeverityPolicy>>;
  atRiskThreshold: number;
}

export interface ReportPrintRoutesOptions {
  db: Database;
  policy: ReportPolicy;
  readMetric?: MetricReader;
  clock?: Clock;
  logger?: Logger;
}

/** A page that is not the report: the PDF job recognises it by data-page and refuses to print it. */
export function renderPlainPage(kind: 'login' | 'error', title: string, message: string): string {
  return `<!doctype html><html lang="pt-BR"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body data-page="${kind}"><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p></body></html>`;
}

/**
 * The report's print page, `GET /print/weekly?week=2026-W47&token=…`, for the report job's
 * browser: the token is a short-lived print token (printTokens.ts) issued for that week. Mount it
 * where you like (`app.route('/reports', createReportPrintRoutes(…))`); the report job serves it
 * on its own loopback server too. No token, or a wrong one: 401 with a sign-in page.
 */
export function createReportPrintRoutes(options: ReportPrintRoutesOptions): Hono {
  const { db, policy, clock = Date.now, logger = quietLogger } = options;
  const readMetric = options.readMetric ?? createMetricReader(db);
  const app = new Hono();
  app.get('/print/weekly', async (c) => {
    const weekText = c.req.query('week') ?? '';
    const purpose = await checkPrintToken(db, c.req.query('token') ?? '', clock());
    if (purpose === undefined || purpose !== `weekly:${weekText}`) {
      return c.html(renderPlainPage('login', 'Entrar — Prazo', 'Faça login para ver este relatório.'), 401);
    }
    let week;
    try {
      week = parseReportWeek(weekText);
    } catch (error) {
      return c.html(renderPlainPage('error', 'Semana inválida', (error as Error).message), 400);
    }
    try {
      const model = await buildWeeklyReport({ db, readMetric, ...policy, week, now: clock() });
      return c.html(await renderReportHtml(model));
    } catch (error) {
      logger.error('report_page_failed', { week: week.id, error: (error as Error).stack ?? String(error) });
      return c.html(renderPlainPage('error', 'Erro ao montar o relatório', 'O relatório não pôde ser montado; veja o log do servidor.'), 500);
    }
  });
  return app;
}
