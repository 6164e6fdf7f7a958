import type { Context } from 'hono';
import { html } from 'hono/html';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { DateTime } from 'luxon';
import { type Delivery, listDeliveries, mayRetryDelivery, RECIPIENT_REMOVED } from '../../reports/createOutbox.js';
import { REPORT_SCHEDULE_OFF } from '../../reports/parseReportConfig.js';
import { listArchivedReports } from '../../reports/readArchivedReport.js';
import { listRecipients, type Recipient } from '../../reports/recipients.js';
import type { ReportRow } from '../../reports/reportStore.js';
import type { Lang, MessageKey } from '../i18n/messages.js';
import { formatInstant, formatValue, TIME_ZONE } from '../i18n/resolveLang.js';
import type { ServerEnv } from '../routes/callerOf.js';
import { codeMessage, type PageContext, type PageOptions, pageContext } from './pageContext.js';
import { csrfInput, type Html, renderLayout, renderTable } from './renderLayout.js';

/** The messages a redirect may ask the page to show (`?ok=added`); anything else is ignored. */
const NOTICES = { added: 'reports.ok.added', removed: 'reports.ok.removed', retried: 'reports.ok.retried' } as const satisfies Record<string, MessageKey>;
/** Also the codes of the retry refusals (src/reports/createOutbox.ts retryDelivery), so the route can pass them on. */
export const PROBLEMS = {
  not_recipient: 'reports.problem.not_recipient',
  delivery_not_failed: 'reports.problem.delivery_not_failed',
  unknown_delivery: 'reports.problem.unknown_delivery',
  recipient_removed: 'reports.problem.recipient_removed',
} as const satisfies Record<string, MessageKey>;

/** `POST` target of the "Tentar de novo" button of a failed delivery. */
export const DELIVERY_RETRY_ACTION = '/relatorios/entregas/tentar-de-novo';

/** What a refused form post shows on the page again: the message and what the user typed. */
export interface RecipientFormState {
  error: string;
  email: string;
  name: string;
}

/** `/relatorios/<id>.pdf`: the download link of an archived report. */
export const reportPdfHref = (id: number) => `/relatorios/${id}.pdf`;

/** The report's days, Monday to Sunday in São Paulo: "17/11/2026 – 23/11/2026" (en: 2026-11-17 – 2026-11-23). */
export function formatReportDates(lang: Lang, periodStart: string, periodEnd: string): string {
  const day = (iso: string, shiftMs: number) => {
    const at = DateTime.fromISO(iso, { zone: 'utc' }).setZone(TIME_ZONE).plus({ milliseconds: shiftMs });
    return at.isValid ? at.toFormat(lang === 'pt' ? 'dd/LL/yyyy' : 'yyyy-LL-dd') : iso;
  };
  // period_end is the next Monday 00:00 (exclusive): the last day is the one before it.
  return `${day(periodStart, 0)} – ${day(periodEnd, -1)}`;
}

/** Bytes as "512 B", "20 KB" or "1,2 MB" (pt-BR separators by default). */
export function formatBytes(lang: Lang, bytes: number): string {
  if (bytes < 1024) return `${formatValue(lang, bytes, 'count')} B`;
  if (bytes < 1024 * 1024) return `${formatValue(lang, Math.round(bytes / 1024), 'count')} KB`;
  return `${formatValue(lang, Math.round((bytes / (1024 * 1024)) * 10) / 10)} MB`;
}

/** Failed for good, and no one chose it: a delivery drain() cancelled because its address was removed is not called out. */
const failedForGood = (d: Delivery) => d.status === 'failed' && d.lastError !== RECIPIENT_REMOVED;

function countDeliveries(deliveries: Delivery[]): string {
  const count = (test: (d: Delivery) => boolean) => deliveries.filter(test).length;
  return `${count((d) => d.status === 'sent')} / ${count((d) => d.status === 'pending' || d.status === 'sending')} / ${count(failedForGood)}`;
}

