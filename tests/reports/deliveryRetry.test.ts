import nodemailer from 'nodemailer';
import { afterEach, describe, expect, test } from 'vitest';
import type { Database } from '../../src/db/openDatabase.js';
import { createOutbox, type Delivery } from '../../src/reports/createOutbox.js';
import { removeRecipient } from '../../src/reports/recipients.js';
import { createApp } from '../../src/server/createApp.js';
import { policy } from '../metrics/helpers.js';
import { loginAs, readJson, type SessionHeaders } from '../server/auth/authHelpers.js';
import { ADMIN, seedOutboxDb } from './outboxFixture.js';
import { startTestSmtp, type TestSmtp } from './smtpHelpers.js';

/**
 * "Tentar de novo" on Relatórios, end to end: a real DuckDB file, the real app through
 * app.request, and the real outbox mailing a real SMTP server on loopback.
 */

const FROM = 'Prazo <relatorios@prazo.test>';
const T0 = Date.parse('2026-11-23T10:00:00Z');
const DIRETORA = 'diretora@exemplo.com.br';
const GERENTE = 'gerente@exemplo.com.br';
const RETRY = '/relatorios/entregas/tentar-de-novo';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

/**
 * A report mailed to diretora@ and gerente@ where the SMTP server refused diretora@ for good (550):
 * diretora@ is failed after one attempt, gerente@ sent. The app's clock and the outbox's are `now`.
 */
async function setup() {
  const seeded = await seedOutboxDb();
  cleanups.push(() => seeded.cleanup(), () => seeded.db.close());
  const { db, report } = seeded;
  await removeRecipient(db, ADMIN, 'saiu@exemplo.com.br');
  const smtp = await startTestSmtp();
  cleanups.push(() => smtp.close());
  const clock = { now: T0 };
  const outbox = createOutbox({
    db, from: FROM, company: 'Prazo Suporte', clock: () => clock.now, random: () => 0.5, maxAttempts: 3,
    transport: nodemailer.createTransport({ host: '127.0.0.1', port: smtp.port, secure: false, ignoreTLS: true, connectionTimeout: 2000 }),
  });
  await outbox.enqueue(report.id);
  smtp.refuseNext(1, 550); // the first due delivery, diretora@ (alphabetical), is refused for good
  expect(await outbox.drain()).toEqual({ sent: 1, retrying: 0, failed: 1 });
  const app = createApp({ db, policy, config: { maxBodyBytes: 1 << 20 }, now: () => new Date(clock.now) });
  return { db, report, smtp, outbox, app, clock };
}

type Setup = Awaited<ReturnType<typeof setup>>;

const deliveryOf = async (outbox: Setup['outbox'], recipient: string): Promise<Delivery> =>
  (await outbox.listDeliveries()).find((d) => d.recipient === recipient)!;

async function query(db: Database, sql: string, params: Record<string, string> = {}): Promise<Record<string, unknown>[]> {
  const c = await db.connect();
  try {
    return (await c.runAndReadAll(sql, params)).getRowObjectsJS();
  } finally {
    c.closeSync();
  }
}

const retryAudits = (db: Database) =>
  query(db, "SELECT actor, role, action, target, detail FROM audit_log WHERE action = 'report.delivery_retry' ORDER BY id");

/** A form post as a browser sends it: the session cookie, and `_csrf` in the body unless left out. */
function postForm(app: Setup['app'], session: SessionHeaders, fields: Record<string, string>, options: { csrf?: boolean; accept?: string } = {}) {
  const body = new URLSearchParams({ ...fields, ...(options.csrf === false ? {} : { _csrf: session['X-CSRF-Token'] }) });
  return app.request(RETRY, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: options.accept ?? 'text/html', Cookie: session.Cookie },
    body: body.toString(),
  });
}

