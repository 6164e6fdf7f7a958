import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { queryMetric } from '../../src/metrics/registry/queryMetric.js';
import { REPORT_CALLER } from '../../src/reports/buildWeeklyReport.js';
import { countPdfPages, createPdfRenderer, type PdfRenderer, PrintRefusedError } from '../../src/reports/createPdfRenderer.js';
import { createReportPrintRoutes } from '../../src/reports/createReportPrintRoutes.js';
import { createWeeklyReportService, startLoopbackServer } from '../../src/reports/createWeeklyReportService.js';
import { formatCount, formatCurrency, formatHours, formatPercent } from '../../src/reports/formatPtBr.js';
import { generateWeeklyReport } from '../../src/reports/generateWeeklyReport.js';
import { issuePrintToken } from '../../src/reports/printTokens.js';
import { REPORT_PAGE_MARKER } from '../../src/reports/renderReportHtml.js';
import { findReport, type ReportRow } from '../../src/reports/reportStore.js';
import { parseReportWeek } from '../../src/reports/reportWeek.js';
import { COMMENT_MARKER, policy, REPORT_NOW, REPORT_WEEK, REQUESTER_MARKER, type SeededDb, seedReportDb } from './reportFixture.js';

let seeded: SeededDb;
let renderer: PdfRenderer;
let report: ReportRow;
let text: string;
const archiveDir = () => join(seeded.dir, 'reports');
const week = parseReportWeek(REPORT_WEEK);
const print = { marker: REPORT_PAGE_MARKER, headerTemplate: '<span></span>', footerTemplate: '<span></span>', timeoutMs: 10_000 };

beforeAll(async () => {
  seeded = await seedReportDb();
  renderer = createPdfRenderer({ maxPages: 2 });
  const service = createWeeklyReportService({ db: seeded.db, policy, renderer, archiveDir: archiveDir(), clock: () => REPORT_NOW });
  try {
    const result = await service.generate(week);
    expect(result.created).toBe(true);
    report = result.report;
  } finally {
    await service.close();
  }
  text = execFileSync('pdftotext', ['-layout', report.path, '-'], { encoding: 'utf8' });
}, 60_000);

afterAll(async () => {
  await renderer?.close();
  seeded?.cleanup();
});

const metric = async (name: string, by?: ('severity')[]) =>
  queryMetric(seeded.db, REPORT_CALLER, { name, from: new Date(week.start).toISOString(), to: new Date(week.end).toISOString(), by });
const lineWith = (start: string) => text.split('\n').find((l) => l.trimStart().startsWith(start)) ?? '';
/** The values appear on one line, in this order. */
const inOrder = (...values: string[]) =>
  new RegExp(values.map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\u00a0/g, '\\s')).join('\\s+.*?'));

