import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Database } from '../../../src/db/openDatabase.js';
import { bearerAs, loginAs } from '../auth/authHelpers.js';
import { createServerFixture } from './serverFixture.js';

// The fixture's open tickets: U2 urgente Beta/bruno (breached) and M1 média Acme/ana (at risk).
let db: Database;
let app: Awaited<ReturnType<typeof createServerFixture>>['app'];
let leadership: Record<string, string>;

beforeAll(async () => {
  ({ db, app } = await createServerFixture());
  leadership = await loginAs(app, db, 'leadership');
});

afterAll(() => db.close());

const page = async (url: string, headers = leadership) => {
  const res = await app.request(url, { headers });
  return { status: res.status, html: await res.text() };
};

/** The tickets the page lists (the links of its rows). */
const ticketsOf = (html: string) => [...html.matchAll(/<a href="\/tickets\/([^"]+)">/g)].map((m) => m[1]);

/** The filter form, as a browser sees it. */
const formOf = (html: string) => /<form class="filters" method="get" action="\/em-risco">[\s\S]*?<\/form>/.exec(html)?.[0] ?? '';

/** What a browser submits for the form when the user picks these values. */
const submit = (fields: Record<string, string>) => `/em-risco?${new URLSearchParams(fields).toString()}`;

describe('Em risco: the filter form', () => {
  test('a GET form with the four severities as the guide names them, "Todas" chosen by default, and the client', async () => {
    const form = formOf((await page('/em-risco')).html);
    expect(form).not.toBe('');
    const options = [...form.matchAll(/<option value="([^"]*)"( selected)?>([^<]*)<\/option>/g)].map((m) => [m[1], m[3], Boolean(m[2])]);
    expect(options).toEqual([
      ['', 'Todas', false],
      ['urgente', 'Urgente', false],
      ['alta', 'Alta', false],
      ['media', 'Média', false],
      ['baixa', 'Baixa', false],
    ]);
    expect(form).toContain('<input name="client" value="" list="known-clients" />');
  });

  test('after submitting, the chosen severity is selected and the client kept in its field', async () => {
    const form = formOf((await page(submit({ severity: 'media', client: 'Acme' }))).html);
    expect(form).toContain('<option value="media" selected>Média</option>');
    expect(form).not.toMatch(/<option value="(|urgente|alta|baixa)" selected>/);
    expect(form).toContain('<input name="client" value="Acme" list="known-clients" />');
  });

  test('in English the severities are named in English', async () => {
    const form = formOf((await page('/em-risco?severity=alta&lang=en')).html);
    expect(form).toContain('<option value="">All</option>');
    expect(form).toContain('<option value="alta" selected>High</option>');
  });
});

describe('Em risco: filtering', () => {
  test('a severity narrows the rows to the tickets of that severity', async () => {
    const all = await page('/em-risco');
    expect(ticketsOf(all.html)).toEqual(expect.arrayContaining(['U2', 'M1']));
    expect(all.html).toContain('<td>Urgente</td>');
    expect(all.html).toContain('<td>Média</td>');

    const urgent = (await page(submit({ severity: 'urgente', client: '' }))).html;
    expect(ticketsOf(urgent)).toEqual(['U2']);
    expect(urgent).not.toContain('<td>Média</td>');
    const media = (await page(submit({ severity: 'media', client: '' }))).html;
    expect(ticketsOf(media)).toEqual(['M1']);
    expect((await page(submit({ severity: 'baixa', client: '' }))).html).toContain('Nenhum chamado aberto.');
  });

  test('the client narrows them too, and both filters combine', async () => {
    expect(ticketsOf((await page(submit({ severity: '', client: 'Acme' }))).html)).toEqual(['M1']);
    expect(ticketsOf((await page(submit({ severity: 'urgente', client: 'Beta' }))).html)).toEqual(['U2']);
    expect(ticketsOf((await page(submit({ severity: 'urgente', client: 'Acme' }))).html)).toEqual([]);
  });

  test("an analyst's own tickets are filtered like the others", async () => {
    const ana = await bearerAs(db, 'analyst');
    // The analyst "ana" of M1 is matched by the e-mail's local part; bearerAs makes a random one, so M1 is not theirs.
    const html = (await page(submit({ severity: 'urgente' }), ana)).html;
    expect(html).toContain('Meus chamados');
    expect(ticketsOf(html)).toEqual(['U2']);
  });
});

describe('Em risco: the 60 s refresh keeps the filters', () => {
  test('the refresh names no URL of its own, so the browser reloads the page\'s URL with its query', async () => {
    const { html } = await page(submit({ severity: 'urgente', client: 'Beta' }));
    const refresh = /<meta http-equiv="refresh" content="([^"]*)" \/>/.exec(html)?.[1];
    // "60; url=/em-risco" would drop ?severity=…&client=…; a bare delay reloads the document's own URL.
    expect(refresh).toBe('60');
    // And the filters live in that URL: the form is a GET (a POST would be resubmitted on reload, or lost).
    expect(formOf(html)).toMatch(/^<form class="filters" method="get"/);
    expect(ticketsOf(html)).toEqual(['U2']);
  });
});

describe('Em risco: a severity that does not exist', () => {
  test('shows every open ticket with a note saying so, not an error', async () => {
    const { status, html } = await page('/em-risco?severity=gravissima');
    expect(status).toBe(200);
    expect(ticketsOf(html)).toEqual(expect.arrayContaining(['U2', 'M1']));
    expect(html).toContain('<p class="bad">A severidade pedida no endereço não existe; mostrando todas.</p>');
    expect(formOf(html)).not.toContain(' selected');
  });

  test('the value is neither put on the page as text nor run as markup', async () => {
    const { status, html } = await page(`/em-risco?severity=${encodeURIComponent('<script>alert(1)</script>')}`);
    expect(status).toBe(200);
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).not.toMatch(/<p class="bad">[^<]*alert/);
  });

  test('a known severity shows no note', async () => {
    expect((await page('/em-risco?severity=alta')).html).not.toContain('class="bad"');
  });
});
