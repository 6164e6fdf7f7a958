import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Database } from '../../../src/db/openDatabase.js';
import { insertReport } from '../../../src/reports/reportStore.js';
import { RECIPIENT_REMOVED } from '../../../src/reports/createOutbox.js';
import { loginAs, readJson, type SessionHeaders } from '../auth/authHelpers.js';
import { createServerFixture } from './serverFixture.js';

let db: Database;
let app: Awaited<ReturnType<typeof createServerFixture>>['app'];
let archive: string;
let leadership: SessionHeaders;
let admin: SessionHeaders;
let analyst: SessionHeaders;
let lead: SessionHeaders;
let reportId: number;
let missingId: number;
/** A small PDF-looking file with random bytes, so byte equality means something. */
const PDF = Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(3000), Buffer.from('\n%%EOF\n')]);
const FAILURE = '421 4.3.0 MARCA-ERRO-SMTP-8841 servidor indisponível';

async function exec(sql: string, params: Record<string, string | number> = {}): Promise<Record<string, unknown>[]> {
  const c = await db.connect();
  try {
    return (await c.runAndReadAll(sql, params)).getRowObjectsJS();
  } finally {
    c.closeSync();
  }
}

/** A delivery of `report` to `recipient`, who is (or was: removedAt) a recipient of the reports, as every delivery's address is. */
async function addDelivery(report: number, recipient: string, status: string, attempts: number, lastError: string | null, sentAt: string | null) {
  await exec("INSERT INTO recipients (email, added_at) VALUES ($recipient, '2026-03-01 10:00:00+00') ON CONFLICT DO NOTHING", { recipient });
  await exec(
    `INSERT INTO deliveries (report_id, recipient, status, attempts, next_attempt_at, last_error, sent_at, message_id, created_at)
     VALUES ($report, $recipient, $status, $attempts, '2026-03-16 11:00:00+00', ${lastError === null ? 'NULL' : '$error'},
       ${sentAt === null ? 'NULL' : '$sent::TIMESTAMPTZ'}, $mid, '2026-03-16 10:00:00+00')`,
    { report, recipient, status, attempts, mid: `<r-${report}.${recipient}@prazo>`, ...(lastError ? { error: lastError } : {}), ...(sentAt ? { sent: sentAt } : {}) },
  );
}

beforeAll(async () => {
  ({ db, app } = await createServerFixture());
  archive = mkdtempSync(join(tmpdir(), 'prazo-archive-'));
  const path = join(archive, 'weekly-2026-W11.pdf');
  writeFileSync(path, PDF);
  const week = { kind: 'weekly', periodStart: '2026-03-09T03:00:00Z', periodEnd: '2026-03-16T03:00:00Z', sha256: 'x', pages: 3, generatedAt: '2026-03-16T10:00:00Z' };
  reportId = (await insertReport(db, { ...week, period: '2026-W11', path, bytes: PDF.byteLength })).report.id;
  missingId = (await insertReport(db, { ...week, period: '2026-W10', periodStart: '2026-03-02T03:00:00Z', periodEnd: '2026-03-09T03:00:00Z', path: join(archive, 'gone.pdf'), bytes: 10 })).report.id;
  await addDelivery(reportId, 'diretoria@cliente.test', 'sent', 1, null, '2026-03-16 10:01:00+00');
  await addDelivery(reportId, 'caixa-cheia@cliente.test', 'failed', 8, FAILURE, null);
  await addDelivery(reportId, 'novo@cliente.test', 'pending', 2, 'connect ECONNREFUSED 127.0.0.1:2525', null);
  [leadership, admin, analyst, lead] = await Promise.all([loginAs(app, db, 'leadership'), loginAs(app, db, 'admin'), loginAs(app, db, 'analyst'), loginAs(app, db, 'lead')]);
});

afterAll(() => {
  db.close();
  rmSync(archive, { recursive: true, force: true });
});

const get = (url: string, headers: Record<string, string> = {}) => app.request(url, { headers });