/** The hidden fields of every "Tentar de novo" form on the page, as the browser would post them. */
function retryForms(html: string): Record<string, string>[] {
  const forms = [...html.matchAll(/<form method="post" action="\/relatorios\/entregas\/tentar-de-novo" class="inline">([\s\S]*?)<\/form>/g)];
  return forms.map(([, inner]) => {
    expect(inner).toMatch(/<button type="submit">(Tentar de novo|Retry)<\/button>/);
    return Object.fromEntries([...inner!.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)" \/>/g)].map(([, name, value]) => [name!, value!]));
  });
}

describe('retrying a failed delivery through Relatórios', () => {
  test('admin clicks "Tentar de novo": the delivery is queued again, audited, and the next run mails it with the same Message-ID', async () => {
    const { db, report, smtp, outbox, app, clock } = await setup();
    const failed = await deliveryOf(outbox, DIRETORA);
    expect(failed).toMatchObject({ status: 'failed', attempts: 1, lastError: expect.stringMatching(/550/) });
    expect(smtp.received.map((m) => m.to)).toEqual([[GERENTE]]);
    const admin = await loginAs(app, db, 'admin');

    const page = await (await app.request('/relatorios', { headers: admin })).text();
    const forms = retryForms(page);
    expect(forms).toEqual([{ _csrf: admin['X-CSRF-Token'], report: String(report.id), recipient: DIRETORA }]); // none beside the sent one

    clock.now = T0 + 3 * 3_600_000;
    const res = await postForm(app, admin, forms[0]!);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/relatorios?ok=retried');
    expect(await (await app.request('/relatorios?ok=retried', { headers: admin })).text()).toContain(
      '<p class="good" role="status">Entrega de volta na fila: será enviada de novo no próximo envio, com o mesmo Message-ID.</p>',
    );
    expect(await deliveryOf(outbox, DIRETORA)).toEqual({
      ...failed, status: 'pending', attempts: 0, lastError: null, nextAttemptAt: new Date(clock.now).toISOString(),
    });

    expect(await outbox.drain()).toEqual({ sent: 1, retrying: 0, failed: 0 });
    const toDiretora = smtp.received.filter((m) => m.to[0] === DIRETORA);
    expect(toDiretora).toHaveLength(1);
    expect(toDiretora[0]!.parsed.messageId).toBe(failed.messageId);
    expect(smtp.received.filter((m) => m.to[0] === GERENTE)).toHaveLength(1); // the sent one is not sent again
    expect(await deliveryOf(outbox, DIRETORA)).toMatchObject({ status: 'sent', attempts: 1, lastError: null, messageId: failed.messageId });

    const me = (await readJson(await app.request('/api/v1/me', { headers: admin }))) as { email: string };
    const audits = await retryAudits(db);
    expect(audits).toEqual([
      { actor: me.email, role: 'admin', action: 'report.delivery_retry', target: DIRETORA, detail: JSON.stringify({ report_id: report.id, attempts: 1 }) },
    ]);
    expect(JSON.stringify(audits)).not.toMatch(/550|indispon/i); // the SMTP error text is not copied into the audit log
  });

  test('leadership, who manages the recipients, may retry too', async () => {
    const { db, report, outbox, app } = await setup();
    const leadership = await loginAs(app, db, 'leadership');
    const res = await postForm(app, leadership, { report: String(report.id), recipient: DIRETORA });
    expect(res.headers.get('location')).toBe('/relatorios?ok=retried');
    expect((await deliveryOf(outbox, DIRETORA)).status).toBe('pending');
    expect((await retryAudits(db)).map((r) => [r.role, r.target])).toEqual([['leadership', DIRETORA]]);
  });

  test('retrying a sent delivery is refused (409): JSON for scripts, a pt-BR notice for browsers; nothing is resent or audited', async () => {
    const { db, report, smtp, outbox, app, clock } = await setup();
    const admin = await loginAs(app, db, 'admin');
    const sent = await deliveryOf(outbox, GERENTE);
    const fields = { report: String(report.id), recipient: GERENTE };

    const json = await postForm(app, admin, fields, { accept: 'application/json' });
    expect(json.status).toBe(409);
    expect(await readJson(json)).toEqual({ error: { code: 'delivery_not_failed', message: expect.stringContaining(GERENTE) } });

    const browser = await postForm(app, admin, fields);
    expect(browser.status).toBe(303);
    expect(browser.headers.get('location')).toBe('/relatorios?problem=delivery_not_failed');
    expect(await (await app.request('/relatorios?problem=delivery_not_failed', { headers: admin })).text()).toContain(
      'Essa entrega não está com falha (já foi enviada ou ainda está na fila): nada foi reenviado.',
    );

    clock.now += 24 * 3_600_000;
    expect(await outbox.drain()).toEqual({ sent: 0, retrying: 0, failed: 0 });
    expect(smtp.received.filter((m) => m.to[0] === GERENTE)).toHaveLength(1);
    expect(await deliveryOf(outbox, GERENTE)).toEqual(sent);
    expect(await retryAudits(db)).toEqual([]);
  });

  test('a second retry of the same delivery, already queued again, is refused (409) and audited once', async () => {
    const { db, report, app } = await setup();
    const admin = await loginAs(app, db, 'admin');
    const fields = { report: String(report.id), recipient: DIRETORA };
    expect((await postForm(app, admin, fields)).headers.get('location')).toBe('/relatorios?ok=retried');
    const again = await postForm(app, admin, fields, { accept: 'application/json' });
    expect(again.status).toBe(409);
    expect((await readJson(again)).error.code).toBe('delivery_not_failed');
    expect(await retryAudits(db)).toHaveLength(1);
  });

  test.each([['lead'], ['analyst']] as const)('%s gets 403 (form and JSON), sees no button, and the delivery stays failed', async (who) => {
    const { db, report, outbox, app } = await setup();
    const session = await loginAs(app, db, who);
    const fields = { report: String(report.id), recipient: DIRETORA };
    const page = await postForm(app, session, fields);
    expect(page.status).toBe(403);
    expect(page.headers.get('content-type')).toContain('text/html');
    const json = await postForm(app, session, fields, { accept: 'application/json' });
    expect(json.status).toBe(403);
    expect((await readJson(json)).error.code).toBe('forbidden');
    expect(retryForms(await (await app.request('/relatorios', { headers: session })).text())).toEqual([]);
    expect(await deliveryOf(outbox, DIRETORA)).toMatchObject({ status: 'failed', attempts: 1 });
    expect(await retryAudits(db)).toEqual([]);
  });

  test('a post without the CSRF token is refused (403) even for admin, and the delivery stays failed', async () => {
    const { db, report, outbox, app } = await setup();
    const admin = await loginAs(app, db, 'admin');
    const res = await postForm(app, admin, { report: String(report.id), recipient: DIRETORA }, { csrf: false, accept: 'application/json' });
    expect(res.status).toBe(403);
    expect((await readJson(res)).error.code).toBe('csrf');
    const wrong = await postForm(app, admin, { report: String(report.id), recipient: DIRETORA, _csrf: 'x'.repeat(43) }, { csrf: false });
    expect(wrong.status).toBe(403);
    expect(await deliveryOf(outbox, DIRETORA)).toMatchObject({ status: 'failed', attempts: 1 });
    expect(await retryAudits(db)).toEqual([]);
  });

  test('an unknown delivery is 404 unknown_delivery (JSON), or a notice for browsers', async () => {
    const { db, report, app } = await setup();
    const admin = await loginAs(app, db, 'admin');
    for (const fields of [
      { report: String(report.id), recipient: 'ninguem@exemplo.com.br' },
      { report: '987654', recipient: DIRETORA },
      { report: 'abc', recipient: DIRETORA },
    ]) {
      const res = await postForm(app, admin, fields, { accept: 'application/json' });
      expect(res.status).toBe(404);
      expect((await readJson(res)).error.code).toBe('unknown_delivery');
    }
    const browser = await postForm(app, admin, { report: '987654', recipient: DIRETORA });
    expect(browser.headers.get('location')).toBe('/relatorios?problem=unknown_delivery');
    expect(await retryAudits(db)).toEqual([]);
  });

  test('a failed delivery to an address removed since has no button, and its retry is refused (409 recipient_removed)', async () => {
    const { db, report, outbox, app } = await setup();
    const admin = await loginAs(app, db, 'admin');
    await removeRecipient(db, ADMIN, DIRETORA);
    expect(retryForms(await (await app.request('/relatorios', { headers: admin })).text())).toEqual([]);
    const res = await postForm(app, admin, { report: String(report.id), recipient: DIRETORA }, { accept: 'application/json' });
    expect(res.status).toBe(409);
    expect((await readJson(res)).error.code).toBe('recipient_removed');
    expect((await deliveryOf(outbox, DIRETORA)).status).toBe('failed');
    expect(await retryAudits(db)).toEqual([]);
  });
});