describe('weekly report PDF (Chromium)', () => {
  test('is A4, its pages counted, archived with its hash', () => {
    const info = execFileSync('pdfinfo', [report.path], { encoding: 'utf8' });
    expect(info).toMatch(/Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)/);
    const pages = Number(/Pages:\s+(\d+)/.exec(info)![1]);
    expect(pages).toBeGreaterThanOrEqual(2);
    expect(report.pages).toBe(pages);
    expect(countPdfPages(readFileSync(report.path))).toBe(pages);
    expect(report).toMatchObject({ kind: 'weekly', period: '2026-W47', periodStart: '2026-11-16T03:00:00Z', periodEnd: '2026-11-23T03:00:00Z' });
    expect(report.bytes).toBe(readFileSync(report.path).byteLength);
    expect(text).toContain(`Página 1 de ${pages}`);
    expect(text).toContain(`Página ${pages} de ${pages}`);
  });

  test('has the company, the period, the generated-at time and every section', () => {
    for (const heading of ['Relatório semanal de SLA', 'Conformidade por severidade', 'Violações de SLA', 'Fila no fim da semana',
      'Distribuição por categoria', 'Mudanças notáveis', 'Aprovação das soluções', 'Serviço Rápido', 'Satisfação',
      '1ª resposta: conformidade nas últimas 12 semanas', 'Solução: conformidade nas últimas 12 semanas']) {
      expect(text).toContain(heading);
    }
    expect(text).toContain(policy.company);
    expect(text).toContain('Semana 2026-W47: 16/11/2026 a 22/11/2026');
    expect(text).toContain('Gerado em 23/11/2026 07:00');
  });

  test('shows the numbers the metric registry returns for that week', async () => {
    const [response, solution] = await Promise.all([metric('response_compliance', ['severity']), metric('solution_compliance', ['severity'])]);
    for (const severity of ['urgente', 'alta', 'media', 'baixa'] as const) {
      const value = (r: typeof response) => r.rows.find((row) => row.severity === severity)?.value ?? null;
      expect(lineWith(policy.severities[severity].label)).toMatch(inOrder(formatPercent(value(response)), formatPercent(value(solution))));
    }
    const single = async (name: string) => (await metric(name)).rows[0]?.value ?? null;
    const breaches = await single('breaches');
    expect(breaches).toBeGreaterThan(0);
    expect(text).toContain(`Violações de SLA (${formatCount(breaches)})`);
    expect(text).toMatch(/RW11-1\s+Cliente C\s+Alta/);
    expect(text).toMatch(inOrder(formatCount(await single('backlog')), '0', '1'));
    expect(text).toMatch(inOrder(formatPercent(await single('approval_share')), formatPercent(await single('rejection_share')), formatPercent(await single('auto_close_share'))));
    expect(text).toMatch(inOrder(formatHours(await single('quick_service_hours')), formatCurrency(await single('quick_service_value'))));
    const csat = await metric('csat');
    expect(csat.suppressed).toBe(0);
    expect(text).toMatch(inOrder(formatPercent(csat.rows[0]!.value), formatPercent(await single('survey_response_rate')), formatCount(await single('insatisfeito_count'))));
    expect(text).toMatch(/Incidente\s+5\s+62,5%\s+30,0%\s+\+32,5 p\.p\./);
  });

  test('carries no survey comment and no requester identity', () => {
    const raw = readFileSync(report.path).toString('latin1');
    for (const marker of [COMMENT_MARKER, REQUESTER_MARKER]) {
      expect(text.toLowerCase()).not.toContain(marker.toLowerCase());
      expect(raw).not.toContain(marker);
    }
    expect(text).not.toContain('@cliente.com.br');
  });

  test('a second run for the same week renders nothing and returns the archived report', async () => {
    const service = createWeeklyReportService({ db: seeded.db, policy, renderer, archiveDir: archiveDir() });
    try {
      const again = await service.generate(week);
      expect(again).toEqual({ report, created: false });
    } finally {
      await service.close();
    }
    expect(readdirSync(archiveDir()).filter((f) => f.endsWith('.pdf'))).toEqual([report.path.split('/').pop()]);
  });

  test('refuses to print the login page (no valid token, or redirected to /login) and an error page', async () => {
    const routes = createReportPrintRoutes({ db: seeded.db, policy, clock: () => REPORT_NOW });
    const failing = createReportPrintRoutes({ db: seeded.db, policy, readMetric: async () => { throw new Error('metric store down'); } });
    const app = new Hono();
    app.route('/reports', routes);
    app.route('/broken', failing);
    app.get('/go', (c) => c.redirect('/login'));
    app.get('/login', (c) => c.html('<!doctype html><body data-page="login"><form>Entrar</form></body>'));
    const server = await startLoopbackServer(app);
    try {
      const attempt = (path: string) => renderer.renderPdf(`${server.url}${path}`, print);
      await expect(attempt('/reports/print/weekly?week=2026-W47&token=wrong')).rejects.toThrow(/login page \(HTTP 401\)/);
      await expect(attempt('/go')).rejects.toThrow(/login page \(HTTP 200\)/);
      const token = await issuePrintToken(seeded.db, 'weekly:2026-W47', Date.now());
      const error = await attempt(`/broken/print/weekly?week=2026-W47&token=${token}`).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PrintRefusedError);
      expect((error as PrintRefusedError).status).toBe(500);
      // A token issued for another week opens nothing either.
      await expect(attempt(`/reports/print/weekly?week=2026-W46&token=${token}`)).rejects.toThrow(/login page/);

      const job = { db: seeded.db, renderer, printBaseUrl: `${server.url}/broken`, company: policy.company, archiveDir: join(seeded.dir, 'refused') };
      await expect(generateWeeklyReport(job, parseReportWeek('2026-W45'))).rejects.toThrow(/HTTP 500/);
      expect(await findReport(seeded.db, 'weekly', '2026-W45')).toBeUndefined();
      expect(existsSync(join(seeded.dir, 'refused'))).toBe(false);
    } finally {
      await server.close();
    }
  });

  test('a crashed browser is relaunched on the next job', async () => {
    const pid = renderer.browserPid();
    expect(pid).toBeGreaterThan(0);
    process.kill(pid!, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 200));
    const service = createWeeklyReportService({ db: seeded.db, policy, renderer, archiveDir: archiveDir(), clock: () => REPORT_NOW });
    try {
      const { report: w46, created } = await service.generate(parseReportWeek('2026-W46'));
      expect(created).toBe(true);
      expect(w46.pages).toBeGreaterThanOrEqual(1);
    } finally {
      await service.close();
    }
    expect(renderer.browserPid()).not.toBe(pid);
  });
});