/** A form post as a browser sends it: the session cookie, and `_csrf` in the body unless left out. */
function postForm(url: string, session: SessionHeaders | undefined, fields: Record<string, string>, withCsrf = true) {
  const body = new URLSearchParams({ ...fields, ...(withCsrf && session ? { _csrf: session['X-CSRF-Token'] } : {}) });
  const headers: Record<string, string> = { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'text/html' };
  if (session) headers.Cookie = session.Cookie;
  return app.request(url, { method: 'POST', headers, body: body.toString() });
}

const auditRows = (target: string) =>
  exec("SELECT actor, role, action, target FROM audit_log WHERE target = $target AND action LIKE 'recipient.%' ORDER BY id", { target });
const recipientRow = async (email: string) => (await exec('SELECT email, name, removed_at::VARCHAR AS removed_at FROM recipients WHERE email = $email', { email }))[0];
const deliveryRow = async (recipient: string) =>
  (await exec('SELECT status, attempts, last_error, message_id FROM deliveries WHERE report_id = $report AND recipient = $recipient', { report: reportId, recipient }))[0];
const RETRY = '/relatorios/entregas/tentar-de-novo';
/** The "Tentar de novo" forms of a page: the row each sits in (its first cell) and its hidden fields. */
const retryForms = (html: string) =>
  [...html.matchAll(/<tr><td>([^<]*)<\/td>(?:(?!<\/tr>)[\s\S])*?<form method="post" action="\/relatorios\/entregas\/tentar-de-novo" class="inline">([\s\S]*?)<\/form>/g)].map(
    ([, row, inner]) => ({ row, button: /<button type="submit">([^<]*)<\/button>/.exec(inner!)?.[1], fields: Object.fromEntries([...inner!.matchAll(/name="([^"]+)" value="([^"]*)"/g)].map(([, k, v]) => [k, v])) }),
  );

describe('Relatórios: the archive and its deliveries', () => {
  test('leadership sees each report with ISO week, dates, generated-at, pages, size and the download link', async () => {
    const res = await get('/relatorios', leadership);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('2026-W11');
    expect(html).toContain('09/03/2026 – 15/03/2026');
    expect(html).toContain('02/03/2026 – 08/03/2026');
    expect(html).toContain('16/03/2026, 07:00'); // generated 10:00 UTC = 07:00 in São Paulo
    expect(html).toContain('3 KB');
    expect(html).toContain('<td>10 B</td>');
    expect(html).toContain(`href="/relatorios/${reportId}.pdf"`);
    expect(html).toContain('Baixar PDF');
  });

  test('the failed delivery is called out with its attempts and last error; the others show their state', async () => {
    const html = await (await get('/relatorios', leadership)).text();
    const alert = /<div class="bad" role="alert">([\s\S]*?)<\/div>/.exec(html)?.[1] ?? '';
    expect(alert).toContain('caixa-cheia@cliente.test');
    expect(alert).toContain('MARCA-ERRO-SMTP-8841');
    expect(alert).toContain('8×');
    expect(alert).not.toContain('diretoria@cliente.test');
    expect(html).toMatch(new RegExp(`<details id="entregas-${reportId}" open>`));
    expect(html).toMatch(/caixa-cheia@cliente\.test<\/td><td><strong class="bad">falhou<\/strong><\/td><td>8<\/td>/);
    expect(html).toMatch(/diretoria@cliente\.test<\/td><td>enviado<\/td><td>1<\/td><td>–<\/td><td>16\/03\/2026, 07:01<\/td>/);
    expect(html).toMatch(/novo@cliente\.test<\/td><td>pendente<\/td><td>2<\/td><td><span class="">connect ECONNREFUSED/);
    expect(html).toContain('1 / 1 / 1');
  });

  test('only the failed delivery has a "Tentar de novo" button, posting its report and recipient with the CSRF token', async () => {
    expect(retryForms(await (await get('/relatorios', leadership)).text())).toEqual([
      { row: 'caixa-cheia@cliente.test', button: 'Tentar de novo', fields: { _csrf: leadership['X-CSRF-Token'], report: String(reportId), recipient: 'caixa-cheia@cliente.test' } },
    ]);
    expect(retryForms(await (await get('/relatorios?lang=en', admin)).text()).map((f) => [f.row, f.button])).toEqual([['caixa-cheia@cliente.test', 'Retry']]);
  });

  test('English via ?lang=en', async () => {
    const html = await (await get('/relatorios?lang=en', admin)).text();
    expect(html).toContain('Failed deliveries');
    expect(html).toContain('2026-03-09 – 2026-03-15');
    expect(html).toContain('Download PDF');
    expect(html).toContain('>failed</strong>');
  });

  test.each([['leadership'], ['admin']] as const)('%s downloads the archived PDF byte-identical, as an attachment', async (who) => {
    const res = await get(`/relatorios/${reportId}.pdf`, who === 'admin' ? admin : leadership);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="relatorio-semanal-2026-W11.pdf"');
    expect(Buffer.from(await res.arrayBuffer()).equals(PDF)).toBe(true);
  });

  test('an unknown id is 404: JSON for scripts, an HTML page for browsers; a lost file is 404 too', async () => {
    const json = await get('/relatorios/987654.pdf', leadership);
    expect(json.status).toBe(404);
    expect(await readJson(json)).toEqual({ error: { code: 'report_not_found', message: expect.stringContaining('987654') } });
    const page = await get('/relatorios/987654.pdf', { ...leadership, Accept: 'text/html' });
    expect(page.status).toBe(404);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect((await get('/relatorios/abc.pdf', leadership)).status).toBe(404);
    expect((await readJson(await get(`/relatorios/${missingId}.pdf`, leadership))).error.code).toBe('report_file_missing');
  });
});

