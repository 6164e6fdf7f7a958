import { type Context, Hono } from 'hono';
import { AccessError } from '../../access/roles.js';
import { retryDelivery } from '../../reports/createOutbox.js';
import { readArchivedReport } from '../../reports/readArchivedReport.js';
import { addRecipient, removeRecipient } from '../../reports/recipients.js';
import { requireRole } from '../auth/guards.js';
import { translate } from '../i18n/messages.js';
import { resolveLang } from '../i18n/resolveLang.js';
import { formText, type PageOptions } from '../pages/pageContext.js';
import { PROBLEMS, renderReportsPage } from '../pages/reportsPage.js';
import { pageRole } from '../pages/renderLayout.js';
import { callerOf, type ServerEnv } from './callerOf.js';

const field = (body: Record<string, unknown>, name: string) => formText(body, name) ?? '';
/** A browser's form post (it accepts HTML); scripts get the JSON error envelope instead of a redirect. */
const fromBrowser = (c: Context<ServerEnv>) => c.req.header('accept')?.includes('text/html') === true;

/**
 * `/relatorios` and what it offers (leadership and admin, like the page; the src/reports functions
 * check the role again and audit recipient changes; CSRF is checked by the auth middleware):
 *
 * - `GET /` the page;
 * - `GET /:id.pdf` the archived PDF as an attachment (404 for an unknown id or a missing file);
 * - `POST /destinatarios` (email, name?) adds a recipient, then 303 to `/relatorios?ok=added`;
 *   a bad address answers the page again, 400, with the error and the typed values;
 * - `POST /destinatarios/remover` (email) removes one, then 303 to `?ok=removed`
 *   (or `?problem=not_recipient` when it was not an active recipient);
 * - `POST /entregas/tentar-de-novo` (report, recipient) puts a failed delivery back in the queue
 *   (audited), then 303 to `?ok=retried`; a refusal (404 unknown_delivery, 409 delivery_not_failed
 *   or recipient_removed) is 303 to `?problem=<code>` for a browser and the JSON envelope otherwise.
 */
export function createReportArchiveRoutes(options: PageOptions): Hono<ServerEnv> {
  const { db } = options;
  const app = new Hono<ServerEnv>();
  app.use('*', requireRole(pageRole('/relatorios')));

  app.get('/', (c) => renderReportsPage(c, options));

  app.get('/:file{[0-9]{1,15}\\.pdf}', async (c) => {
    const id = Number(c.req.param('file').slice(0, -'.pdf'.length));
    const { content, filename } = await readArchivedReport(db, callerOf(c), id);
    return c.body(new Uint8Array(content), 200, {
      'Content-Type': 'application/pdf',
      'Content-Length': String(content.byteLength),
      'Content-Disposition': `attachment; filename="${filename}"`,
      'Cache-Control': 'private, no-store',
    });
  });

  app.post('/destinatarios', async (c) => {
    const body = await c.req.parseBody();
    const input = { email: field(body, 'email'), name: field(body, 'name') };
    try {
      await addRecipient(db, callerOf(c), input.name.trim() ? input : { email: input.email }, options.now());
    } catch (error) {
      return answerRefusal(c, options, error, input);
    }
    return c.redirect('/relatorios?ok=added', 303);
  });

  app.post('/destinatarios/remover', async (c) => {
    const body = await c.req.parseBody();
    const email = field(body, 'email');
    let removed: boolean;
    try {
      removed = await removeRecipient(db, callerOf(c), email, options.now());
    } catch (error) {
      return answerRefusal(c, options, error, { email, name: '' });
    }
    return c.redirect(removed ? '/relatorios?ok=removed' : '/relatorios?problem=not_recipient', 303);
  });

  app.post('/entregas/tentar-de-novo', async (c) => {
    const body = await c.req.parseBody();
    const report = field(body, 'report');
    const key = { reportId: /^[0-9]{1,15}$/.test(report) ? Number(report) : Number.NaN, recipient: field(body, 'recipient') };
    try {
      await retryDelivery(db, callerOf(c), key, options.now());
    } catch (error) {
      if (error instanceof AccessError && Object.hasOwn(PROBLEMS, error.code) && fromBrowser(c)) return c.redirect(`/relatorios?problem=${error.code}`, 303);
      throw error;
    }
    return c.redirect('/relatorios?ok=retried', 303);
  });

  return app;
}

/** A 400 from src/reports (e.g. invalid_email) shows the page again with the message; anything else is thrown. */
function answerRefusal(c: Context<ServerEnv>, options: PageOptions, error: unknown, typed: { email: string; name: string }) {
  if (!(error instanceof AccessError) || error.status !== 400) throw error;
  const lang = resolveLang(c);
  const message = error.code === 'invalid_email' ? `${translate(lang, 'reports.invalid_email')}: "${typed.email}"` : error.message;
  return renderReportsPage(c, options, { error: message, ...typed }, 400);
}
