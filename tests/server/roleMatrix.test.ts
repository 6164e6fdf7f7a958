import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Role } from '../../src/access/roles.js';
import type { Database } from '../../src/db/openDatabase.js';
import { listMetrics } from '../../src/metrics/registry/metrics.js';
import { loginAs, readJson } from './auth/authHelpers.js';
import { createServerFixture, MARKERS, RATING_WORDS } from './pages/serverFixture.js';

type Who = Role | 'anonymous';
const WHO: Who[] = ['anonymous', 'analyst', 'lead', 'leadership', 'admin'];
const MARCH = 'from=2026-03-01&to=2026-04-01';

/** Expected status per caller, in WHO order. Pages send anonymous visitors to /login (302). */
const PAGE = (analyst: number, lead: number, leadership: number, admin: number) => [302, analyst, lead, leadership, admin];
const API = (analyst: number, lead: number, leadership: number, admin: number) => [401, analyst, lead, leadership, admin];

const MATRIX: [string, number[]][] = [
  ['/', PAGE(200, 200, 200, 200)],
  ['/?lang=en', PAGE(200, 200, 200, 200)],
  ['/sla?group=analyst', PAGE(200, 200, 200, 200)],
  ['/tickets/B1', PAGE(200, 200, 200, 200)],
  ['/tickets/U1', PAGE(200, 200, 200, 200)],
  ['/em-risco', PAGE(200, 200, 200, 200)],
  ['/categorias', PAGE(200, 200, 200, 200)],
  ['/satisfacao', PAGE(403, 200, 200, 200)],
  ['/relatorios', PAGE(403, 403, 200, 200)],
  ['/relatorios?lang=en', PAGE(403, 403, 200, 200)],
  ['/relatorios/999999.pdf', PAGE(403, 403, 404, 404)], // refused before the lookup; no such report for the others
  ['/admin', PAGE(403, 403, 403, 200)],
  ['/api/v1/metrics', API(200, 200, 200, 200)],
  [`/api/v1/metrics/response_compliance?${MARCH}&by=analyst`, API(200, 200, 200, 200)],
  [`/api/v1/metrics/csat?${MARCH}&by=analyst`, API(403, 200, 200, 200)],
  [`/api/v1/metrics/satisfaction_distribution?${MARCH}&format=csv`, API(403, 200, 200, 200)],
  [`/api/v1/metrics/insatisfeito_count?${MARCH}&format=arrow`, API(403, 200, 200, 200)],
  ['/api/v1/tickets', API(200, 200, 200, 200)],
  ['/api/v1/tickets/U1', API(200, 200, 200, 200)],
  ['/api/v1/followups', API(403, 200, 200, 200)],
  ['/api/v1/openapi.json', API(200, 200, 200, 200)],
  ['/metrics', [403, 403, 403, 403, 200]],
  ['/healthz', [200, 200, 200, 200, 200]],
];

let db: Database;
let app: Awaited<ReturnType<typeof createServerFixture>>['app'];
const sessions = new Map<Who, Record<string, string>>();
/** Every response body an analyst received, by URL. */
const analystBodies = new Map<string, string>();

beforeAll(async () => {
  ({ db, app } = await createServerFixture());
  sessions.set('anonymous', {});
  for (const role of ['analyst', 'lead', 'leadership', 'admin'] as const) sessions.set(role, await loginAs(app, db, role));
});

afterAll(() => db.close());

async function fetchAs(who: Who, url: string, init: RequestInit = {}): Promise<Response> {
  const res = await app.request(url, { ...init, headers: { ...sessions.get(who), ...(init.headers as Record<string, string>) } });
  if (who === 'analyst') analystBodies.set(`${init.method ?? 'GET'} ${url}`, new TextDecoder().decode(await res.clone().arrayBuffer()));
  return res;
}

describe('role matrix: every page and API route × every role', () => {
  test.each(MATRIX)('%s', async (url, expected) => {
    const got: number[] = [];
    for (const who of WHO) got.push((await fetchAs(who, url)).status);
    expect(Object.fromEntries(WHO.map((w, i) => [w, got[i]]))).toEqual(Object.fromEntries(WHO.map((w, i) => [w, expected[i]])));
  });

  test('anonymous page visits are sent to the login page with the way back', async () => {
    const res = await fetchAs('anonymous', '/satisfacao');
    expect(res.headers.get('location')).toBe('/login?next=%2Fsatisfacao');
  });

  test('refusals are the JSON envelope on the API', async () => {
    const res = await fetchAs('analyst', '/api/v1/followups');
    expect(await readJson(res)).toEqual({ error: { code: 'forbidden', message: expect.any(String) } });
  });

  test('follow-up forms: analysts and leadership are refused, a lead claims (with the CSRF token), without it 403', async () => {
    const queue = (await readJson(await fetchAs('lead', '/api/v1/followups?status=open'))).followups;
    const target = queue.find((f: { ticket: string }) => f.ticket === 'B1');
    const form = (csrf?: string) => ({
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ source: target.answer_source, id: target.answer_id, ...(csrf ? { _csrf: csrf } : {}) }).toString(),
    });
    expect((await fetchAs('analyst', '/satisfacao/followups/claim', form())).status).toBe(403);
    expect((await fetchAs('leadership', '/satisfacao/followups/claim', form())).status).toBe(403);
    expect((await fetchAs('anonymous', '/satisfacao/followups/claim', form())).status).toBe(303);
    const lead = sessions.get('lead') as { Cookie: string; 'X-CSRF-Token': string };
    const noCsrf = await app.request('/satisfacao/followups/claim', { ...form(), headers: { Cookie: lead.Cookie, 'Content-Type': 'application/x-www-form-urlencoded' } });
    expect(noCsrf.status).toBe(403);
    const claimed = await app.request('/satisfacao/followups/claim', { ...form(lead['X-CSRF-Token']), headers: { Cookie: lead.Cookie, 'Content-Type': 'application/x-www-form-urlencoded' } });
    expect(claimed.status).toBe(303);
    expect(claimed.headers.get('location')).toBe('/satisfacao');
    const after = (await readJson(await fetchAs('lead', '/api/v1/followups'))).followups.find((f: { answer_id: string }) => f.answer_id === target.answer_id);
    expect(after.status).toBe('claimed');
  });
});

