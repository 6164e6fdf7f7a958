import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Database } from '../../../src/db/openDatabase.js';
import { loadPolicy } from '../../../src/policy/loadPolicy.js';
import { parseReportConfig } from '../../../src/reports/parseReportConfig.js';
import { createApp } from '../../../src/server/createApp.js';
import { METRICS } from '../../../src/metrics/registry/metrics.js';
import { createPersonalToken } from '../../../src/server/auth/personalTokens.js';
import { MESSAGES } from '../../../src/server/i18n/messages.js';
import { DASHBOARDS_DIR, formatCell, labelCodes, loadDashboard } from '../../../src/server/pages/renderDashboard.js';
import { labelSegmentReason } from '../../../src/server/pages/ticketPage.js';
import { cookieFrom, createTestUser, loginAs, submitLogin } from '../auth/authHelpers.js';
import { createServerFixture, NOW } from './serverFixture.js';

let db: Database;
let app: Awaited<ReturnType<typeof createServerFixture>>['app'];
let leadership: Record<string, string>;
let lead: Record<string, string>;

beforeAll(async () => {
  ({ db, app } = await createServerFixture());
  leadership = await loginAs(app, db, 'leadership');
  lead = await loginAs(app, db, 'lead');
});

afterAll(() => db.close());

const get = async (url: string, headers: Record<string, string>) => {
  const res = await app.request(url, { headers });
  return { status: res.status, html: await res.text(), res };
};

/** The panels' specs a page hands dashboard.js. */
function embeddedSpecs(html: string): { id: string; spec: { data: { values: Record<string, unknown>[] } } }[] {
  const json = /<script type="application\/json" id="dashboard-specs">([\s\S]*?)<\/script>/.exec(html)?.[1];
  if (!json) throw new Error('no dashboard-specs script');
  return JSON.parse(json);
}

describe('dashboards/*.json', () => {
  test.each(['overview', 'sla', 'categories', 'satisfaction'])('%s: every panel names a registry metric and dimensions it allows', (name) => {
    const dashboard = loadDashboard(name);
    expect(dashboard.panels.length).toBeGreaterThan(0);
    for (const panel of dashboard.panels) {
      const metric = METRICS.get(panel.metric);
      expect(metric, panel.id).toBeDefined();
      for (const d of panel.by.filter((d) => d !== '$group')) expect(metric!.dimensions, `${panel.id} by ${d}`).toContain(d);
      expect(panel.spec).not.toHaveProperty('data');
    }
    expect(readdirSync(DASHBOARDS_DIR)).toContain(`${name}.json`);
  });
});

