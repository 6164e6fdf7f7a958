import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Database } from '../../../src/db/openDatabase.js';
import { loginAs } from '../auth/authHelpers.js';
import { createServerFixture } from './serverFixture.js';

// A page is not an API: what the URL asks for that a page cannot show is shown as the default,
// with a note above the filter form, in the page's language — not a bare 400.

let db: Database;
let app: Awaited<ReturnType<typeof createServerFixture>>['app'];
let leadership: Record<string, string>;

beforeAll(async () => {
  ({ db, app } = await createServerFixture());
  leadership = await loginAs(app, db, 'leadership');
});

afterAll(() => db.close());

const page = async (url: string) => {
  const res = await app.request(url, { headers: { ...leadership, Accept: 'text/html' } });
  return { status: res.status, html: await res.text() };
};
const notes = (html: string) => [...html.matchAll(/<p class="bad" role="alert">([^<]*)<\/p>/g)].map((m) => m[1]);
const dateInputs = (html: string) => [...html.matchAll(/<input type="date" name="(from|to)" value="([^"]*)"/g)].map((m) => [m[1], m[2]]);

describe('filters a page cannot show', () => {
  test.each(['/', '/sla', '/categorias', '/satisfacao'])('%s with an unreadable period shows the default period, the nav, the form and a note', async (path) => {
    const normal = await page(path);
    expect(normal.status).toBe(200);
    for (const query of ['from=abc', 'from=2026-03-10&to=2026-03-01', 'to=2026-02-30']) {
      const { status, html } = await page(`${path}?${query}`);
      expect({ query, status }).toEqual({ query, status: 200 });
      expect(html).toContain('<nav');
      expect(notes(html)).toEqual(['O período pedido no endereço não vale (datas no formato AAAA-MM-DD, o fim depois do início); mostrando os últimos 28 dias.']);
      expect(dateInputs(html)).toEqual(dateInputs(normal.html));
    }
  });

  test('the note is in the page\'s language', async () => {
    const { html } = await page('/?from=abc&lang=en');
    expect(notes(html)).toEqual(['The period asked for in the address is not valid (dates as YYYY-MM-DD, the end after the start); showing the last 28 days.']);
  });

  test('an unknown severity shows every severity, says so, and the list shows "Todas"', async () => {
    const all = await page('/sla');
    const { status, html } = await page('/sla?severity=xyz');
    expect(status).toBe(200);
    expect(notes(html)).toEqual(['A severidade pedida no endereço não existe; mostrando todas.']);
    const severities = /<select name="severity">([\s\S]*?)<\/select>/.exec(html)?.[1] ?? '';
    expect(severities).toContain('<option value="urgente">');
    expect(severities).not.toContain('selected');
    // The same numbers as with no severity at all.
    const tables = (h: string) => [...h.matchAll(/<details>[\s\S]*?<\/details>/g)].map((m) => m[0]);
    expect(tables(html)).toEqual(tables(all.html));
  });

  test('a period the page can read has no note, and the API still refuses a bad one (400)', async () => {
    expect(notes((await page('/?from=2026-03-01&to=2026-03-15')).html)).toEqual([]);
    const api = await app.request('/api/v1/metrics/response_compliance?from=abc&to=2026-03-01', { headers: leadership });
    expect(api.status).toBe(400);
  });
});