describe('Relatórios recipient forms × every role', () => {
  test.each([
    ['/relatorios/destinatarios', [303, 403, 403, 303, 303]],
    ['/relatorios/destinatarios/remover', [303, 403, 403, 303, 303]],
  ])('POST %s (with the CSRF token)', async (url, expected) => {
    const got: number[] = [];
    for (const who of WHO) {
      const session = sessions.get(who) as Record<string, string>;
      const body = new URLSearchParams({ email: `matriz-${who}@cliente.test`, ...(session['X-CSRF-Token'] ? { _csrf: session['X-CSRF-Token'] } : {}) });
      got.push((await fetchAs(who, url, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: body.toString() })).status);
    }
    expect(got).toEqual(expected);
  });
});

describe('analysts never see survey answers', () => {
  test('nav: no Satisfação link for an analyst, present for a lead', async () => {
    const nav = (html: string) => /<nav[\s\S]*?<\/nav>/.exec(html)?.[0] ?? '';
    expect(nav(await (await fetchAs('analyst', '/')).text())).not.toContain('/satisfacao');
    expect(nav(await (await fetchAs('lead', '/')).text())).toContain('/satisfacao');
  });

  test('every analyst-reachable response (pages, each metric in JSON, CSV and Arrow, tickets, refusals) is free of comments and ratings', async () => {
    for (const metric of listMetrics('analyst')) {
      for (const format of ['json', 'csv', 'arrow']) {
        const res = await fetchAs('analyst', `/api/v1/metrics/${metric.name}?${MARCH}&format=${format}`);
        expect(res.status, `${metric.name} ${format}`).toBe(200);
      }
    }
    for (const ticket of ['A1', 'A2', 'B1', 'C1', 'U1', 'U2', 'M1']) {
      await fetchAs('analyst', `/tickets/${ticket}`);
      await fetchAs('analyst', `/api/v1/tickets/${ticket}`);
    }
    for (const url of ['/', '/sla?group=category', '/categorias?lang=en', '/em-risco', '/satisfacao', '/api/v1/metrics/csat', '/api/v1/metrics/satisfaction_distribution?format=csv']) {
      await fetchAs('analyst', url);
    }
    expect(analystBodies.size).toBeGreaterThan(40);
    for (const [url, body] of analystBodies) {
      for (const marker of MARKERS) expect(body.includes(marker), `${url} contains ${marker}`).toBe(false);
      expect(RATING_WORDS.exec(body)?.[0], `${url} contains a rating word`).toBeUndefined();
    }
  });

  test('the markers are really there: a lead sees them on Satisfação and in the follow-up API', async () => {
    const page = await (await fetchAs('lead', '/satisfacao')).text();
    expect(page).toContain(MARKERS[0]);
    expect(page).not.toContain('<script>alert(1)</script>');
    const api = await (await fetchAs('lead', '/api/v1/followups')).text();
    for (const marker of [MARKERS[0], MARKERS[2]]) expect(api).toContain(marker);
    expect(RATING_WORDS.test(page)).toBe(true);
  });

  test('an analyst\'s ticket JSON has no requester and no instant that could date a survey answer', async () => {
    const ticket = (await (await fetchAs('analyst', '/api/v1/tickets/C1')).json()) as Record<string, unknown>;
    expect(ticket).toMatchObject({ ticket: 'C1' });
    for (const hidden of ['requester', 'first_event_at', 'last_event_at', 'computed_at']) expect(ticket).not.toHaveProperty(hidden);
    const lead = (await (await fetchAs('lead', '/api/v1/tickets/C1')).json()) as Record<string, unknown>;
    expect(lead).toHaveProperty('requester');
  });
});

describe('leadership reads satisfaction as aggregates only', () => {
  test('no comment and no respondent on Satisfação or in the follow-up API; the queue\'s state is there', async () => {
    const page = await (await fetchAs('leadership', '/satisfacao')).text();
    const api = (await (await fetchAs('leadership', '/api/v1/followups')).json()) as { followups: Record<string, unknown>[] };
    for (const marker of MARKERS) {
      expect(page).not.toContain(marker);
      expect(JSON.stringify(api)).not.toContain(marker);
    }
    expect(api.followups.length).toBeGreaterThan(0);
    for (const row of api.followups) expect(row).toMatchObject({ comment: null, requester: null, status: expect.any(String) });
    // Not even an empty comment column in the queue (a lead's queue has one).
    const queueHeaders = (html: string) => /id="queue"[\s\S]*?<thead>([\s\S]*?)<\/thead>/.exec(html)?.[1] ?? '';
    expect(queueHeaders(page)).toContain('Situação');
    expect(queueHeaders(page)).not.toContain('Comentário');
    const leadPage = await (await fetchAs('lead', '/satisfacao')).text();
    expect(queueHeaders(leadPage)).toContain('Comentário');
    // Leadership is told why its figures are by whole weeks and some groups are missing; a lead's are not protected.
    const protectedNote = 'Para proteger quem respondeu, os números valem por semanas inteiras (o período se alarga até elas) e grupos com menos de 5 respostas não aparecem.';
    expect(page).toContain(protectedNote);
    expect(leadPage).not.toContain(protectedNote);
  });
});