describe('Relatórios: access', () => {
  test.each([['analyst'], ['lead']] as const)('%s is refused the page, the download and both recipient forms (403), and nothing changes', async (who) => {
    const session = who === 'analyst' ? analyst : lead;
    expect((await get('/relatorios', session)).status).toBe(403);
    const download = await get(`/relatorios/${reportId}.pdf`, session);
    expect(download.status).toBe(403);
    expect(Buffer.from(await download.arrayBuffer()).includes(PDF.subarray(0, 64))).toBe(false);
    expect((await postForm('/relatorios/destinatarios', session, { email: `${who}-tentou@cliente.test` })).status).toBe(403);
    expect((await postForm('/relatorios/destinatarios/remover', session, { email: 'diretoria@cliente.test' })).status).toBe(403);
    expect(await recipientRow(`${who}-tentou@cliente.test`)).toBeUndefined();
  });

  test.each([['analyst'], ['lead']] as const)('%s may not retry a failed delivery (403) and it stays failed', async (who) => {
    const res = await postForm(RETRY, who === 'analyst' ? analyst : lead, { report: String(reportId), recipient: 'caixa-cheia@cliente.test' });
    expect(res.status).toBe(403);
    expect(await deliveryRow('caixa-cheia@cliente.test')).toMatchObject({ status: 'failed', attempts: 8 });
  });

  test('anonymous visitors are sent to the login page', async () => {
    expect((await get('/relatorios')).status).toBe(302);
    expect((await get(`/relatorios/${reportId}.pdf`)).headers.get('location')).toBe(`/login?next=%2Frelatorios%2F${reportId}.pdf`);
    expect((await postForm('/relatorios/destinatarios', undefined, { email: 'anon@cliente.test' })).status).toBe(303);
    expect(await recipientRow('anon@cliente.test')).toBeUndefined();
  });

  test('a recipient post without _csrf is refused 403 even for leadership', async () => {
    const res = await postForm('/relatorios/destinatarios', leadership, { email: 'sem-csrf@cliente.test' }, false);
    expect(res.status).toBe(403);
    expect(await recipientRow('sem-csrf@cliente.test')).toBeUndefined();
  });

  test('a retry post without _csrf is refused 403 even for admin; the delivery stays failed', async () => {
    const res = await postForm(RETRY, admin, { report: String(reportId), recipient: 'caixa-cheia@cliente.test' }, false);
    expect(res.status).toBe(403);
    expect(await deliveryRow('caixa-cheia@cliente.test')).toMatchObject({ status: 'failed', attempts: 8 });
  });
});

