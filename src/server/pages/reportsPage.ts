import type { Context } from 'hono';
import { html } from 'hono/html';
import type { Database } from '../../db/openDatabase.js';
import { formatInstant } from '../i18n/resolveLang.js';
import type { ServerEnv } from '../routes/callerOf.js';
import { type PageOptions, pageContext } from './pageContext.js';
import { renderLayout, renderTable } from './renderLayout.js';

interface ReportRow {
  id: number;
  kind: string;
  period: string;
  pages: number;
  bytes: number;
  generated_at: string;
  sent: number;
  pending: number;
  failed: number;
}

async function tableExists(db: Database, name: string): Promise<boolean> {
  const c = await db.connect();
  try {
    const reader = await c.runAndReadAll("SELECT count(*)::INTEGER FROM duckdb_tables() WHERE table_name = $name AND schema_name = 'main'", { name });
    return Number(reader.getRows()[0]![0]) > 0;
  } finally {
    c.closeSync();
  }
}

/** The report archive, newest first, with delivery counts; empty when the reports tables do not exist yet. */
export async function listReportArchive(db: Database): Promise<ReportRow[]> {
  if (!(await tableExists(db, 'reports'))) return [];
  const c = await db.connect();
  try {
    const reader = await c.runAndReadAll(
      `SELECT r.id::DOUBLE AS id, r.kind, r.period, r.pages, r.bytes::DOUBLE AS bytes,
              strftime(r.generated_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') AS generated_at,
              count(*) FILTER (WHERE d.status = 'sent')::INTEGER AS sent,
              count(*) FILTER (WHERE d.status IN ('pending', 'sending'))::INTEGER AS pending,
              count(*) FILTER (WHERE d.status = 'failed')::INTEGER AS failed
       FROM reports r LEFT JOIN deliveries d ON d.report_id = r.id
       GROUP BY r.id, r.kind, r.period, r.pages, r.bytes, r.generated_at ORDER BY r.generated_at DESC LIMIT 200`,
    );
    return reader.getRowObjectsJS() as unknown as ReportRow[];
  } finally {
    c.closeSync();
  }
}

/** Who receives the weekly report (not removed), by e-mail; empty when the table does not exist yet. */
export async function listActiveRecipients(db: Database): Promise<{ email: string; name: string | null; added_at: string }[]> {
  if (!(await tableExists(db, 'recipients'))) return [];
  const c = await db.connect();
  try {
    const reader = await c.runAndReadAll(
      `SELECT email, name, strftime(added_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') AS added_at
       FROM recipients WHERE removed_at IS NULL ORDER BY email`,
    );
    return reader.getRowObjectsJS() as never;
  } finally {
    c.closeSync();
  }
}

/** `/relatorios` (leadership and admin): the weekly report archive, its deliveries and the recipients. */
export async function renderReportsPage(c: Context<ServerEnv>, { db }: PageOptions) {
  const ctx = pageContext(c);
  const [reports, recipients] = await Promise.all([listReportArchive(db), listActiveRecipients(db)]);
  const rows = reports.map((r) => [
    r.period,
    r.kind,
    formatInstant(ctx.lang, r.generated_at),
    String(r.pages),
    `${Math.round(r.bytes / 1024)} KB`,
    `${r.sent} / ${r.pending} / ${r.failed}`,
  ]);
  const body = renderTable(
    [ctx.t('period.current'), ctx.t('col.type'), ctx.t('col.created'), 'pp.', 'KB', ctx.lang === 'pt' ? 'enviados / pendentes / falhas' : 'sent / pending / failed'],
    rows,
    ctx.t('reports.empty'),
  );
  const recipientTable = renderTable(
    [ctx.t('col.email'), ctx.t('col.name'), ctx.t('col.created')],
    recipients.map((r) => [r.email, r.name ?? '', formatInstant(ctx.lang, r.added_at)]),
    ctx.t('admin.none'),
  );
  const title = ctx.lang === 'pt' ? 'Destinatários' : 'Recipients';
  return c.html(renderLayout(ctx.layout({ title: ctx.t('reports.title'), active: '/relatorios', body: html`${body}<h2>${title}</h2>${recipientTable}` })));
}