function renderArchive(ctx: PageContext, reports: ReportRow[], deliveries: Map<number, Delivery[]>): Html {
  const rows = reports.map((r) => [
    html`<a href="${reportPdfHref(r.id)}" download>${r.period}</a>`,
    formatReportDates(ctx.lang, r.periodStart, r.periodEnd),
    formatInstant(ctx.lang, r.generatedAt),
    String(r.pages),
    formatBytes(ctx.lang, r.bytes),
    countDeliveries(deliveries.get(r.id) ?? []),
    html`<a href="${reportPdfHref(r.id)}" download>${ctx.t('reports.download')}</a>`,
  ]);
  const headers = ['reports.week', 'reports.dates', 'reports.generated_at', 'reports.pages', 'reports.size', 'reports.delivery_counts', 'reports.download'] as const;
  return renderTable(headers.map((key) => ctx.t(key)), rows, ctx.t('reports.empty'));
}

const csrfField = (ctx: PageContext) => csrfInput(ctx.csrfToken);

/** A delivery's last error: the SMTP server's words as they came, Prazo's own reasons in the reader's language. */
const lastErrorText = (ctx: PageContext, error: string) => (error === RECIPIENT_REMOVED ? ctx.t('delivery.cancelled_recipient_removed') : error);


/** The "Tentar de novo" form of a failed delivery, for whoever may retry it (only to an address still a recipient). */
function renderRetry(ctx: PageContext, d: Delivery, active: Set<string>): Html | string {
  if (d.status !== 'failed' || !active.has(d.recipient)) return '';
  return html`<form method="post" action="${DELIVERY_RETRY_ACTION}" class="inline">${csrfField(ctx)}
      <input type="hidden" name="report" value="${d.reportId}" />
      <input type="hidden" name="recipient" value="${d.recipient}" />
      <button type="submit">${ctx.t('reports.retry')}</button></form>`;
}

function renderDeliveryTable(ctx: PageContext, deliveries: Delivery[], active: Set<string>): Html {
  const mayRetry = mayRetryDelivery(ctx.caller.role);
  const rows = deliveries.map((d) => [
    d.recipient,
    failedForGood(d)
      ? html`<strong class="bad">${ctx.t('delivery.failed')}</strong>`
      : ctx.t(d.status === 'failed' ? 'delivery.cancelled' : `delivery.${d.status}`),
    String(d.attempts),
    d.lastError ? html`<span class="${failedForGood(d) ? 'bad' : ''}">${lastErrorText(ctx, d.lastError)}</span>` : '–',
    formatInstant(ctx.lang, d.sentAt),
    ...(mayRetry ? [renderRetry(ctx, d, active)] : []),
  ]);
  const headers = ['reports.recipient', 'col.status', 'reports.attempts', 'reports.last_error', 'reports.sent_at'] as const;
  return renderTable([...headers.map((key) => ctx.t(key)), ...(mayRetry ? [''] : [])], rows, ctx.t('reports.no_deliveries'));
}

/** Per report, its deliveries; a report with a failed delivery is shown open, the others folded. */
function renderDeliveries(ctx: PageContext, reports: ReportRow[], deliveries: Map<number, Delivery[]>, active: Set<string>): Html | string {
  if (reports.length === 0) return '';
  const failed = reports.flatMap((r) => (deliveries.get(r.id) ?? []).filter(failedForGood).map((d) => ({ r, d })));
  const alert = failed.length
    ? html`<div class="bad" role="alert"><p>${ctx.t('reports.failed_alert')}</p><ul>${failed.map(
        ({ r, d }) => html`<li>${r.period} · ${d.recipient} · ${d.attempts}× · ${d.lastError ? lastErrorText(ctx, d.lastError) : '–'}</li>`,
      )}</ul></div>`
    : '';
  const sections = reports.map((r) => {
    const list = deliveries.get(r.id) ?? [];
    const open = list.some(failedForGood);
    return html`<details id="entregas-${r.id}"${open ? html` open` : ''}>
      <summary>${r.period} · ${formatReportDates(ctx.lang, r.periodStart, r.periodEnd)} · ${countDeliveries(list)}</summary>
      ${renderDeliveryTable(ctx, list, active)}
    </details>`;
  });
  return html`<h2>${ctx.t('reports.deliveries')}</h2>${alert}${sections}`;
}