describe('Visão geral', () => {
  test('cards for the period vs the previous one, the per-severity table, charts with their data and tables', async () => {
    const { status, html } = await get('/?from=2026-03-01&to=2026-04-01', leadership);
    expect(status).toBe(200);
    expect(html).toContain('<html lang="pt-BR">');
    expect(html).toMatch(/data-metric="response_compliance"[\s\S]*?<div class="value bad">71,4%<\/div>/);
    expect(html).toMatch(/data-metric="breaches"[\s\S]*?<div class="value ">2<\/div>/);
    // A count compares with the previous period; tickets at risk are a state as of the last recompute, compared with nothing.
    const card = (name: string) => new RegExp(`<div class="card" data-metric="${name}">([\\s\\S]*?)</div>\\s*</div>`).exec(html)?.[1] ?? '';
    expect(card('breaches')).toContain('Período anterior: ');
    expect(card('at_risk')).toContain('Agora (no último recálculo)');
    expect(card('at_risk')).not.toContain('Período anterior');
    // The per-severity table names each severity as the guide does, with its promise.
    expect(html).toContain('<td>Média (8x5: 2h / 24h)</td>');
    expect(html).toContain('<td>Urgente (24x7: 30m / 4h)</td>');
    expect(html).toContain('<script defer src="/assets/vendor/vega-embed.min.js"></script>');
    expect(html).not.toMatch(/<body[^>]*data-ready/);
    const specs = embeddedSpecs(html);
    const bySeverity = specs.find((s) => s.id === 'response_by_severity')!;
    expect(bySeverity.spec.data.values).toContainEqual({ severity: 'urgente', value: 0.5, target: 0.95 });
    expect(html.match(/<details>/g)!.length).toBe(specs.length);
  });

  test('?lang=en switches to English and the cookie keeps it', async () => {
    const first = await get('/?lang=en', leadership);
    expect(first.html).toContain('<html lang="en">');
    expect(first.html).toContain('<h1>Overview</h1>');
    const titles = JSON.stringify(embeddedSpecs(first.html));
    expect(titles).toContain('"title":"% within target"');
    expect(titles).not.toContain('"pt":');
    expect(first.html).not.toContain('id="vega-locale"');
    // In pt-BR the page hands the charts the shared locale file (decimal comma, Portuguese months).
    const pt = await get('/', leadership);
    const locale = JSON.parse(/<script type="application\/json" id="vega-locale">(.*?)<\/script>/s.exec(pt.html)![1]!);
    expect(locale).toMatchObject({ number: { decimal: ',', thousands: '.' }, time: { shortMonths: expect.arrayContaining(['fev', 'dez']) } });
    const cookie = first.res.headers.getSetCookie().find((c) => c.startsWith('prazo_lang=en'))!;
    expect(cookie).toMatch(/HttpOnly/);
    const again = await get('/sla', { ...leadership, Cookie: `${leadership.Cookie}; prazo_lang=en` });
    expect(again.html).toContain('Tickets that breached the SLA');
    // The filter form names severities as the guide does, codes only in the values.
    expect((await get('/sla?severity=media', leadership)).html).toContain('<option value="media" selected>Média</option>');
    expect(again.html).toContain('<option value="urgente">Urgent</option>');
  });

  test('the per-severity table names severities in English on English pages', async () => {
    const { html } = await get('/?from=2026-03-01&to=2026-04-01&lang=en', leadership);
    expect(html).toContain('<td>Urgent (24x7: 30m / 4h)</td>');
    expect(html).toContain('<td>Medium (8x5: 2h / 24h)</td>');
    expect(html).not.toMatch(/<td>(Urgente|Alta|Média|Baixa) \(/);
  });

  test('English covers every Portuguese message', () => {
    expect(Object.keys(MESSAGES.en).sort()).toEqual(Object.keys(MESSAGES.pt).sort());
  });
});

describe('Ticket', () => {
  test('the timeline bar has counting, paused and outside-hours segments and the deadline line', async () => {
    const { status, html } = await get('/tickets/B1', leadership);
    expect(status).toBe(200);
    const svg = /<svg class="timeline"[\s\S]*?<\/svg>/.exec(html)![0];
    expect(svg).toMatch(/<rect class="counting"/);
    expect(svg).toMatch(/<rect class="paused"/);
    expect(svg).toMatch(/<rect class="outside_hours"/);
    expect(svg).toMatch(/<line class="deadline"/);
    // Events named in words, not by their codes; the segments' reasons too.
    expect(html).toMatch(/<td>Abertura<\/td><td>Baixa<\/td>/);
    expect(html).toContain('<td>Resposta</td><td>analista</td>');
    expect(html).toContain('<td>Aprovação</td><td>sim</td>');
    expect(html).toContain('<td>Mudança de situação</td><td>Fechado · aprovado pelo cliente</td>');
    expect(html).toContain('<td>Categorização</td><td>Serviços</td>');
    // A Serviço Rápido says its hours and rate.
    expect(html).toMatch(/<td>Serviço Rápido proposto<\/td><td>6 h · R\$\s150,00\/h<\/td>/);
    expect(html).toMatch(/<td>Serviço Rápido aceito<\/td><td>6 h<\/td>/);
    expect(html).not.toMatch(/ticket\.(opened|status_changed|replied|categorized|approval|assigned)|quick_service\./);
    expect(html).toContain('<td>Pausado (cliente)</td><td>02/03/2026, 15:00</td><td>03/03/2026, 10:00</td><td>Aguardando cliente</td>');
    expect(html).not.toMatch(/aguardando_cliente|outside_business_hours|em_atendimento/);
    // Closed within its target: the SLA says so (not "–"); the ticket's status keeps its own row.
    expect(html).toContain('<dt>SLA</dt><dd>Cumprido</dd>');
    expect(html).toContain('<dt>Situação</dt><dd>Fechado</dd>');
  });

  test('the SLA of a breached closed ticket and of an open one; English names for events, who replied and answers', async () => {
    const a2 = (await get('/tickets/A2', leadership)).html;
    expect(a2).toContain('<dt>SLA</dt><dd>Violado</dd>');
    expect(a2).toContain('<td>Aprovação</td><td>não</td>');
    expect((await get('/tickets/M1', leadership)).html).toContain('<dt>SLA</dt><dd>Em risco</dd>');
    expect((await get('/tickets/U2', leadership)).html).toContain('<dt>SLA</dt><dd>Violado</dd>');
    const en = (await get('/tickets/A2?lang=en', leadership)).html;
    expect(en).toContain('<dt>SLA</dt><dd>Breached</dd>');
    expect(en).toContain('<td>Opened</td><td>High</td>');
    expect(en).toContain('<td>Reply</td><td>analyst</td>');
    expect(en).toContain('<td>Approval</td><td>no</td>');
    expect(en).toContain('<td>Approval</td><td>yes</td>');
    expect(en).toContain('<td>Status changed</td><td>Closed · approved by the customer</td>');
    expect(en).not.toMatch(/>(sim|não|analista|Abertura)</);
    expect((await get('/tickets/B1?lang=en', leadership)).html).toContain('<dt>SLA</dt><dd>Met</dd>');
  });

  test.each([
    ['pt', 'weekend, holiday: Carnaval', 'Fim de semana, Feriado: Carnaval'],
    ['en', 'weekend, holiday: Carnaval', 'Weekend, Holiday: Carnaval'],
    ['pt', 'outside_business_hours', 'Fora do horário'],
    ['en', 'fechado_ate_reabertura', 'Closed until reopened'],
    ['pt', 'aguardando_aprovacao', 'Aguardando aprovação'],
    ['en', 'em_atendimento', 'In progress'],
    ['pt', 'algo_novo', 'algo_novo'],
  ] as const)('segment reason (%s) %s → %s', (lang, reason, words) => {
    expect(labelSegmentReason(lang, reason)).toBe(words);
  });

  test('an unknown ticket is a 404 page', async () => {
    const { status, html } = await get('/tickets/NOPE', leadership);
    expect(status).toBe(404);
    expect(html).toContain('Chamado não encontrado');
  });
});

describe('Em risco', () => {
  test('refreshes itself every 60 s; an analyst sees their own tickets first', async () => {
    const ana = await createTestUser(db, 'analyst', 'ana');
    const { token } = await createPersonalToken(db, ana.email);
    const { html } = await get('/em-risco', { Authorization: `Bearer ${token}` });
    expect(html).toContain('<meta http-equiv="refresh" content="60" />');
    const mine = html.indexOf('Meus chamados');
    const others = html.indexOf('Demais chamados');
    expect(mine).toBeGreaterThan(0);
    expect(html.slice(mine, others)).toContain('/tickets/M1');
    expect(html.slice(mine, others)).not.toContain('/tickets/U2');
    expect(html.slice(others)).toContain('/tickets/U2');
    // Severities and statuses are named as the guide names them, not by their codes.
    expect(html).toMatch(/<td>(Urgente|Alta|Média|Baixa)<\/td>/);
    expect(html).not.toMatch(/<td>(urgente|alta|media|baixa|em_atendimento|aguardando_cliente|novo)<\/td>/);
  });
});

describe('Satisfação: the follow-up queue', () => {
  test('a lead claims, records a contact and closes; the forms carry _csrf', async () => {
    const page = (await get('/satisfacao', lead)).html;
    expect(page).toMatch(/<form method="post" action="\/satisfacao\/followups\/claim"><input type="hidden" name="_csrf" value="[^"]+"/);
    const answerId = /name="id" value="([^"]+)"/.exec(page)![1]!;
    const source = /name="source" value="([^"]+)"/.exec(page)![1]!;
    const post = (url: string, fields: Record<string, string>) =>
      app.request(url, {
        method: 'POST',
        headers: { Cookie: lead.Cookie!, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ ...fields, _csrf: lead['X-CSRF-Token']! }).toString(),
      });
    expect((await post('/satisfacao/followups/claim', { source, id: answerId })).status).toBe(303);
    const claimed = (await get('/satisfacao', lead)).html;
    const id = /action="\/satisfacao\/followups\/(\d+)\/contact"/.exec(claimed)![1];
    const contact = await post(`/satisfacao/followups/${id}/contact`, { contacted_at: '2026-03-20T10:00', channel: 'phone', outcome: 'reached', note: 'liguei' });
    expect(contact.headers.get('location')).toBe('/satisfacao');
    expect((await post(`/satisfacao/followups/${id}/close`, { resolution: 'resolvido' })).status).toBe(303);
    const again = await post(`/satisfacao/followups/${id}/close`, {});
    expect(again.headers.get('location')).toBe('/satisfacao?problem=already_closed');
    expect((await get('/satisfacao?problem=already_closed', lead)).html).toContain('Este acompanhamento já foi encerrado.');
    // Text in the URL is never put on the page; only known codes are named.
    const spoofed = (await get('/satisfacao?problem=Ligue+para+0800-FALSO', lead)).html;
    expect(spoofed).not.toMatch(/role="alert">[^<]*0800-FALSO/);
    expect(spoofed).not.toMatch(/>Ligue para 0800-FALSO</);
    const api = (await (await app.request('/api/v1/followups?status=closed', { headers: lead })).json()) as { followups: { follow_up_id: number }[] };
    expect(api.followups.map((f) => String(f.follow_up_id))).toContain(id);
  });

  test("the forms name channels and outcomes in words (posting the codes), Quem is the lead's name, closing confirms", async () => {
    const lia = await createTestUser(db, 'lead', 'Lia Souza');
    const login = await submitLogin(app, lia.email, lia.password);
    const session = { Cookie: cookieFrom(login, 'prazo_session')! };
    const { csrf_token } = (await (await app.request('/api/v1/me', { headers: session })).json()) as { csrf_token: string };
    const page = (await get('/satisfacao', session)).html;
    const post = (url: string, fields: Record<string, string>) =>
      app.request(url, {
        method: 'POST',
        headers: { ...session, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ ...fields, _csrf: csrf_token }).toString(),
      });
    const source = /name="source" value="([^"]+)"/.exec(page)![1]!;
    const answer = /name="id" value="([^"]+)"/.exec(page)![1]!;
    expect(page).toContain('<td>Aberto</td>');
    expect((await post('/satisfacao/followups/claim', { source, id: answer })).status).toBe(303);
    const claimed = (await get('/satisfacao', session)).html;
    expect(claimed).toContain('<td>Assumido</td><td>Lia Souza</td>');
    expect(claimed).not.toContain(`<td>${lia.email}</td>`);
    expect(claimed).toContain('<option value="phone">Telefone</option>');
    expect(claimed).toContain('<option value="callback_scheduled">Retorno agendado</option>');
    expect(claimed).toMatch(/<label>Resolução<input name="resolution"/);
    expect(claimed).not.toMatch(/<option>(phone|email|reached|no_answer)<\/option>/);
    const en = (await get('/satisfacao?lang=en', session)).html;
    expect(en).toContain('<option value="meeting">Meeting</option>');
    expect(en).toContain('<option value="no_answer">No answer</option>');
    expect(en).toMatch(/<label>Resolution<input name="resolution"/);
    expect(en).toContain('<td>Claimed</td><td>Lia Souza</td>');
    const id = /action="\/satisfacao\/followups\/(\d+)\/contact"/.exec(claimed)![1];
    expect((await post(`/satisfacao/followups/${id}/contact`, { contacted_at: '2026-03-20T10:00', channel: 'phone', outcome: 'callback_scheduled' })).status).toBe(303);
    expect((await get('/satisfacao', session)).html).toContain('<td>1 · Retorno agendado</td>');
    const closed = await post(`/satisfacao/followups/${id}/close`, { resolution: 'combinado', back: 'lang=en' });
    expect(closed.headers.get('location')).toBe('/satisfacao?lang=en&ok=closed#queue');
    const after = (await get(closed.headers.get('location')!, session)).html;
    expect(after).toContain('<p class="good" role="status">Follow-up closed.</p>');
    expect((await get('/satisfacao?ok=closed', session)).html).toContain('<p class="good" role="status">Acompanhamento encerrado.</p>');
    // Only known notices; the forms do not carry the notice on to the next redirect.
    expect((await get('/satisfacao?ok=Ligue+0800', session)).html).not.toContain('role="status"');
    expect(after).not.toMatch(/name="back" value="[^"]*ok=/);
  });
});