describe('Relatórios: recipients', () => {
  test('leadership adds a recipient, sees it listed with a notice, then removes it; both audited', async () => {
    const email = 'gerencia@cliente.test';
    const added = await postForm('/relatorios/destinatarios', leadership, { email: ' Gerencia@Cliente.test ', name: 'Gerência' });
    expect(added.status).toBe(303);
    expect(added.headers.get('location')).toBe('/relatorios?ok=added');
    expect(await recipientRow(email)).toEqual({ email, name: 'Gerência', removed_at: null });
    const page = await (await get('/relatorios?ok=added', leadership)).text();
    expect(page).toContain('Destinatário adicionado.');
    expect(page).toMatch(/<td>gerencia@cliente\.test<\/td><td>Gerência<\/td><td>20\/03\/2026, 12:00<\/td>/); // added at the app's clock
    expect(page).toContain('<input type="hidden" name="email" value="gerencia@cliente.test" />');

    const removed = await postForm('/relatorios/destinatarios/remover', leadership, { email });
    expect(removed.headers.get('location')).toBe('/relatorios?ok=removed');
    expect((await recipientRow(email))?.removed_at).not.toBeNull();
    const after = await (await get('/relatorios?ok=removed', leadership)).text();
    expect(after).toContain('Destinatário removido.');
    expect(after).not.toContain('gerencia@cliente.test');

    const audit = await auditRows(email);
    const me = (await readJson(await get('/api/v1/me', leadership))) as { email: string };
    expect(audit).toEqual([
      { actor: me.email, role: 'leadership', action: 'recipient.add', target: email },
      { actor: me.email, role: 'leadership', action: 'recipient.remove', target: email },
    ]);
  });

  test('admin may manage recipients too', async () => {
    const res = await postForm('/relatorios/destinatarios', admin, { email: 'ti@cliente.test' });
    expect(res.headers.get('location')).toBe('/relatorios?ok=added');
    expect((await auditRows('ti@cliente.test')).map((r) => [r.role, r.action])).toEqual([['admin', 'recipient.add']]);
  });

  test('a bad address shows the page again (400) with a pt-BR error and what was typed; nothing stored or audited', async () => {
    const res = await postForm('/relatorios/destinatarios', leadership, { email: 'não-é-email', name: 'Fulano' });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('<p class="bad" role="alert">Endereço de e-mail inválido: &quot;não-é-email&quot;</p>');
    expect(html).toContain('value="não-é-email"');
    expect(html).toContain('value="Fulano"');
    expect(await recipientRow('não-é-email')).toBeUndefined();
    expect(await auditRows('não-é-email')).toEqual([]);
  });

  test('removing an address that is not a recipient says so, and audits nothing', async () => {
    const res = await postForm('/relatorios/destinatarios/remover', leadership, { email: 'ninguem@cliente.test' });
    expect(res.headers.get('location')).toBe('/relatorios?problem=not_recipient');
    expect(await (await get('/relatorios?problem=not_recipient', leadership)).text()).toContain('Esse endereço não é um destinatário ativo.');
    expect(await auditRows('ninguem@cliente.test')).toEqual([]);
  });

  test('notice codes are a whitelist: other text in ?ok is not echoed', async () => {
    const html = await (await get('/relatorios?ok=%3Cb%3Einjetado', leadership)).text();
    expect(html).not.toContain('<b>injetado');
    expect(html).not.toMatch(/<p class="(good|bad)" role=/);
    // Names every object has are no codes either (no empty notice).
    for (const code of ['ok=constructor', 'problem=toString', 'ok=__proto__']) {
      expect(await (await get(`/relatorios?${code}`, leadership)).text()).not.toMatch(/<p class="(good|bad)" role=/);
    }
  });
});