function renderRecipients(ctx: PageContext, recipients: Recipient[], form?: RecipientFormState): Html {
  const rows = recipients.map((r) => [
    r.email,
    r.name ?? '',
    formatInstant(ctx.lang, r.addedAt),
    html`<form method="post" action="/relatorios/destinatarios/remover" class="inline">${csrfField(ctx)}
      <input type="hidden" name="email" value="${r.email}" />
      <button type="submit">${ctx.t('reports.remove')}</button></form>`,
  ]);
  const table = renderTable([ctx.t('col.email'), ctx.t('col.name'), ctx.t('col.created'), ''], rows, ctx.t('reports.no_recipients'));
  const addForm = html`<form method="post" action="/relatorios/destinatarios" class="filters">${csrfField(ctx)}
    <label>${ctx.t('col.email')}<input type="email" name="email" value="${form?.email ?? ''}" required maxlength="320" /></label>
    <label>${ctx.t('reports.name_optional')}<input name="name" value="${form?.name ?? ''}" maxlength="200" /></label>
    <button type="submit">${ctx.t('reports.add')}</button></form>`;
  return html`<h2>${ctx.t('reports.recipients')}</h2>${table}<h3>${ctx.t('reports.add_recipient')}</h3>${addForm}`;
}

function renderNotice(ctx: PageContext, c: Context<ServerEnv>, form?: RecipientFormState): Html | string {
  if (form) return html`<p class="bad" role="alert">${form.error}</p>`;
  const ok = codeMessage(ctx, NOTICES, c.req.query('ok'));
  if (ok) return html`<p class="good" role="status">${ok}</p>`;
  const problem = codeMessage(ctx, PROBLEMS, c.req.query('problem'));
  return problem ? html`<p class="bad" role="alert">${problem}</p>` : '';
}

/**
 * When reports are made, as the running server makes them (its parsed settings): on which
 * schedule, whether it mails them, and how to make a week outside the schedule.
 */
function renderSchedule(ctx: PageContext, reports: PageOptions['reports']): Html | string {
  if (!reports) return '';
  const text =
    reports.cron === REPORT_SCHEDULE_OFF
      ? ctx.t('reports.schedule_off')
      : ctx.t(reports.smtpUrl ? 'reports.schedule' : 'reports.schedule_unmailed', { cron: reports.cron, zone: reports.timezone });
  return html`<p class="note">${text} ${ctx.t('reports.schedule_manual')}</p>`;
}

/**
 * `/relatorios` (leadership and admin; the src/reports functions refuse anyone below): the archive
 * of generated reports with their download links, each report's deliveries per recipient (a failed
 * one is called out at the top and has a "Tentar de novo" button), and the recipients with add and
 * remove forms. A refused form
 * comes back as `form` (the page again, with the error and what was typed) and `status`.
 */
export async function renderReportsPage(c: Context<ServerEnv>, { db, reports: reportSettings }: PageOptions, form?: RecipientFormState, status: ContentfulStatusCode = 200) {
  const ctx = pageContext(c);
  const [reports, everyRecipient, allDeliveries] = await Promise.all([
    listArchivedReports(db, ctx.caller),
    listRecipients(db, ctx.caller, { includeRemoved: true }),
    listDeliveries(db),
  ]);
  const recipients = everyRecipient.filter((r) => r.removedAt === null);
  const active = new Set(recipients.map((r) => r.email));
  const deliveries = new Map<number, Delivery[]>();
  for (const d of allDeliveries) deliveries.set(d.reportId, [...(deliveries.get(d.reportId) ?? []), d]);
  const body = html`${renderNotice(ctx, c, form)}
    <h2>${ctx.t('reports.archive')}</h2>
    ${renderSchedule(ctx, reportSettings)}
    ${renderArchive(ctx, reports, deliveries)}
    ${renderDeliveries(ctx, reports, deliveries, active)}
    ${renderRecipients(ctx, recipients, form)}`;
  return c.html(renderLayout(ctx.layout({ title: ctx.t('reports.title'), active: '/relatorios', body })), status);
}