describe('Admin and Relatórios', () => {
  test('Admin lists users, the audit log and the holidays of the year (read-only)', async () => {
    const admin = await loginAs(app, db, 'admin');
    const { status, html } = await get('/admin', admin);
    expect(status).toBe(200);
    expect(html).toContain('Feriados de 2026');
    // Tiradentes, dated and named as the page's language does.
    expect(html).toMatch(/<td>21\/04\/2026<\/td><td>Dia de Tiradentes<\/td><td>feriado oficial<\/td>/);
    expect(html).not.toMatch(/<td>(public|optional|recurring|closure)<\/td>/);
    expect(html).toMatch(/@test\.prazo/);
    // Audit actions in words, each with its code (the filter searches by code prefixes).
    expect(html).toMatch(/<td>Leitura da fila de acompanhamento <code>satisfaction\.read_follow_ups<\/code><\/td>/);
    expect(html).not.toMatch(/<td>satisfaction\.read_follow_ups<\/td>/);
    expect(html).not.toMatch(/<form method="post" action="\/admin/);
    // Roles and headers in words.
    expect(html).toContain('<th scope="col">Desativado em</th>');
    expect(html).toMatch(/<td>Diretoria<\/td>/);
    expect(html).toMatch(/<td>Administrador<\/td>/);
    expect(html).not.toMatch(/<th scope="col">(disabled|last used|revoked)<\/th>|<td>(analyst|lead|leadership|admin)<\/td>/);
    const en = (await get('/admin?lang=en', admin)).html;
    expect(en).toContain('<th scope="col">Disabled</th>');
    expect(en).toMatch(/<td>Leadership<\/td>/);
    expect(en).toContain('<th scope="col">Last used</th>');
    expect(en).toMatch(/<td>Apr 21, 2026<\/td><td>Dia de Tiradentes<\/td><td>public holiday<\/td>/);
    expect(en).toMatch(/<td>Follow-up queue read <code>satisfaction\.read_follow_ups<\/code><\/td>/);
  });

  test('every action the code audits has words in both languages', () => {
    const sources = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [readFileSync(join(dir, e.name), 'utf8')] : [],
      );
    const text = sources(join(import.meta.dirname, '..', '..', '..', 'src')).join('\n');
    const actions = new Set(
      [...text.matchAll(/action: ['"`]([a-z0-9_.-]+)['"`]|changeFollowUp\(\s*db,\s*caller,\s*['"`]([a-z0-9_.-]+)/g)].map((m) => m[1] ?? m[2]!),
    );
    expect(actions.size).toBeGreaterThan(15);
    for (const lang of ['pt', 'en'] as const) {
      expect([...actions].filter((a) => !(`audit.action.${a}` in MESSAGES[lang])), lang).toEqual([]);
    }
  });

  test('Admin: tokens under their own headings, the policy before the audit log, a long audit detail folded after its start', async () => {
    const admin = await loginAs(app, db, 'admin');
    const tickets = Array.from({ length: 200 }, (_, i) => `T-${1000 + i}`);
    const c = await db.connect();
    try {
      await c.run("INSERT INTO audit_log (actor, role, action, target, detail) VALUES ('lia@test.prazo', 'lead', 'yy.long_detail', 'follow_ups', $detail)", {
        detail: JSON.stringify({ tickets }),
      });
    } finally {
      c.closeSync();
    }
    const { html } = await get('/admin?action=yy.long_detail', admin);
    const headings = [...html.matchAll(/<h2[^>]*>([^<]*)<\/h2>/g)].map((m) => m[1]);
    expect(headings.indexOf('Tokens de origem')).toBeLessThan(headings.indexOf('Tokens pessoais'));
    expect(headings.indexOf('Política ativa')).toBeLessThan(headings.indexOf('Registro de auditoria'));
    const row = /<td>yy\.long_detail<\/td><td>follow_ups<\/td><td>([\s\S]*?)<\/td><\/tr>/.exec(html)?.[1] ?? '';
    expect(row).toMatch(/^<details><summary>\{&quot;tickets&quot;:\[&quot;T-1000&quot;/);
    expect(/<summary>([\s\S]*?)<\/summary>/.exec(row)?.[1]).not.toContain('T-1199');
    expect(row).toContain('T-1199');
  });

  test('the audit log cannot be flooded out of sight: filter by action, page to older rows', async () => {
    const admin = await loginAs(app, db, 'admin');
    const c = await db.connect();
    try {
      await c.run("INSERT INTO audit_log (actor, role, action, target) VALUES ('artur@test.prazo', 'admin', 'user.add', 'ANTIGO@cliente.test')");
      await c.run("INSERT INTO audit_log (actor, role, action, target) SELECT 'ana@test.prazo', 'analyst', 'satisfaction.denied', 'csat-' || i FROM range(250) r(i)");
    } finally {
      c.closeSync();
    }
    const first = (await get('/admin', admin)).html;
    expect(first).not.toContain('ANTIGO@cliente.test');
    const older = /<a href="(\/admin\?before=\d+)#audit">Mais antigos/.exec(first)?.[1];
    expect(older).toBeDefined();
    expect((await get(older!.replace(/&amp;/g, '&'), admin)).html).toContain('ANTIGO@cliente.test');
    const users = (await get('/admin?action=user.', admin)).html;
    expect(users).toContain('ANTIGO@cliente.test');
    expect(users).not.toContain('satisfaction.denied');
    // A cursor no id can reach is ignored rather than failing the page.
    expect((await get('/admin?before=99999999999999999999999', admin)).status).toBe(200);
  });

  test('the audit log offers older rows only when there are some: a page of exactly 200 has no link', async () => {
    const admin = await loginAs(app, db, 'admin');
    const c = await db.connect();
    try {
      await c.run("INSERT INTO audit_log (actor, role, action, target) SELECT 'ana@test.prazo', 'analyst', 'zz.exact', 'x-' || i FROM range(200) r(i)");
    } finally {
      c.closeSync();
    }
    expect((await get('/admin?action=zz.', admin)).html).not.toContain('Mais antigos');
    const c2 = await db.connect();
    try {
      await c2.run("INSERT INTO audit_log (actor, role, action, target) VALUES ('ana@test.prazo', 'analyst', 'zz.exact', 'x-200')");
    } finally {
      c2.closeSync();
    }
    const html = (await get('/admin?action=zz.&lang=en', admin)).html;
    // The link keeps the page's filter and language.
    const older = /<a href="([^"]+)#audit">Older/.exec(html)?.[1]?.replace(/&amp;/g, '&');
    expect(Object.fromEntries(new URL(older!, 'http://x').searchParams)).toEqual({ action: 'zz.', lang: 'en', before: expect.stringMatching(/^\d+$/) });
    const last = (await get(older!, admin)).html;
    expect(last.match(/<td>zz\.exact<\/td>/g)).toHaveLength(1);
    expect(last).not.toContain('Older');
  });

  test('Relatórios says when the server makes the report, whether it mails it, and how to make a week by hand', async () => {
    const page = async (reports: Parameters<typeof parseReportConfig>[0], lang = 'pt') => {
      const served = createApp({ db, policy: loadPolicy(), now: () => new Date(NOW), reports: parseReportConfig(reports), config: { maxBodyBytes: 1 << 20 } });
      const res = await served.request(`/relatorios?lang=${lang}`, { headers: leadership });
      expect(res.status, res.headers.get("location") ?? "").toBe(200);
      return res.text();
    };
    const mailing = await page({ PRAZO_REPORT_CRON: '30 6 * * 2', PRAZO_REPORT_TIMEZONE: 'America/Manaus', PRAZO_SMTP_URL: 'smtp://127.0.0.1:2525' });
    expect(mailing).toContain(
      'O servidor gera o relatório semanal na agenda 30 6 * * 2 (formato cron, fuso America/Manaus), guarda-o aqui e o envia aos destinatários. Para gerar uma semana fora da agenda: com o servidor parado, prazo report weekly --week AAAA-Www.',
    );
    // Without SMTP the server archives only: the page does not promise mail.
    const archiving = await page({ PRAZO_REPORT_CRON: '30 6 * * 2', PRAZO_REPORT_TIMEZONE: 'America/Manaus' });
    expect(archiving).toContain('e o guarda aqui; sem PRAZO_SMTP_URL, não o envia por e-mail.');
    expect(archiving).not.toContain('envia aos destinatários');
    expect(await page({ PRAZO_REPORT_CRON: 'off' }, 'en')).toContain('Scheduled reports are off (PRAZO_REPORT_CRON=off). To make a week outside the schedule: with the server stopped, prazo report weekly --week YYYY-Www.');
    // An app without the report service (as here) says nothing about a schedule.
    expect((await get('/relatorios', leadership)).html).not.toContain('formato cron');
  });

  test('Relatórios: the empty state, then a generated report in the archive', async () => {
    expect((await get('/relatorios', leadership)).html).toContain('Nenhum relatório gerado ainda.');
    const c = await db.connect();
    try {
      await c.run(`INSERT INTO reports (kind, period, period_start, period_end, path, bytes, sha256, pages, generated_at)
        VALUES ('weekly', '2026-W11', '2026-03-09 03:00:00+00', '2026-03-16 03:00:00+00', '/tmp/x.pdf', 20480, 'ab', 3, '2026-03-16 11:00:00+00')`);
      await c.run("INSERT INTO recipients (email, name, added_at) VALUES ('diretoria@cliente.test', 'Diretoria', '2026-03-01 12:00:00+00')");
    } finally {
      c.closeSync();
    }
    const { html } = await get('/relatorios', leadership);
    expect(html).toContain('2026-W11');
    expect(html).toContain('20 KB');
    expect(html).toContain('diretoria@cliente.test');
  });
});

describe('/assets', () => {
  test('serves the vega builds and the dashboard script with an ETag; nothing outside the list', async () => {
    const res = await app.request('/assets/vendor/vega.min.js');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const etag = res.headers.get('etag')!;
    expect((await app.request('/assets/vendor/vega.min.js', { headers: { 'If-None-Match': etag } })).status).toBe(304);
    expect((await app.request('/assets/dashboard.js')).status).toBe(200);
    for (const url of ['/assets/../package.json', '/assets/vendor/../../package.json', '/assets/nope.js']) {
      expect((await app.request(url)).status, url).toBe(404);
    }
  });
});

describe('"Ver os números" tables', () => {
  /** The table under the panel `id`. */
  const tableOf = (html: string, id: string) => /<section class="panel" id="panel-([^"]+)">[\s\S]*?<\/section>/g.exec(html.slice(html.indexOf(`id="panel-${id}"`) - 30))![0];

  test('headers are the dimensions as the filters name them; weeks are dates in the page language', async () => {
    const pt = (await get('/?from=2026-03-01&to=2026-04-01', leadership)).html;
    expect(tableOf(pt, 'response_by_severity')).toContain('<th scope="col">Severidade</th>');
    expect(tableOf(pt, 'response_by_severity')).toContain('<td>Urgente</td>');
    const weekly = loadDashboard('overview').panels.find((p) => p.by.includes('week'))!.id;
    expect(tableOf(pt, weekly)).toContain('<th scope="col">Semana</th>');
    expect(tableOf(pt, weekly)).toContain('<td>02/03/2026</td>');
    expect(pt).not.toMatch(/<th scope="col">(severity|week|month|client|analyst|category|rating)<\/th>/);
    expect(pt).not.toMatch(/<td>\d{4}-\d{2}-\d{2}<\/td>/);
    const en = (await get('/?from=2026-03-01&to=2026-04-01&lang=en', leadership)).html;
    expect(tableOf(en, weekly)).toContain('<th scope="col">Week</th>');
    expect(tableOf(en, weekly)).toContain('<td>Mar 2, 2026</td>');
    expect(tableOf(en, 'response_by_severity')).toContain('<th scope="col">Severity</th>');
    const categories = (await get('/categorias?from=2026-03-01&to=2026-04-01', leadership)).html;
    expect(categories).toContain('<th scope="col">Categoria</th>');
    expect(categories).toContain('<th scope="col">Mês</th>');
    expect(categories).toContain('<td>março de 2026</td>');
    const sla = (await get('/sla?from=2026-03-01&to=2026-04-01&by=analyst&lang=en', leadership)).html;
    expect(sla).toContain('<th scope="col">Analyst</th>');
  });

  test('ratings are named in the page language, in the table and on the chart axis', async () => {
    const pt = (await get('/satisfacao?from=2026-03-01&to=2026-04-01', lead)).html;
    const en = (await get('/satisfacao?from=2026-03-01&to=2026-04-01&lang=en', lead)).html;
    // The latest answers name the rating (a lead reads them).
    expect(pt).toMatch(/<td>Insatisfeito<\/td>/);
    expect(en).toMatch(/<td>Dissatisfied<\/td>/);
    expect(en).not.toMatch(/<td>(satisfeito|neutro|insatisfeito)<\/td>/i);
    // The distribution's numbers: the rating breakdown as a named column of named ratings.
    expect(tableOf(en, 'rating_distribution')).toMatch(/<th scope="col">Rating<\/th>[\s\S]*<td>Neutral<\/td><td><span class="num">2<\/span>/);
    expect(tableOf(pt, 'rating_distribution')).toMatch(/<th scope="col">Avaliação<\/th>[\s\S]*<td>Satisfeito<\/td>/);
    expect(JSON.stringify(labelCodes({ encoding: { x: { field: 'rating', axis: {} } } }, 'en'))).toContain('\\"insatisfeito\\":\\"Dissatisfied\\"');
  });

  test.each([
    ['pt', 'rating', 'neutro', 'Neutro'],
    ['en', 'rating', 'satisfeito', 'Satisfied'],
    ['pt', 'week', '2026-05-25', '25/05/2026'],
    ['en', 'week', '2026-05-25', 'May 25, 2026'],
    ['en', 'day', '2026-12-31', 'Dec 31, 2026'],
    ['pt', 'month', '2026-01-01', 'janeiro de 2026'],
    ['en', 'month', '2026-01-01', 'January 2026'],
    ['pt', 'client', null, '–'],
    ['pt', 'client', 'Acme', 'Acme'],
  ] as const)('cell (%s) %s %s → %s', (lang, key, value, text) => {
    expect(formatCell(lang, key, value)).toBe(text);
  });
});

describe('chart labels', () => {
  test('axes and legends of severity and category name the codes as the guide does; other fields are left alone', () => {
    const spec = {
      layer: [{ encoding: { y: { field: 'severity', sort: ['urgente'] }, color: { field: 'category', legend: { orient: 'bottom' } }, x: { field: 'week' } } }],
    };
    const out = labelCodes(spec, 'pt') as typeof spec & { layer: [{ encoding: Record<string, Record<string, { labelExpr?: string; orient?: string }>> }] };
    const enc = out.layer[0].encoding;
    expect(enc.y!.axis!.labelExpr).toContain('"media":"Média"');
    expect(enc.y!.sort).toEqual(['urgente']);
    expect(enc.color!.legend).toMatchObject({ orient: 'bottom', labelExpr: expect.stringContaining('"duvida_explicita":"Dúvida explícita"') });
    expect(enc.color!.legend!.labelExpr).toContain('(não informado)');
    expect(enc.x).toEqual({ field: 'week' });
    const en = labelCodes(spec, 'en') as typeof out;
    expect(en.layer[0].encoding.y!.axis!.labelExpr).toContain('"media":"Medium"');
  });
});

describe('chart axes in the page language', () => {
  test('weekly axes read 01/06 in Portuguese and Jun 01 in English (not an ambiguous 01/06)', async () => {
    const formats = async (url: string) =>
      embeddedSpecs((await get(url, leadership)).html)
        .filter((p) => p.id.endsWith('_trend'))
        .map((p) => [...JSON.stringify(p.spec).matchAll(/"format":"(%[^"]*)"/g)].map((m) => m[1]))
        .flat();
    expect(await formats('/?from=2026-03-01&to=2026-04-01')).toEqual(expect.arrayContaining(['%d/%m']));
    expect(await formats('/?from=2026-03-01&to=2026-04-01')).not.toContain('%b %d');
    const en = await formats('/?from=2026-03-01&to=2026-04-01&lang=en');
    expect(en).toContain('%b %d');
    expect(en).not.toContain('%d/%m');
  });
});

describe('errors on pages', () => {
  const browser = (headers: Record<string, string>) => ({ ...headers, Accept: 'text/html,application/xhtml+xml' });

  // An unreadable filter is no error on a page (the default with a note: pageFilters.test.ts); on the API it is.
  test('an unreadable period on the API answers the JSON envelope', async () => {
    const res = await app.request('/api/v1/metrics/response_compliance?from=ontem&to=2026-06-01', { headers: browser(leadership) });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'invalid_query' } });
  });

  test('an unknown page is an HTML 404 for a browser and JSON for a script', async () => {
    const page = await get('/nao-existe', browser(leadership));
    expect(page.status).toBe(404);
    expect(page.html).toContain('Página não encontrada');
    const script = await app.request('/nao-existe', { headers: leadership });
    expect(await script.json()).toMatchObject({ error: { code: 'not_found' } });
  });
});