describe('Relatórios: a delivery the outbox did not send because its address stopped being a recipient', () => {
  test('shows it as cancelled, says why in the reader\'s language (never as its code), without alarm or retry', async () => {
    await addDelivery(missingId, 'saiu@cliente.test', 'failed', 0, RECIPIENT_REMOVED, null);
    await exec("UPDATE recipients SET removed_at = '2026-03-10 10:00:00+00' WHERE email = 'saiu@cliente.test'");
    const pt = await (await get('/relatorios', leadership)).text();
    expect(pt).toMatch(/saiu@cliente\.test<\/td><td>cancelado<\/td><td>0<\/td><td><span class="">Cancelado: o endereço deixou de ser destinatário dos relatórios/);
    // The removal was someone's choice: not in the failures' alert, not counted as a failure, its report not unfolded.
    const alert = /<div class="bad" role="alert">([\s\S]*?)<\/div>/.exec(pt)?.[1] ?? '';
    expect(alert).toContain('caixa-cheia@cliente.test');
    expect(alert).not.toContain('saiu@cliente.test');
    expect(pt).toMatch(new RegExp(`<details id="entregas-${missingId}">\\s*<summary>2026-W10 · [^<]* · 0 / 0 / 0</summary>`));
    expect(pt).not.toContain(RECIPIENT_REMOVED);
    const en = await (await get('/relatorios?lang=en', leadership)).text();
    expect(en).toContain('<td>cancelled</td>');
    expect(en).toContain('Cancelled: the address stopped receiving the reports after the delivery was queued.');
    expect(retryForms(pt).map((f) => f.row)).not.toContain('saiu@cliente.test');
    // The next tests expect the fixture's deliveries only.
    await exec("DELETE FROM deliveries WHERE recipient = 'saiu@cliente.test'");
  });
});

// Last: it changes the fixture's failed delivery.
describe('Relatórios: retrying a failed delivery', () => {
  test('leadership retries it from the page: queued again with the same Message-ID, a pt-BR notice, audited; its button is gone', async () => {
    const before = await deliveryRow('caixa-cheia@cliente.test');
    const [form] = retryForms(await (await get('/relatorios', leadership)).text());
    const res = await postForm(RETRY, leadership, { report: form!.fields.report!, recipient: form!.fields.recipient! });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/relatorios?ok=retried');
    expect(await deliveryRow('caixa-cheia@cliente.test')).toEqual({ status: 'pending', attempts: 0, last_error: null, message_id: before!.message_id });
    const page = await (await get('/relatorios?ok=retried', leadership)).text();
    expect(page).toContain('Entrega de volta na fila');
    expect(retryForms(page)).toEqual([]);
    expect(page).not.toContain('<div class="bad" role="alert">');
    expect(await exec("SELECT role, action, target FROM audit_log WHERE action = 'report.delivery_retry'")).toEqual([
      { role: 'leadership', action: 'report.delivery_retry', target: 'caixa-cheia@cliente.test' },
    ]);
  });

  test('a delivery that has not failed is refused: 409 JSON for scripts, a notice for browsers; it is left as it was', async () => {
    const res = await app.request(RETRY, {
      method: 'POST',
      headers: { ...admin, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ report: String(reportId), recipient: 'diretoria@cliente.test' }).toString(),
    });
    expect(res.status).toBe(409);
    expect((await readJson(res)).error.code).toBe('delivery_not_failed');
    const browser = await postForm(RETRY, admin, { report: String(reportId), recipient: 'novo@cliente.test' });
    expect(browser.headers.get('location')).toBe('/relatorios?problem=delivery_not_failed');
    expect(await (await get('/relatorios?problem=delivery_not_failed', admin)).text()).toContain('Essa entrega não está com falha');
    expect(await deliveryRow('diretoria@cliente.test')).toMatchObject({ status: 'sent', attempts: 1 });
    expect(await deliveryRow('novo@cliente.test')).toMatchObject({ status: 'pending', attempts: 2 });
  });
});
